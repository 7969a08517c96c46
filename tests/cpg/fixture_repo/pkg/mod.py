from __future__ import annotations

import functools
from .util import bump, apply
from .sub import *


class Base:
    def __init__(self, name: str) -> None:
        self.name = name

    def describe(self) -> str:
        return f"{self.name}!"


class Shape[T](Base):
    sides: int = 0

    def __init__(self, name: str, sides: int) -> None:
        super().__init__(name)
        self.sides = sides

    @functools.cache
    def area(self, scale: T) -> float:
        return self.describe().count("!") * scale

    @staticmethod
    def unit() -> Shape:
        return make_shape("unit", 1)


def make_shape(name, sides=3):
    shape = Shape(name, sides)
    bump()
    return shape


def counter():
    total = 0

    def step(by):
        nonlocal total
        total += by
        return total

    return step


squares = [x * x for x in range(10) if (y := x) > 2]
double = lambda v: v * 2
result = apply(double, len(squares))
type Pair[K, V] = tuple[K, V]
del result

try:
    make_shape("x").unit()
except ValueError as err:
    print(err)

match squares:
    case [first, *rest]:
        print(first, rest)
    case _:
        pass


def measure(base: Base):
    made = Shape("made", 4)
    return made.area(2) + len(base.describe())
