import pkg.m2 as m
from pkg import helper
helper().run()
m.Model().run()
#@
from m0 import *
#@
from .m2 import helper
#@
class Model:
    def run(self) -> "Model":
        return self


def helper() -> Model:
    return Model()
