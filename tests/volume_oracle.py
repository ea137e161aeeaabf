"""Exact polytope volumes in pure Python (fractions only), independent of Normaliz.

Lasserre's recursion in its rational form. For a bounded ``P = {x in R^n : a_i·x <= b_i}``
whose rows are pairwise non-parallel-and-equal (one row per supporting hyperplane),

    vol_n(P) = (1/n) · Σ_i (b_i / |a_ij|) · vol_{n-1}(π_j F_i),

where ``F_i = P ∩ {a_i·x = b_i}``, ``j`` is any coordinate with ``a_ij != 0`` and ``π_j`` drops
coordinate ``j`` (the facet is rewritten over the other coordinates by eliminating ``x_j``
from ``a_i·x = b_i``). Rows with ``b_i = 0`` add nothing and are skipped. At every level the
rows are normalised (coefficients a primitive integer vector) and de-duplicated (of rows
with the same coefficients only the smallest ``b`` is kept), and faces are memoised on their
normalised rows. The answer is 0 for an empty or lower-dimensional polytope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import gcd, lcm

# A row (a_1, …, a_n, b) meaning a·x <= b: integer coefficients, rational right side.
Row = tuple[tuple[int, ...], Fraction]


def polytope_volume(rows: Iterable[tuple[Sequence[Fraction | int], Fraction | int]], n: int
                    ) -> Fraction:
    """The exact n-dimensional volume of the bounded polytope ``{x in R^n : a·x <= b for every
    (a, b) in rows}``; 0 if it is empty or lower-dimensional. ValueError if it is unbounded
    (as far as the recursion sees: boundedness is a precondition)."""
    if n < 1:
        raise ValueError("the dimension must be at least 1")
    integral: list[Row] = []
    for a, b in rows:
        if len(a) != n:
            raise ValueError(f"a row has {len(a)} coefficients, not {n}")
        fa = [Fraction(x) for x in a]
        scale = lcm(*(x.denominator for x in fa))
        integral.append((tuple(int(x * scale) for x in fa), Fraction(b) * scale))
    return _Lasserre().volume(integral, n)


def region_volume(normals: Sequence[Sequence[Fraction | int]], d: int) -> Fraction:
    """The volume of ``{u in [0,1]^d : n·u >= 0 for every normal n}``: the same polytope as
    ``decisiontrees.solvers.normaliz.volume(normals, d)``."""
    rows: list[tuple[Sequence[Fraction | int], Fraction | int]] = [
        ([-x for x in normal], 0) for normal in normals]
    for i in range(d):
        unit = [int(j == i) for j in range(d)]
        rows.append(([-x for x in unit], 0))  # u_i >= 0
        rows.append((unit, 1))  # u_i <= 1
    return polytope_volume(rows, d)


class _Lasserre:
    """One volume computation, with its memo of faces (normalised rows -> volume)."""

    def __init__(self) -> None:
        self.memo: dict[tuple[Row, ...], Fraction] = {}

    def volume(self, rows: list[Row], n: int) -> Fraction:
        key = _normalise(rows, n)
        if key is None:
            return Fraction(0)
        if key in self.memo:
            return self.memo[key]
        result = _interval(key) if n == 1 else self._recurse(key, n)
        self.memo[key] = result
        return result

    def _recurse(self, rows: tuple[Row, ...], n: int) -> Fraction:
        total = Fraction(0)
        for i, (a, b) in enumerate(rows):
            if b == 0:
                continue
            j = next(k for k, x in enumerate(a) if x)  # the first coordinate it involves
            facet = [_eliminate(row, a, b, j) for k, row in enumerate(rows) if k != i]
            total += b / abs(a[j]) * self.volume(facet, n - 1)
        return total / n


def _eliminate(row: Row, pivot: tuple[int, ...], pivot_b: Fraction, j: int) -> Row:
    """``row`` on the hyperplane ``pivot·x = pivot_b``, over the coordinates other than j
    (x_j eliminated), scaled by |pivot_j| > 0 so the coefficients stay integers."""
    a, b = row
    p = pivot[j]
    sign = 1 if p > 0 else -1
    c = a[j]
    coefficients = tuple((a[k] * p - c * pivot[k]) * sign for k in range(len(a)) if k != j)
    return coefficients, (b * p - c * pivot_b) * sign


def _normalise(rows: Iterable[Row], n: int) -> tuple[Row, ...] | None:
    """The rows in canonical form: trivial rows dropped, each row scaled to primitive integer
    coefficients, one row (the tightest) per coefficient vector, and rows redundant over the
    box of the single-coordinate rows dropped; sorted. None when the polytope is certainly
    empty or lower-dimensional (volume 0)."""
    tightest: dict[tuple[int, ...], Fraction] = {}
    for a, b in rows:
        g = gcd(*a)
        if g == 0:
            if b < 0:
                return None  # 0 <= b fails: empty
            continue
        if g != 1:
            a, b = tuple(x // g for x in a), b / g
        if a not in tightest or b < tightest[a]:
            tightest[a] = b
    for a, b in tightest.items():
        opposite = tightest.get(tuple(-x for x in a))
        if opposite is not None and b + opposite <= 0:
            return None  # a·x <= b and a·x >= -opposite >= b: empty or flat
    low: list[Fraction | None] = [None] * n
    high: list[Fraction | None] = [None] * n
    for a, b in tightest.items():
        nonzero = [k for k, x in enumerate(a) if x]
        if len(nonzero) == 1:  # primitive, so a_k = ±1
            k = nonzero[0]
            if a[k] > 0:
                high[k] = b
            else:
                low[k] = -b
    kept: list[Row] = []
    for a, b in tightest.items():
        if sum(1 for x in a if x) == 1:
            kept.append((a, b))
            continue
        least = _extreme(a, low, high, lowest=True)
        if least is not None and least > b:
            return None  # no point of the box satisfies it
        most = _extreme(a, low, high, lowest=False)
        if most is not None and most <= b:
            continue  # every point of the box satisfies it
        kept.append((a, b))
    if not _tighten(kept, low, high):
        return None
    return tuple(sorted(kept))


def _extreme(a: tuple[int, ...], low: list[Fraction | None], high: list[Fraction | None],
             lowest: bool) -> Fraction | None:
    """min (or max) of a·x over the box low <= x <= high; None if unbounded."""
    total = Fraction(0)
    for x, lo, hi in zip(a, low, high):
        if x == 0:
            continue
        bound = lo if (x > 0) == lowest else hi
        if bound is None:
            return None
        total += x * bound
    return total


def _tighten(rows: list[Row], low: list[Fraction | None], high: list[Fraction | None],
             passes: int = 2) -> bool:
    """Bounds propagation (each row bounds each of its coordinates given the others' bounds):
    False when it proves the polytope empty or lower-dimensional. A sound test, not complete;
    the recursion is exact either way."""
    low, high = list(low), list(high)
    for _ in range(passes):
        for a, b in rows:
            for k, x in enumerate(a):
                if x == 0:
                    continue
                rest = Fraction(0)
                for m, (y, lo, hi) in enumerate(zip(a, low, high)):
                    if m == k or y == 0:
                        continue
                    bound = lo if y > 0 else hi
                    if bound is None:
                        break
                    rest += y * bound
                else:
                    limit = (b - rest) / x  # x·x_k <= b - rest
                    if x > 0:
                        if high[k] is None or limit < high[k]:  # type: ignore[operator]
                            high[k] = limit
                    elif low[k] is None or limit > low[k]:  # type: ignore[operator]
                        low[k] = limit
                    lo_k, hi_k = low[k], high[k]
                    if lo_k is not None and hi_k is not None and lo_k >= hi_k:
                        return False
    return True


def _interval(rows: tuple[Row, ...]) -> Fraction:
    """The length of ``{x in R : a x <= b for every row}``."""
    low: Fraction | None = None
    high: Fraction | None = None
    for (a,), b in rows:
        if a > 0:
            high = b / a if high is None else min(high, b / a)
        else:
            low = b / a if low is None else max(low, b / a)
    if low is None or high is None:
        raise ValueError("the polytope is unbounded")
    return max(high - low, Fraction(0))
