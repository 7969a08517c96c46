type Pair[T] = tuple[T, T]
class Box[T: (int, str), *Ts, **P]:
    def get[U: Sequence[T]](self, u: U) -> T: ...
def first[T](xs: list[T]) -> T:
    return xs[0]
