class A:
    def m(self):
        return A().m()

    def n(self):
        return self


a = A()
a.m()
A().n().m()
x = x.m()
y = A
y().m()
z = A()
del z
z.m()


def f():
    b = A()
    b.m().n()
    c = c()
    c.m()
    d: A = A()
    d.n()
    for e in []:
        e = A()
    e.m()
    (g := A()).m()
    global a
    a = None
