def ok():
    return 1


def broken(:
    return ok(
