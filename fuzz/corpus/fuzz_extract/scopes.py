from __future__ import annotations
import os.path as p, sys
from .pkg import a as b, c
from .. import *
counter = 0
class C(Base, metaclass=Meta):
    __private = 1
    def m(self, a, /, b=2, *args, c: int = 3, **kw) -> C:
        global counter
        counter += 1
        def inner():
            nonlocal a
            a = super().m(1)
            return __class__, self.__private
        return inner
try:
    pass
except ValueError as e:
    del e
@decorator(arg)
async def g():
    async with x as (y, z):
        await y
    async for i in z:
        yield i
