class C:
    def __enter__(self):
        return self
    async def __aenter__(self):
        return self
    def gen(self):
        yield self
        return self
    def mixed(self, c):
        if c:
            return C()
        return self
    def made(self):
        return C(1)
    def bare(self):
        return
def f(p):
    with C() as a, C() as (b, c), C() as d.e, (C() as g):
        a.made().gen()
    with (C() as h, C() as match):
        pass
    async def inner():
        async with C() as i:
            return i
    return C()
lambda: (yield)
def g():
    return (yield)
