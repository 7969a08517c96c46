def f(c, xs):
    a = b = []
    self_ = obj = {}
    obj.get(1); a.append(b)
    while c:
        a.pop()
        a = list(xs)
        for a in xs:
            a.pop()
        else:
            a = set()
    with open(c) as fh, open(fh.name) as fh:
        fh.read()
    try:
        fh = open(c)
    finally:
        fh.close()
    if c: fh.read(); fh = None
    async def g():
        async with c() as fh:
            fh.read()
    return [fh.read() for fh in xs]
x = (y := f(1, [])); x.read(); x = y
match x:
    case {"k": x}: x.read()
