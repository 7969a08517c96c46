class A:
    def m(self):
        return self
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        pass
class B:
    def m(self):
        pass
def f(c, xs):
    x = A()
    x.m()
    x = B()
    x.m()
    if c:
        x.m()
        x = A()
    x.m()
    y = A()
    for i in xs:
        y.m()
        y = B()
    z = A()
    z = z.m()
    with A() as w, B() as w:
        w.m()
    w = B(); w.m(); w = []; w.append(w)
    def g():
        nonlocal x
        x = B()
    x.m()
x = A()
x = B()
x.m()
#@
from m0 import *
v = A()
v = B()
v.m().m()
