from m1 import *
x = y
loop = loop.again
from pkg import z as w


def real() -> "Real":
    return Real()


class Real:
    def go(self) -> "Real":
        return self
#@
from m0 import *
y = x
from pkg.m2 import *
import pkg
pkg.m2.helper().go().go()
real().go()
#@
from .m2 import helper
from m0 import w as z
__all__ = ["helper", "z"]
#@
from typing import Self
from m0 import Real, x as alias
__all__ = ["helper", "Sub"]
__all__ += ("alias",)


class Sub(Real):
    def me(self) -> Self:
        return self


def helper() -> Real:
    return Sub().me()
