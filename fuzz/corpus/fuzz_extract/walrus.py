def f(data):
    if any((last := x) > 3 for x in data):
        return last
    ys = [y for x in data if (y := x * 2) > 0]
    return {k: (t := v) for k, v in data.items()}, t, ys
