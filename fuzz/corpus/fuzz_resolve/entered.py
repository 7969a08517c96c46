from m1 import Archive, opened
import m1


def f(p):
    with Archive(p) as a, m1.Archive() as b:
        a.read().read()
        b.add(1).add(2).read()
    with Archive(p) as a:
        a.read()
    c = Archive(p)
    c = Archive(p)
    c.add(c).read()
    opened.read()
    m1.opened_by(p).read().add(1)
    m1.Archive.again().read()
    m1.held(1).add(2).read()
    m1.loop(1).read()


async def g():
    async with m1.Conn() as conn:
        await conn.send()
#@
from pkg import Base
from typing import Self


class Archive(Base):
    def __enter__(self):
        return self

    def add(self, x):
        if x:
            return self
        return self

    def read(self) -> Self:
        return self


class Conn:
    async def __aenter__(self):
        return self

    async def send(self):
        return self


with Archive() as opened:
    pass


def opened_by(p):
    if p:
        return Archive(p)
    return opened_by(p)


def again():
    return again()


def held(p):
    made = Archive(p)
    return made


def loop(p):
    looped = loop(p)
    return looped
#@
from .m2 import Base
#@
class Base:
    def __enter__(self):
        return self.__enter__()

    def read(self):
        return self
