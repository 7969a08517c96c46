class C[T = int, *Ts = *tuple[int, ...], **P = [str]]:
    pass
def f[T: int = bool, U: (int, str) = int, *V = None](x: T) -> T:
    return x
type A[T = dict[
    str, int], **P = ...] = list[T]
class Bad[T = , U = int = str, V]:
    pass
type S[*Ts = *tuple[int, ...], **P = [int]] = tuple[*Ts]
x = 1; type S2[T, *Ts=
 *tuple[T]] = int
