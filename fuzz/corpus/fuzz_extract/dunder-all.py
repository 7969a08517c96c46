# `__all__` read from literals, and star imports of the fuzzer's own module (fuzz.input).
from fuzz.input import *
from os import *

__all__ = ["a", 'b', r"c", """d"""]
__all__ += ("e",)
__all__.extend(["f", "g"])
__all__.append("h")
if __all__:
    __all__ = __all__ + [f"{x}" for x in "ij"]
__all__ *= 1


def a():
    return open(a)


def f():
    global __all__
    del __all__
