"""Lawrence's signed decomposition of a polytope into simplices, for exact integrals.

Let ``P`` be a full-dimensional polytope and ``ω`` a direction orthogonal to none of the
generators below. For each vertex ``v``, triangulate its normal cone (spanned by the inner
normals of the facets through ``v``); each simplicial cone ``σ`` of that triangulation gives
the simplicial cone ``C_σ = {x : a·x >= 0 for a in σ}``, which holds ``P − v``. Reverse every
generator ``g`` of ``C_σ`` with ``ω·g > 0`` (``f_σ`` of them) and cut the result by
``H = {x : ω·x >= min_P ω·x}``: a simplex ``Δ_σ`` with apex ``v``. Then, almost everywhere,

    [P] = Σ_v Σ_σ (−1)^(f_σ) [Δ_σ],

so ``∫_P h = Σ ± ∫_{Δ_σ} h`` for every integrable ``h``. Why: by Brion's theorem the
exponential integral ``∫_P e^(c·x)`` is the sum of those of the vertex cones ``v + K_v``;
polarity of cones is a valuation, so triangulating the normal cone splits ``K_v`` into the
``C_σ`` up to cones that contain a line, whose exponential integral is 0; reversing one
generator of a simplicial cone changes the sign of its exponential integral. So
``∫ ([P] − Σ ± [v + C̃_σ]) e^(c·x) dx = 0`` for every ``c`` near ``ω``, where all of these
integrals converge; a function whose Laplace transform vanishes on an open set is 0 almost
everywhere; and every ``v + C̃_σ`` lies below ``ω·v``, so ``H`` bounds it without cutting ``P``.

References: J. Lawrence, "Polytope volume computation", Math. Comp. 57 (1991) 259–271;
M. Brion, "Points entiers dans les polyèdres convexes", Ann. Sci. ENS 21 (1988); the dual
triangulation of vertex cones is the one Barvinok's algorithm uses (LattE). Optimality
regions have few facets and many vertices, most of them simple (one cone each): 416
simplices against the 1,923 of Normaliz's triangulation over a 6-outcome tree's regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import chain, count
from math import gcd

from decisiontrees import limits
from decisiontrees.analyses.cubature import WholeSimplex, whole_determinant
from decisiontrees.errors import CrossCheckFailed
from decisiontrees.solvers import normaliz

Cone = tuple[int, tuple[tuple[int, ...], ...], int]  # vertex, whole generators, |det|


def signed_simplices(normals: Sequence[Sequence[Fraction]], d: int,
                     offsets: Sequence[Fraction] | None = None) -> list[WholeSimplex]:
    """The signed simplices of the polytope ``{u ∈ [0,1]^d : n·u + c >= 0}`` (as in
    solvers.normaliz); [] when it is lower-dimensional."""
    vertices, facets = normaliz.vertices_and_facets(normals, d, offsets)
    if not vertices:
        return []
    cones: list[Cone] = []
    for k, vertex in enumerate(vertices):
        limits.check("decomposing a region into simplices")
        through = [facet[:-1] for facet in facets if _dot(facet, vertex) == 0]
        if len(through) < d:
            raise CrossCheckFailed("a vertex of a region lies on fewer than d of its facets")
        parts = [through] if len(through) == d else normaliz.cone_triangulation(through)
        for rows in parts:
            generators = _inverse_columns(rows)
            cones.append((k, generators, abs(whole_determinant(generators))))
    omega = _generic_direction([g for _, generators, _ in cones for g in generators], d)
    heights = [Fraction(_dot(omega, v), v[-1]) for v in vertices]
    lowest = min(heights)
    found = []
    for k, generators, size in cones:
        if heights[k] != lowest:  # the lowest vertex's simplices are flat
            found.append(_cut(vertices[k], generators, size, omega, lowest - heights[k]))
    return found


def _dot(a: Sequence[int], b: Sequence[int]) -> int:
    return sum(x * y for x, y in zip(a, b))


def _inverse_columns(rows: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """The columns of ``rows⁻¹``, each scaled by a positive number to coprime whole numbers:
    the generators of ``{x : a·x >= 0 for every row a}``. Fraction-free Gauss–Jordan
    elimination (Bareiss): every division is exact, and ``[rows | I]`` ends as
    ``[δ·I | δ·rows⁻¹]`` with ``δ = ±det``."""
    n = len(rows)
    matrix = [[*row, *(int(i == j) for j in range(n))] for i, row in enumerate(rows)]
    previous = 1
    for k in range(n):
        pivot = next((r for r in range(k, n) if matrix[r][k]), None)
        if pivot is None:
            raise CrossCheckFailed("a simplicial normal cone is not full-dimensional")
        matrix[k], matrix[pivot] = matrix[pivot], matrix[k]
        lead, row_k = matrix[k][k], matrix[k]
        for i in range(n):
            if i != k:
                factor = matrix[i][k]
                matrix[i] = [(lead * a - factor * b) // previous
                             for a, b in zip(matrix[i], row_k)]
        previous = lead
    sign = 1 if previous > 0 else -1
    columns = []
    for k in range(n):
        column = [sign * matrix[i][n + k] for i in range(n)]
        divisor = gcd(*column)
        columns.append(tuple(x // divisor for x in column))
    return tuple(columns)


def _generic_direction(generators: Sequence[Sequence[int]], d: int) -> tuple[int, ...]:
    """A direction orthogonal to no generator: ``(1, 2, …, d)`` when it is one (on
    optimality regions it gave the smallest numbers of the directions tried, see
    benchmarks/RESULTS.md), else ``(1, t, t², …)`` for the least such ``t >= 2``: each
    generator rules out at most d − 1 values of ``t`` (the roots of a nonzero polynomial),
    so the search ends."""
    distinct = set(map(tuple, generators))
    candidates = chain([tuple(range(1, d + 1))],
                       (tuple(t ** i for i in range(d)) for t in count(2)))
    return next(omega for omega in candidates if all(_dot(omega, g) for g in distinct))


def _cut(vertex: Sequence[int], generators: Sequence[Sequence[int]], size: int,
         omega: Sequence[int], drop: Fraction) -> WholeSimplex:
    """The simplex with apex ``vertex`` (whole, last entry its denominator) along the
    generators, each reversed to point down in ``omega``, cut where ``omega·x`` has changed
    by ``drop`` (negative: the lowest level minus the apex's); ``size`` is ``|det|`` of the
    generators."""
    *x, q = vertex
    fall, scale = drop.numerator, drop.denominator  # drop = fall / scale, fall < 0
    rows, denominators = [tuple(x)], [q]
    sign = 1
    jacobian = Fraction(size)
    for g in generators:
        slope = _dot(omega, g)
        if slope > 0:
            g, slope, sign = [-a for a in g], -slope, -sign
        # x/q + t·g with t = drop / slope > 0
        numerator = [a * scale * slope + fall * b * q for a, b in zip(x, g)]
        denominator = q * scale * slope
        if denominator < 0:
            numerator, denominator = [-a for a in numerator], -denominator
        divisor = gcd(denominator, *numerator)
        rows.append(tuple(a // divisor for a in numerator))
        denominators.append(denominator // divisor)
        jacobian *= Fraction(fall, scale * slope)
    return WholeSimplex(tuple(rows), tuple(denominators), jacobian, sign)

