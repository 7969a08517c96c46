def broken(:
    return )
class X(
    x = [1, 2
lambda: (yield
print "old"
