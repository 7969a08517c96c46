class C[T = int, *Ts = *tuple[int, ...], **P = [str]]:
    pass
def f[T: int = bool, U: (int, str) = int, *V = None](x: T) -> T:
    return x
type A[T = dict[
    str, int], **P = ...] = list[T]
class Bad[T = , U = int = str, V]:
    pass
