# Return annotations read through the module's own names (the fuzzer's file is fuzz/input.py,
# module fuzz.input), and a module attribute that is also a name.
from fuzz import input
from fuzz.input import make as again
import fuzz.input as self_module


class C:
    from fuzz.input import C as Alias

    def m(self) -> "C":
        return self

    def n(self) -> Alias:
        return self


def make() -> C | None:
    return C()


input.make().m().n().m()
again().m()
self_module.make().n()
