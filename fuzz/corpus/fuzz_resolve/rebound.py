import sys
if sys.platform == "win32":
    def join(a):
        return a
else:
    def join(a):
        return a + a
try:
    from _accel import fast
except ImportError:
    def fast(x):
        return x


class Meta(type):
    def __call__(cls, *args):
        return cls


class Base(metaclass=Meta):
    def show(self):
        return self.render()

    def render(self):
        return 1


class Child(Base):
    render = Base.show
    show = join
#@
from m0 import *
from pkg.m2 import Child as C
Child().show()
C().render()
join("a")
fast(1)
def S_ISDIR(mode):
    return mode
#@
from m1 import *
from . import m2
S_ISDIR(0)
#@
from m0 import Child, join
join = Child
join().show()
def f(join=None):
    if join is None:
        def join():
            return 0
    return join()
