match command.split():
    case [action]:
        pass
    case ["go", direction] | ["move", direction]:
        go(direction)
    case Point(x=0, y=y) if y > 0:
        print(y)
    case {"k": v, **rest}:
        print(v, rest)
    case [1, 2, *others] as whole:
        pass
    case _:
        pass
