name = "x"
width = 10
print(f"{name!r:>{width}} {name=} {'nested' + f'{width:{width}}'}")
print(f"""{
    (lambda y: y * 2)(width)
}""")
