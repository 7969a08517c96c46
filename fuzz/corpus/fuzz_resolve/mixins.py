from m1 import default, Base
import m1


class Mixin:
    def run(self):
        self.check()
        return self.fold()


class Concrete(Mixin, Base):
    pass


class Again(Concrete, Mixin):
    pass


default.check()
m1.strict.fold()
default()
#@
from pkg import Policy
from typing import Generic, TypeVar
T = TypeVar("T")


class Base(Policy, Generic[T]):
    def __init__(self, p: Policy):
        self.p = p

    def check(self):
        self.p.fold()
        return self.p()


default = Base()
strict: Base = make()
loop = loop()
#@
from .m2 import Policy
#@
class Policy:
    def fold(self):
        return default.fold()


default = Policy()
