"""Exact cubature of ``(w·u) Π_i g(u_i)`` over simplices.

The Grundmann–Möller rule of the integrand's degree has rational points and weights, so it
is exact. Evaluated in whole numbers, one level of the rule over one simplex is a sum of
products of integers; :func:`cubature_total` computes those sums for many simplices at once
with numpy, modulo primes below 2^25, and puts each back together by the Chinese remainder
theorem, with enough primes that their product exceeds twice a bound on the sum's size — so
the result is the exact integer, not an estimate. The residues are held in float64, where
every product of two of them is a whole number below 2^52 and so exact (numpy's float
arithmetic is about three times as fast as its int64 remainder). :func:`cubature_integral` is the same rule
in Python integers for one simplex (the reference the tests compare with).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from math import comb, factorial, gcd, lcm, prod
from operator import mul
from typing import Any

from decisiontrees import limits
from decisiontrees.errors import CrossCheckFailed, RefusedError
from decisiontrees.model.laws import Univariate

UNIFORM: Univariate = (Fraction(1),)
WORD = 1 << 62  # whole coordinates times a level's denominator stay below this in int64
CHUNK_ELEMENTS = 1 << 14  # (simplex, point) pairs evaluated at once: arrays that stay in cache
# points of the rule (built in memory; one level's are evaluated at once for a simplex, and
# its float sums stay exact below 2^26 terms): Beta(2, 2) over 10 outcomes has 352,716
MAX_RULE_POINTS = 1 << 20


@dataclass(frozen=True)
class WholeSimplex:
    """A simplex given by whole numbers: vertex ``k`` is ``rows[k] / denominators[k]``, and
    ``jacobian`` is ``|det(v_1 − v_0, …, v_n − v_0)|`` (n! times its volume). ``sign`` is −1
    for a simplex that a signed decomposition subtracts."""

    rows: tuple[tuple[int, ...], ...]
    denominators: tuple[int, ...]
    jacobian: Fraction
    sign: int = 1

    @cached_property
    def extents(self) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        """The vertices' common denominator ``c`` and, for each coordinate, the largest
        ``|e|`` and ``|c − e|`` over the vertices' whole coordinates ``e`` (over ``c``)."""
        common = lcm(*self.denominators)
        columns = list(zip(*(tuple(x * (common // q) for x in row)
                             for row, q in zip(self.rows, self.denominators))))
        return (common, tuple(max(map(abs, column)) for column in columns),
                tuple(max(abs(common - e) for e in column) for column in columns))


@cache
def grundmann_moller(n: int, s: int) -> tuple[tuple[Fraction, int, tuple[tuple[int, ...], ...]],
                                               ...]:
    """Grundmann & Möller's rule of degree ``2s + 1`` on the n-simplex (SIAM J. Numer. Anal.
    15, 1978), by levels ``i = 0 … s``: the weight (for the simplex of volume 1/n!), the
    common denominator ``n + 1 + 2(s − i)`` of the points' barycentric coordinates, and
    their numerators ``2β_j + 1`` for every ``β`` in ``N^(n+1)`` with ``|β| = s − i``.
    Rational points and weights (some negative): exact for every polynomial of degree at
    most ``2s + 1`` (tests/test_volumes.py checks it on monomials)."""
    levels = []
    for i in range(s + 1):
        denominator = n + 1 + 2 * (s - i)
        weight = Fraction((-1) ** i * denominator ** (2 * s + 1),
                          2 ** (2 * s) * factorial(i) * factorial(n + 1 + 2 * s - i))
        points = tuple(tuple(2 * b + 1 for b in beta) for beta in compositions(s - i, n + 1))
        levels.append((weight, denominator, points))
    return tuple(levels)


def rule_for(n: int, degree: int) -> tuple[tuple[Fraction, int, tuple[tuple[int, ...], ...]],
                                            ...]:
    """The Grundmann–Möller rule exact for ``degree`` on the n-simplex, refused (before it is
    built) when it would have more than ``MAX_RULE_POINTS`` points."""
    s = degree // 2
    points = comb(s + n + 1, n + 1)  # Σ_i C(s − i + n, n) over its levels
    if points > MAX_RULE_POINTS:
        raise RefusedError(
            f"exact integration of a polynomial of degree {degree} over {n} outcomes would "
            f"evaluate {points:,} points of a cubature rule per simplex, more than "
            f"{MAX_RULE_POINTS:,}; ask for a Monte Carlo estimate (samples = N)")
    return grundmann_moller(n, s)


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ``parts`` whole numbers summing to ``total`` (stars and bars)."""
    for bars in itertools.combinations(range(total + parts - 1), parts - 1):
        edges = (-1, *bars, total + parts - 1)
        yield tuple(b - a - 1 for a, b in zip(edges, edges[1:]))


def determinant(matrix: list[list[Any]]) -> Any:
    """The determinant by Gaussian elimination (exact for Fractions; ``matrix`` is changed)."""
    n = len(matrix)
    result: Any = Fraction(1)
    for column in range(n):
        pivot = next((r for r in range(column, n) if matrix[r][column]), None)
        if pivot is None:
            return Fraction(0)
        if pivot != column:
            matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
            result = -result
        result *= matrix[column][column]
        for r in range(column + 1, n):
            factor = matrix[r][column] / matrix[column][column]
            if factor:
                for c in range(column, n):
                    matrix[r][c] -= factor * matrix[column][c]
    return result


def whole_determinant(matrix: Sequence[Sequence[int]]) -> int:
    """The determinant of a whole-number matrix by fraction-free elimination (Bareiss)."""
    a = [list(row) for row in matrix]
    n = len(a)
    sign, previous = 1, 1
    for k in range(n - 1):
        if a[k][k] == 0:
            swap = next((r for r in range(k + 1, n) if a[r][k] != 0), None)
            if swap is None:
                return 0
            a[k], a[swap] = a[swap], a[k]
            sign = -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                a[i][j] = (a[i][j] * a[k][k] - a[i][k] * a[k][j]) // previous
        previous = a[k][k]
    return sign * a[n - 1][n - 1]


def whole_simplices(generators: Sequence[Sequence[int]],
                    simplices: Sequence[Sequence[int]]) -> list[WholeSimplex]:
    """Simplices from vertices ``(x_1 … x_n, q)`` (the point ``x/q``) and index lists, with
    their jacobians computed here (``|det|`` of the rows ``(x, q)`` over ``Π q``)."""
    found = []
    for indices in simplices:
        rows = [generators[k] for k in indices]
        denominators = tuple(row[-1] for row in rows)
        if 0 in denominators:
            raise CrossCheckFailed("a simplex of the triangulation has a vertex at infinity")
        jacobian = Fraction(abs(whole_determinant(rows)), abs(prod(denominators)))
        if jacobian:
            found.append(WholeSimplex(tuple(tuple(row[:-1]) for row in rows), denominators,
                                      jacobian))
    return found


def _whole(values: Sequence[Fraction]) -> tuple[int, list[int]]:
    """A common denominator of ``values`` and their numerators over it."""
    scale = lcm(*(v.denominator for v in values))
    return scale, [int(v * scale) for v in values]


def cubature_integral(vertices: list[list[Fraction]], density: Univariate,
                      weight: Sequence[Fraction] | None) -> Fraction:
    """``∫ (w·u) Π_i g(u_i) du`` over one simplex with rational vertices (without
    ``weight`` the factor ``w·u`` is 1), exactly: see :func:`cubature_integrals`."""
    mass, weighted = cubature_integrals(vertices, density, weight)
    return mass if weighted is None else weighted


def cubature_integrals(vertices: list[list[Fraction]], density: Univariate,
                       weight: Sequence[Fraction] | None) -> tuple[Fraction, Fraction | None]:
    """``∫ Π_i g(u_i) du`` and, with ``weight``, ``∫ (w·u) Π_i g(u_i) du`` over one simplex
    with rational vertices, exactly, from the same points of the Grundmann–Möller rule of
    the integrand's degree, in whole numbers: with ``L`` the common denominator of the
    vertices and ``M = L·den`` a level's, every point's coordinate is ``X/M`` for a whole
    ``X``, and ``g(X/M) = G(X)/(C·M^K)`` with ``G`` whole."""
    n = len(vertices) - 1
    origin = vertices[0]
    jacobian = abs(determinant([[v[i] - origin[i] for i in range(n)] for v in vertices[1:]]))
    if jacobian == 0:
        return Fraction(0), None if weight is None else Fraction(0)
    degree_g = len(density) - 1
    degree = degree_g * n + (1 if weight is not None else 0)
    common = lcm(*(x.denominator for v in vertices for x in v))
    whole = [[int(x * common) for x in v] for v in vertices]
    scale_g, g = _whole(density)
    scale_w, w = _whole(weight) if weight is not None else (1, [])
    columns = [[v[i] for v in whole] for i in range(n)]
    mass, weighted = Fraction(0), Fraction(0)
    for level_weight, denominator, points in rule_for(n, degree):
        m = common * denominator
        powers = [m ** k for k in range(degree_g + 1)]
        scaled = [g[k] * powers[degree_g - k] for k in range(degree_g)]  # g_k M^(K−k)
        level, level_weighted = 0, 0
        for numerators in points:
            xs = [sum(map(mul, numerators, column)) for column in columns]
            term = 1
            for x in xs:
                value = g[degree_g]
                for k in range(degree_g - 1, -1, -1):
                    value = value * x + scaled[k]
                term *= value
            level += term
            if weight is not None:
                level_weighted += term * sum(map(mul, w, xs))
        scale = (scale_g * powers[degree_g]) ** n
        mass += level_weight * Fraction(level, scale)
        weighted += level_weight * Fraction(level_weighted, scale * scale_w * m)
    return jacobian * mass, None if weight is None else jacobian * weighted


PRIME_BITS = 25  # values in (−2p, 2p): a product of two is below 2^52, exact in float64


@cache
def _primes(count: int) -> tuple[int, ...]:
    """The ``count`` largest primes below ``2^PRIME_BITS``."""
    found: list[int] = []
    candidate = (1 << PRIME_BITS) - 1
    while len(found) < count:
        if _is_prime(candidate):
            found.append(candidate)
        candidate -= 2
    return tuple(found)


def _is_prime(n: int) -> bool:
    """Miller–Rabin with the bases 2, 7 and 61, which decide every n below 4,759,123,141
    (Jaeschke 1993)."""
    if n < 2 or n % 2 == 0:
        return n == 2
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in (2, 7, 61):
        if a % n == 0:
            continue
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _enough_primes(bound: int) -> tuple[int, ...]:
    """Primes whose product exceeds ``2·bound``, so a residue names one integer in
    ``[−bound, bound]``."""
    count = max(1, (2 * bound).bit_length() // (PRIME_BITS - 1) + 1)
    primes = _primes(count)
    while prod(primes) <= 2 * bound:
        count += 1
        primes = _primes(count)
    return primes


def cubature_total(simplices: Sequence[WholeSimplex], density: Univariate,
                   weight: Sequence[Fraction] | None) -> Fraction:
    """``Σ_simplices ± ∫ (w·u) Π_i g(u_i) du`` (each simplex's ``sign``; without ``weight``
    the factor ``w·u`` is 1), exactly: see :func:`cubature_totals`."""
    mass, weighted = cubature_totals(simplices, density, weight)
    return mass if weighted is None else weighted


def cubature_totals(simplices: Sequence[WholeSimplex], density: Univariate,
                    weight: Sequence[Fraction] | None) -> tuple[Fraction, Fraction | None]:
    """``Σ_simplices ± ∫ Π_i g(u_i) du`` and, with ``weight``, ``Σ ± ∫ (w·u) Π_i g(u_i) du``
    from the same points (each simplex's ``sign``), exactly: the rule of
    :func:`cubature_integral`, each level's sums of whole numbers computed modulo primes,
    many simplices at a time.

    Over a simplex whose vertices are ``e_k / c`` with whole ``e_k`` and common denominator
    ``c``, a point's whole coordinate ``X_i`` (over ``M = c·den``) is at most ``den·max|e_i|``
    and ``M − X_i`` at most ``den·max|c − e_i|`` in size (the point is a mixture of the
    vertices), which bounds every term (:func:`_magnitude`). A simplex whose whole
    coordinates could leave int64 is integrated alone in Python integers."""
    import numpy as np

    if not simplices:
        return Fraction(0), None if weight is None else Fraction(0)
    n = len(simplices[0].rows) - 1
    rule = rule_for(n, n * (len(density) - 1) + (weight is not None))
    factored = _Factored.of(density)
    scale_w, w = _whole(weight) if weight is not None else (1, [])
    mass, weighted = Fraction(0), Fraction(0)
    batch: list[tuple[int, int, int, WholeSimplex]] = []
    for simplex in simplices:
        size, common, magnitude, spread = _magnitude(simplex, factored,
                                                     w if weight is not None else None)
        if size * rule[0][1] < WORD:
            batch.append((magnitude * max(spread, 1), magnitude, spread, simplex))
        else:
            limits.check("integrating over simplices")
            part, part_weighted = cubature_integrals(
                [[Fraction(x, d) for x in row] for row, d in
                 zip(simplex.rows, simplex.denominators)], density, weight)
            mass += simplex.sign * part
            if part_weighted is not None:
                weighted += simplex.sign * part_weighted
    batch.sort(key=lambda entry: entry[0])  # similar sizes together: fewer primes per chunk
    commons = [lcm(*simplex.denominators) for *_, simplex in batch]
    rows = _whole_rows(list(zip(commons, (simplex for *_, simplex in batch))))
    # a level's sum over a simplex is over (scale_g·(c·den)^deg_g)^n, times the weight's
    # scale_w·c·den: the parts that depend on the level alone are summed in whole numbers
    # first (over a common denominator), the rest once per simplex
    degree = n * factored.degree
    per_level = [level_weight / denominator ** degree for level_weight, denominator, _ in rule]
    per_level_weighted = [a / denominator for a, (_, denominator, _) in zip(per_level, rule)]
    common_level = lcm(*(a.denominator for a in per_level))
    common_weighted = lcm(*(a.denominator for a in per_level_weighted))
    sums = [0] * len(batch)
    weighted_sums = [0] * len(batch)
    for (_, denominator, points), a, b in zip(rule, per_level, per_level_weighted):
        numerators = np.array(points, dtype=np.int64)  # point, vertex: once per level
        per_chunk = max(1, CHUNK_ELEMENTS // len(points))
        for start in range(0, len(batch), per_chunk):
            limits.check("integrating over simplices")
            chunk = batch[start:start + per_chunk]
            bound = len(points) * denominator ** degree * max(
                magnitude * max(denominator * spread, 1) for _, magnitude, spread, _ in chunk)
            found, found_weighted = _level_sums(rows[start:start + per_chunk],
                                                commons[start:start + per_chunk], bound,
                                                factored, w if weight is not None else None,
                                                denominator, numerators)
            times = int(a * common_level)
            for k, value in enumerate(found, start):
                sums[k] += times * value
            if found_weighted is not None:
                times = int(b * common_weighted)
                for k, value in enumerate(found_weighted, start):
                    weighted_sums[k] += times * value
    for (*_, simplex), common, value, value_weighted in zip(batch, commons, sums,
                                                            weighted_sums):
        scale = factored.scale ** n * common ** degree
        factor = simplex.sign * simplex.jacobian * factored.constant ** n
        mass += factor * Fraction(value, scale * common_level)
        if weight is not None:
            weighted += factor * Fraction(value_weighted,
                                          scale * common_weighted * scale_w * common)
    return mass, None if weight is None else weighted


def _magnitude(simplex: WholeSimplex, factored: _Factored, weight: Sequence[int] | None
               ) -> tuple[int, int, int, int]:
    """For a simplex with vertices ``e_k / c`` (whole ``e_k``, common denominator ``c``):
    ``max(c, |e|, |c − e|)`` over its entries (whole coordinates stay below that times a
    level's denominator ``den``), ``c``, ``K`` such that every term of a level sum without
    the weight is at most ``den^degree · K`` in size, and ``W`` such that ``|W·X|`` is at
    most ``den · W`` (0 without a weight): with ``x_i = max_k |e_ki|`` and
    ``y_i = max_k |c − e_ki|``, ``K = Π_i x_i^a y_i^b Σ|r| max(x_i, c)^deg R`` and
    ``W = Σ_i |w_i| x_i``."""
    common, largest, farthest = simplex.extents
    magnitude = 1
    rest = sum(map(abs, factored.rest)) if factored.rest else 1
    for x, y in zip(largest, farthest):
        magnitude *= x ** factored.zeros * y ** factored.ones * rest * \
            max(x, common) ** max(len(factored.rest) - 1, 0)
    spread = sum(abs(w) * x for w, x in zip(weight, largest)) if weight is not None else 0
    return max(common, *largest, *farthest), common, magnitude, spread


def work(simplices: Sequence[WholeSimplex], density: Univariate,
         weight: Sequence[Fraction] | None) -> int:
    """A prediction of what :func:`cubature_totals` costs on ``simplices``: for each, the
    primes its level sums need (from the same bound) times the rule's points; a simplex that
    takes the Python path counts 100 times (measured: about 50–100 times slower)."""
    if not simplices:
        return 0
    n = len(simplices[0].rows) - 1
    rule = rule_for(n, n * (len(density) - 1) + (weight is not None))
    factored = _Factored.of(density)
    w = _whole(weight)[1] if weight is not None else None
    total = 0
    for simplex in simplices:
        size, _, magnitude, spread = _magnitude(simplex, factored, w)
        total += _simplex_work(rule, n * factored.degree, magnitude * max(rule[0][1] * spread, 1),
                               size)
    return total


def work_in_cube(commons: Sequence[int], n: int, density: Univariate) -> int:
    """:func:`work` (without a weight) on simplices inside the unit cube with these common
    denominators ``c``, taking every coordinate's extent to be ``c``: the most it can be
    there, and what it is on a triangulation whose simplices reach from 0 to 1 in every
    coordinate — an estimate that needs no simplex built."""
    rule = rule_for(n, n * (len(density) - 1))
    factored = _Factored.of(density)
    rest = sum(map(abs, factored.rest)) if factored.rest else 1
    degree = n * factored.degree
    return sum(_simplex_work(rule, degree, rest ** n * c ** degree, c) for c in commons)


def _simplex_work(rule: Sequence[tuple[Fraction, int, Sequence[Any]]], degree: int,
                  magnitude: int, size: int) -> int:
    points = sum(len(level[2]) for level in rule)
    largest: int = rule[0][1]  # the level-0 denominator, the largest
    bound: int = points * largest ** degree * magnitude
    primes = bound.bit_length() // (PRIME_BITS - 1) + 1
    return points * primes * (1 if size * largest < WORD else 100)


@dataclass(frozen=True)
class _Factored:
    """A density as ``scale · g(x) = constant · x^zeros (1 − x)^ones · R(x)`` with whole
    coefficients: every law the spec language makes exact (``power``, ``beta``) has ``R = 1``,
    so a point costs two products per coordinate."""

    scale: int
    degree: int
    zeros: int
    ones: int
    constant: int
    rest: tuple[int, ...]  # R's coefficients, constant first, when it is not constant

    @staticmethod
    def of(density: Univariate) -> _Factored:
        scale, coefficients = _whole(density)
        if not any(coefficients):
            raise ValueError("the density is the zero polynomial")
        zeros = next(k for k, c in enumerate(coefficients) if c)
        remainder = coefficients[zeros:]
        ones = 0
        while len(remainder) > 1 and sum(remainder) == 0:  # a root at 1: divide by (1 − x)
            quotient = [0] * (len(remainder) - 1)
            carry = 0
            for k in range(len(remainder) - 1):  # r(x) = (1 − x) t(x): t_k = Σ_{j<=k} r_j
                carry += remainder[k]
                quotient[k] = carry
            remainder, ones = quotient, ones + 1
        constant = gcd(*remainder) if len(remainder) > 1 else remainder[0]
        rest = tuple(c // constant for c in remainder) if len(remainder) > 1 else ()
        return _Factored(scale, len(coefficients) - 1, zeros, ones, constant, rest)


def _whole_rows(batch: Sequence[tuple[int, WholeSimplex]]) -> Any:
    """Each simplex's vertices over its common denominator: an int64 array indexed by
    simplex, vertex and coordinate."""
    import numpy as np

    return np.array([[[x * (common // d) for x in row] for row, d in zip(s.rows, s.denominators)]
                     for common, s in batch], dtype=np.int64)


def _level_sums(rows: Any, commons: Sequence[int], bound: int, factored: _Factored,
                weight: Sequence[int] | None, denominator: int, numerators: Any
                ) -> tuple[list[int], list[int] | None]:
    """For each simplex, the whole numbers ``Σ_points Π_i X_i^a (M − X_i)^b R(X_i, M)`` and,
    with a weight, the same sum with every term times ``W·X``, of one level of the rule
    (``numerators``: its points, an int64 array indexed by point and vertex), with ``R``
    homogenised and ``W`` the whole weight; each sum is at most ``bound`` in size.

    Modulo each prime ``p`` the arithmetic is in float64: a residue is kept in ``[−p, 2p)``
    (:func:`_reduce`), so a product of two is below ``4p² < 2^52`` in size and exact."""
    import numpy as np

    simplices, _, n = rows.shape
    count = numerators.shape[0]
    primes = _enough_primes(bound)
    points = numerators.T.astype(np.float64)  # vertex, point
    by_coordinate = np.ascontiguousarray(rows.transpose(2, 0, 1)).reshape(n * simplices, n + 1)
    scratch = np.empty(simplices * count, dtype=np.float64)
    other = np.empty_like(scratch)
    residues: list[list[int]] = []
    weighted_residues: list[list[int]] = []
    for p in primes:
        # X mod p = (rows mod p) · numerators, one matrix product for every coordinate and
        # simplex: whole numbers below den·p in float64 (the numerators sum to den)
        xs = np.remainder(by_coordinate, p).astype(np.float64) @ points
        xs = xs.reshape(n, simplices * count)
        _reduce(xs, p, np.empty_like(xs))
        ms = np.repeat(np.array([c * denominator % p for c in commons], dtype=np.float64),
                       count)
        term = np.ones(simplices * count, dtype=np.float64)
        for x in xs:
            for _ in range(factored.zeros):
                term *= x
                _reduce(term, p, scratch)
            if factored.ones:
                np.subtract(ms, x, out=other)  # in (−2p, 2p): a product with term stays exact
                for _ in range(factored.ones):
                    term *= other
                    _reduce(term, p, scratch)
            if factored.rest:
                term *= _homogeneous(factored.rest, x, ms, p)
                _reduce(term, p, scratch)
        # at most MAX_RULE_POINTS = 2^20 terms, each below 2p = 2^26 in size: exact
        residues.append([int(v) % p for v in term.reshape(simplices, count).sum(axis=1).tolist()])
        if weight is not None:
            other.fill(0)
            for i, (w, x) in enumerate(zip(weight, xs)):
                other += (w % p) * x  # each below 2p²: three at a time stay below 2^53
                if i % 3 == 2 or i == n - 1:
                    _reduce(other, p, scratch)
            term *= other
            _reduce(term, p, scratch)
            weighted_residues.append(
                [int(v) % p for v in term.reshape(simplices, count).sum(axis=1).tolist()])
    modulus = prod(primes)
    basis = [(modulus // p) * pow(modulus // p, -1, p) for p in primes]
    return (_chinese(residues, basis, modulus, simplices),
            _chinese(weighted_residues, basis, modulus, simplices) if weight is not None
            else None)


def _chinese(residues: Sequence[Sequence[int]], basis: Sequence[int], modulus: int,
             count: int) -> list[int]:
    """The integers in ``(−modulus/2, modulus/2]`` with these residues (one list per prime,
    ``count`` each), by the Chinese remainder theorem (``basis``: its idempotents)."""
    found = []
    for k in range(count):
        value = sum(r[k] * b for r, b in zip(residues, basis)) % modulus
        found.append(value - modulus if value > modulus // 2 else value)
    return found


def _reduce(values: Any, p: int, scratch: Any) -> None:
    """Bring whole float64 ``values`` below 2^53 in size (exact) into ``[−p, 2p)`` modulo
    ``p``, in place (the rounded quotient is off by at most one); ``scratch`` is as large.
    The callers' largest input is the weight's sum of three products, below 6p² + 2p."""
    import numpy as np

    np.multiply(values, 1.0 / p, out=scratch)
    np.floor(scratch, out=scratch)
    scratch *= p
    values -= scratch


def _homogeneous(coefficients: Sequence[int], x: Any, m: Any, p: int) -> Any:
    """``Σ_k r_k X^k M^(deg − k)`` modulo p, by Horner's rule (in ``[−p, 2p)``)."""
    import numpy as np

    scratch = np.empty_like(x)
    value = np.full_like(x, coefficients[-1] % p)
    power = np.ones_like(m)
    for c in reversed(coefficients[:-1]):
        power *= m
        _reduce(power, p, scratch)
        value *= x
        _reduce(value, p, scratch)
        value += (c % p) * power
        _reduce(value, p, scratch)
    return value
