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


def g(p: A, q: "A | None", r: Optional[A], s: list[A], t: A = A()):
    p.m()
    q.n().m()
    r.m()
    s.m()
    t = t.m()
    u: A = A()
    u.m()
    v: A
    v = A()
    v.m()


class B:
    a: A
    b: "A | None" = None
    c = None

    def __init__(self, other):
        self.d = A()
        self.c = A()
        other.e = A()
        self.d.m().n()

    def f(self):
        self.a.m()
        self.b.n()
        self.c.m()
        self.d.m()
        self.d.x.y.z()

    @staticmethod
    def g(self):
        self.h = A()
        self.h.m()


def literals(s: str, xs: list[int], t: type[A], str=None):
    ", ".join(xs)
    b"".decode()
    rb"".hex()
    t"x{s}".strings
    [x for x in xs].copy()
    {k: 1 for k in xs}.items()
    {1, 2}.union()
    (1,).index(1)
    seen = set()
    seen.add(1)
    s.split()
    t.mro()
    y: str = ""
    y.upper()


def made() -> A:
    return A()


def loop() -> "loop":
    return loop()


def returns():
    made().m()
    loop().m()
    made().n().m()


class P:
    @property
    def a(self) -> A:
        return A()

    @property
    def p(self) -> "P":
        return self

    def f(self):
        self.a.m()
        self.p.p.a.m()
        self.a()


class Q(A):
    @classmethod
    def make(cls):
        q = cls()
        q.m()
        return cls().n()

    def __new__(cls):
        return cls.__new__(cls)

    def __call__(self):
        return self()
