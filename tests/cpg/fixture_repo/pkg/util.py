import os.path as osp
from typing import Callable

COUNT = 0


def bump(step: int = 1) -> int:
    global COUNT
    COUNT += step
    return COUNT


def join(*parts: str) -> str:
    return osp.join(*parts)


def apply(fn: Callable[[int], int], value: int) -> int:
    return fn(value)
