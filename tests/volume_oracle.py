"""Exact polytope volumes in pure Python (integers and fractions only), independent of Normaliz.

Lasserre's recursion in its rational form. For a bounded ``P = {x in R^n : a_i·x <= b_i}``
with one row per supporting hyperplane (no two rows with proportional ``(a_i, b_i)``),

    vol_n(P) = (1/n) · Σ_i (b_i / |a_ij|) · vol_{n-1}(π_j F_i),

where ``F_i = P ∩ {a_i·x = b_i}``, ``j`` is any coordinate with ``a_ij != 0`` and ``π_j`` drops
coordinate ``j`` (``x_j`` is eliminated with ``a_i·x = b_i``, so the facet becomes a polytope
over the other coordinates). It holds for any origin; rows with ``b_i = 0`` add nothing.

At every level the rows are put in a canonical form: rows ``0 <= b`` are dropped (or prove
the polytope empty), each row is scaled to a primitive integer vector, of rows with the same
coefficients only the tightest is kept, a row together with its opposite proves the polytope
empty or flat, and rows that hold on the whole box of the one-coordinate rows are dropped.
Coordinates that no row links split the polytope into a product of lower-dimensional ones.
Volumes are memoised on the canonical rows, and on each face of the input polytope as
(rows made equalities, coordinates kept), which finds a face again without rewriting its rows.
Empty and lower-dimensional polytopes have volume 0 (the recursion gives 0 for them too; the
checks only save work).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import gcd, lcm

# (a_1, …, a_n, b) meaning a·x <= b, in integers.
Row = tuple[int, ...]
# A face of the input polytope: the input rows (by index) made equalities, and the input
# coordinates it is projected onto.
Face = tuple[frozenset[int], tuple[int, ...]]
Number = Fraction | int


def polytope_volume(rows: Iterable[tuple[Sequence[Number], Number]], n: int) -> Fraction:
    """The exact n-dimensional volume of the bounded polytope ``{x in R^n : a·x <= b for every
    (a, b) in rows}``; 0 if it is empty or lower-dimensional. Boundedness is a precondition
    (ValueError where the recursion meets an unbounded interval)."""
    return Oracle().polytope_volume(rows, n)


def region_volume(normals: Sequence[Sequence[Number]], d: int) -> Fraction:
    """The volume of ``{u in [0,1]^d : n·u >= 0 for every normal n}``: the polytope of
    ``decisiontrees.solvers.normaliz.volume(normals, d)``."""
    return Oracle().region_volume(normals, d)


class Oracle:
    """Exact volumes. Its memo of canonical rows serves all its calls, so the regions of one
    lottery set share their common faces."""

    def __init__(self) -> None:
        self.memo: dict[tuple[Row, ...], Fraction] = {}
        self.faces: dict[Face, Fraction] = {}  # for the current input polytope only

    def polytope_volume(self, rows: Iterable[tuple[Sequence[Number], Number]], n: int
                        ) -> Fraction:
        """See the module function ``polytope_volume``."""
        if n < 1:
            raise ValueError("the dimension must be at least 1")
        integral: list[Row] = []
        for a, b in rows:
            if len(a) != n:
                raise ValueError(f"a row has {len(a)} coefficients, not {n}")
            entries = [Fraction(x) for x in (*a, b)]
            scale = lcm(*(x.denominator for x in entries))
            integral.append(tuple(int(x * scale) for x in entries))
        self.faces = {}
        return self._volume(integral, list(range(len(integral))), tuple(range(n)), frozenset())

    def region_volume(self, normals: Sequence[Sequence[Number]], d: int) -> Fraction:
        """See the module function ``region_volume``."""
        rows: list[tuple[Sequence[Number], Number]] = [([-x for x in n], 0) for n in normals]
        for i in range(d):
            unit = [int(j == i) for j in range(d)]
            rows.append(([-x for x in unit], 0))  # u_i >= 0
            rows.append((unit, 1))  # u_i <= 1
        return self.polytope_volume(rows, d)

    def _volume(self, rows: list[Row], ids: list[int], coordinates: tuple[int, ...],
                equalities: frozenset[int] | None) -> Fraction:
        """The volume of the polytope of ``rows`` (input rows ``ids``, over the input
        coordinates ``coordinates``). With ``equalities`` it is the face of the input
        polytope where those input rows hold with equality, projected onto ``coordinates``."""
        face = None if equalities is None else (equalities, coordinates)
        if face is not None and face in self.faces:
            return self.faces[face]
        canonical = _canonical(rows, ids)
        if canonical is None:
            result = Fraction(0)
        else:
            key, kept = canonical
            found = self.memo.get(key)
            if found is None:
                found = self.memo[key] = self._product(key, kept, coordinates, equalities)
            result = found
        if face is not None:
            self.faces[face] = result
        return result

    def _product(self, rows: tuple[Row, ...], ids: tuple[int, ...],
                 coordinates: tuple[int, ...], equalities: frozenset[int] | None) -> Fraction:
        """The volume as the product over groups of coordinates that no row links."""
        n = len(coordinates)
        parent = list(range(n))

        def root(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for row in rows:
            involved = [k for k in range(n) if row[k]]
            for k in involved[1:]:
                parent[root(k)] = root(involved[0])
        groups: dict[int, list[int]] = {}
        for k in range(n):
            groups.setdefault(root(k), []).append(k)
        if len(groups) == 1:
            if n == 1:
                return _interval(rows)
            return self._lasserre(rows, ids, coordinates, equalities)
        # Intervals first, then the other groups, largest last: a face of the input polytope
        # is the product of the groups' polytopes only when every other one is non-empty, so
        # only the last group, computed once the others have positive volume, stays a face.
        ordered = sorted(groups.values(), key=len)
        result = Fraction(1)
        for g, group in enumerate(ordered):
            last = g == len(ordered) - 1
            part = [(tuple(row[k] for k in group) + (row[n],), i)
                    for row, i in zip(rows, ids) if any(row[k] for k in group)]
            result *= self._volume([row for row, _ in part], [i for _, i in part],
                                   tuple(coordinates[k] for k in group),
                                   equalities if last else None)
            if result == 0:
                break
        return result

    def _lasserre(self, rows: tuple[Row, ...], ids: tuple[int, ...],
                  coordinates: tuple[int, ...], equalities: frozenset[int] | None) -> Fraction:
        n = len(coordinates)
        total = Fraction(0)
        for i, pivot in enumerate(rows):
            if pivot[n] == 0:
                continue
            j = next(k for k in range(n) if pivot[k])
            p = pivot[j]
            scale, sign = (p, 1) if p > 0 else (-p, -1)
            below = None if equalities is None else equalities | {ids[i]}
            kept = coordinates[:j] + coordinates[j + 1:]
            part = None if below is None else self.faces.get((below, kept))
            if part is None:
                facet = [
                    # x_j eliminated with pivot·(x, -1) = 0, times |p| to stay in integers
                    tuple([row[k] * scale - sign * row[j] * pivot[k] for k in range(n + 1)
                           if k != j]) if row[j] else row[:j] + row[j + 1:]
                    for k, row in enumerate(rows) if k != i]
                part = self._volume(facet, [x for k, x in enumerate(ids) if k != i], kept, below)
            if part:
                total += Fraction(pivot[n], scale) * part
        return total / n


def _canonical(rows: list[Row], ids: list[int]
               ) -> tuple[tuple[Row, ...], tuple[int, ...]] | None:
    """The rows in canonical form (see the module docstring), sorted, with the ids of the
    rows kept; None when they prove the polytope empty or lower-dimensional."""
    tightest: dict[Row, tuple[Row, int, int]] = {}  # coefficients/gcd -> (row, gcd, id)
    direction: Row = ()
    for row, identity in zip(rows, ids):
        a = row[:-1]
        g = gcd(*a)
        if g == 1:
            direction = a
        elif g == 0:
            if row[-1] < 0:
                return None  # 0 <= b fails
            continue
        else:
            direction = tuple([x // g for x in a])
            h = gcd(g, row[-1])
            if h != 1:
                row, g = tuple([x // h for x in row]), g // h
        held = tightest.get(direction)
        if held is None or row[-1] * held[1] < held[0][-1] * g:  # b / g < b' / g'
            tightest[direction] = (row, g, identity)
    if not tightest:
        raise ValueError("the polytope is unbounded")
    n = len(direction)
    # the box of the one-coordinate rows, as integer bounds over one common denominator
    scale = 1
    low: list[int | None] = [None] * n
    high: list[int | None] = [None] * n
    kept: list[tuple[Row, int]] = []
    multiple: list[tuple[Row, int]] = []
    for direction, (row, g, identity) in tightest.items():
        opposite = tightest.get(tuple([-x for x in direction]))
        if opposite is not None and row[-1] * opposite[1] + opposite[0][-1] * g <= 0:
            return None  # a·x <= b and a·x >= b' >= b: empty or flat
        if n - direction.count(0) > 1:
            multiple.append((row, identity))
        else:
            kept.append((row, identity))
            scale = lcm(scale, g)
    for row, _ in kept:  # x_k <= b / a_k if a_k > 0, x_k >= b / a_k if a_k < 0
        k = next(k for k in range(n) if row[k])
        if row[k] > 0:
            high[k] = row[-1] * (scale // row[k])
        else:
            low[k] = row[-1] * (scale // row[k])
    for row, identity in multiple:
        least: int | None = 0
        most: int | None = 0
        for x, lo, hi in zip(row, low, high):
            if x == 0:
                continue
            bottom, top = (lo, hi) if x > 0 else (hi, lo)
            if least is not None:
                least = None if bottom is None else least + x * bottom
            if most is not None:
                most = None if top is None else most + x * top
        if least is not None and least > row[-1] * scale:
            return None  # no point of the box satisfies it
        if most is None or most > row[-1] * scale:
            kept.append((row, identity))  # else every point of the box satisfies it
    kept.sort()
    return tuple(row for row, _ in kept), tuple(identity for _, identity in kept)


def _interval(rows: tuple[Row, ...]) -> Fraction:
    """The length of ``{x in R : a x <= b for every row (a, b)}``."""
    low: Fraction | None = None
    high: Fraction | None = None
    for a, b in rows:
        if a > 0:
            high = Fraction(b, a) if high is None else min(high, Fraction(b, a))
        else:
            low = Fraction(b, a) if low is None else max(low, Fraction(b, a))
    if low is None or high is None:
        raise ValueError("the polytope is unbounded")
    return max(high - low, Fraction(0))
