class C:
    def m(self, a):
        x = (a.
b)
        y = [a,  # comment (
# left comment
  f"{a['(']!r:>{x}}" + """(
""", b'\\(',
 rb'\'' ]
        z = call(k=
a) + \
    1
        return x, y, z
    def n(self):
        broken(:
        w = {1:
2}
