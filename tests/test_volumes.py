"""Normaliz's region volumes against an exact pure-Python oracle (tests/volume_oracle.py).

Normaliz's default volume algorithm once returned wrong values on 8-dimensional regions.
Here the oracle is first checked against known volumes, then every optimality region of
random lottery sets over 8–12 outcomes (the region where lottery z is optimal: normals
z - other, as in ``analyses.agents``) is computed both ways; the two must agree exactly,
and the regions of distinct lotteries must tile the cube.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import factorial, prod

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from volume_oracle import Oracle, polytope_volume, region_volume

from decisiontrees.analyses import cubature, integrals
from decisiontrees.analyses.agents import lottery_points, relevant_outcomes
from decisiontrees.model.nodes import Node, chance, choice, leaf
from decisiontrees.solvers import normaliz

Point = tuple[Fraction, ...]


def unit(d: int, i: int, value: int = 1) -> list[int]:
    return [value if j == i else 0 for j in range(d)]


def box(d: int, high: Fraction | int = 1) -> list[tuple[list[int], Fraction | int]]:
    """Rows of [0, high]^d."""
    return [(unit(d, i, -1), 0) for i in range(d)] + [(unit(d, i), high) for i in range(d)]


# --- the oracle against known volumes ---------------------------------------------------


@pytest.mark.parametrize("d", range(1, 7))
def test_unit_cube(d):
    assert polytope_volume(box(d), d) == 1
    assert polytope_volume(box(d, Fraction(1, 2)), d) == Fraction(1, 2**d)
    assert region_volume([], d) == 1


def test_unit_cube_in_twelve_dimensions():
    assert region_volume([], 12) == 1
    assert polytope_volume(box(12, 3), 12) == 3**12


@pytest.mark.parametrize("d", range(1, 9))
def test_standard_simplex(d):
    rows = [(unit(d, i, -1), 0) for i in range(d)] + [([1] * d, 1)]
    assert polytope_volume(rows, d) == Fraction(1, factorial(d))


@pytest.mark.parametrize("d", range(2, 9))
def test_half_cube_and_orderings(d):
    assert region_volume([[1, -1] + [0] * (d - 2)], d) == Fraction(1, 2)
    first_is_largest = [[a - b for a, b in zip(unit(d, 0), unit(d, k))] for k in range(1, d)]
    assert region_volume(first_is_largest, d) == Fraction(1, d)
    if d <= 7:
        increasing = [[a - b for a, b in zip(unit(d, k + 1), unit(d, k))] for k in range(d - 1)]
        assert region_volume(increasing, d) == Fraction(1, factorial(d))


def test_general_rows():
    half, third = Fraction(1, 2), Fraction(1, 3)
    rectangle = [([-1, 0], 0), ([0, -1], 0), ([1, 0], half), ([0, 1], third)]
    assert polytope_volume(rectangle, 2) == Fraction(1, 6)
    shifted = [([-1, 0], 5), ([1, 0], -3), ([0, -1], 1), ([0, 2], 3)]  # [-5, -3] x [-1, 3/2]
    assert polytope_volume(shifted, 2) == 5
    diamond = [([1, 1], 1), ([1, -1], 1), ([-1, 1], 1), ([-1, -1], 1)]  # |x| + |y| <= 1
    assert polytope_volume(diamond, 2) == 2
    for d in (3, 4, 5):  # the cross-polytope |x|_1 <= 1: 2^d / d!
        signs = [[1 - 2 * (mask >> k & 1) for k in range(d)] for mask in range(2**d)]
        assert polytope_volume([(s, 1) for s in signs], d) == Fraction(2**d, factorial(d))
    # the triangle (0, 0), (2/3, 0), (0, 3/4) of area 1/4
    triangle = [([-1, 0], 0), ([0, -1], 0), ([Fraction(3, 2), Fraction(4, 3)], 1)]
    assert polytope_volume(triangle, 2) == Fraction(1, 4)


@pytest.mark.parametrize("d, seed", [(8, 1), (9, 2), (10, 3), (12, 4)])
def test_cube_below_a_hyperplane_matches_the_closed_form(d, seed):
    """vol{u in [0,1]^d : a·u <= b} = Σ_S (-1)^|S| (b - a(S))_+^d / (d! Π a) for a > 0."""
    rng = random.Random(seed)
    a = [rng.randint(1, 4) for _ in range(d)]
    b = Fraction(sum(a), 2) + Fraction(1, 3)
    closed = Fraction(0)
    for mask in range(2**d):
        rest = b - sum(a[k] for k in range(d) if mask >> k & 1)
        if rest > 0:
            closed += (-1) ** bin(mask).count("1") * rest**d
    closed /= factorial(d) * prod(a)
    assert 0 < closed < 1
    assert polytope_volume(box(d) + [(a, b)], d) == closed


def test_flat_and_empty_polytopes_have_volume_zero():
    d = 3
    assert region_volume([[1, -1, 0], [-1, 1, 0]], d) == 0  # u1 = u2
    assert region_volume([[-1, 0, 0]], d) == 0  # u1 <= 0: the face u1 = 0
    assert region_volume([[-1, -1, 0]], d) == 0  # u1 + u2 <= 0: an edge
    # u1 <= u2 <= u3 <= u1: the diagonal, with no two rows parallel (the recursion's terms
    # cancel exactly)
    assert region_volume([[-1, 1, 0], [0, -1, 1], [1, 0, -1]], d) == 0
    assert polytope_volume(box(d) + [([1, 1, 0], -1)], d) == 0  # empty
    assert polytope_volume([([1], 2), ([-1], -2)], 1) == 0  # the point x = 2
    assert polytope_volume([([1], 1), ([-1], -2)], 1) == 0  # 2 <= x <= 1
    assert polytope_volume(box(4) + [([0, 0, 0, 0], -1)], 4) == 0  # 0 <= -1


def test_duplicated_constraints_are_counted_once():
    d = 4
    normal = [Fraction(1), Fraction(-1), Fraction(0), Fraction(0)]
    copies = [normal, normal, [2 * x for x in normal], [x / 3 for x in normal]]
    assert region_volume(copies, d) == Fraction(1, 2)
    rows = box(d) + box(d) + [([2, 0, 0, 0], 2), ([Fraction(1, 3), 0, 0, 0], Fraction(1, 3))]
    assert polytope_volume(rows, d) == 1


def test_redundant_constraints_change_nothing():
    d = 4
    chain = [[1, -1, 0, 0], [0, 1, -1, 0]]  # u1 >= u2 >= u3
    implied = [[1, 0, -1, 0], [1, 0, 0, 0], [2, -1, -1, 0]]
    assert region_volume(chain, d) == region_volume(chain + implied, d) == Fraction(1, 6)
    loose = [([1, 0, 0, 0], 2), ([1, 1, 1, 1], 4), ([-1, -1, 0, 0], 1)]
    assert polytope_volume(box(d) + loose, d) == 1
    # touching the polytope in a vertex or an edge only
    assert polytope_volume(box(d) + [([1, 1, 0, 0], 2), ([1, 1, 1, 1], 4)], d) == 1


def test_unbounded_polytopes_are_refused():
    with pytest.raises(ValueError, match="unbounded"):
        polytope_volume([([-1], -1)], 1)
    with pytest.raises(ValueError, match="unbounded"):
        polytope_volume([([-1, 0], -1), ([0, -1], -1), ([1, 0], 2)], 2)


def _inverse(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    n = len(matrix)
    rows = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(matrix)]
    for c in range(n):
        p = next(r for r in range(c, n) if rows[r][c] != 0)
        rows[c], rows[p] = rows[p], rows[c]
        rows[c] = [x / rows[c][c] for x in rows[c]]
        for r in range(n):
            if r != c and rows[r][c] != 0:
                rows[r] = [x - rows[r][c] * y for x, y in zip(rows[r], rows[c])]
    return [row[n:] for row in rows]


def _determinant(matrix: list[list[Fraction]]) -> Fraction:
    n, rows, result = len(matrix), [list(r) for r in matrix], Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if rows[r][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            rows[c], rows[p], result = rows[p], rows[c], -result
        result *= rows[c][c]
        for r in range(c + 1, n):
            f = rows[r][c] / rows[c][c]
            rows[r] = [x - f * y for x, y in zip(rows[r], rows[c])]
    return result


small = st.integers(-3, 3)


@settings(max_examples=40)
@given(st.integers(2, 4).flatmap(lambda d: st.tuples(
    st.just(d),
    st.lists(st.lists(small, min_size=d, max_size=d), max_size=4),
    st.lists(st.lists(small, min_size=d, max_size=d), min_size=d, max_size=d),
    st.lists(small, min_size=d, max_size=d))))
def test_volume_scales_by_the_determinant_under_affine_maps(case):
    """vol(M P + t) = |det M| vol(P): the oracle on P and on its image, rewritten row by row
    (a·x <= b becomes a M^-1 · y <= b + a M^-1 t)."""
    d, normals, matrix, shift = case
    m = [[Fraction(x) for x in row] for row in matrix]
    det = _determinant(m)
    assume(det != 0)
    inverse = _inverse(m)
    rows = [([-x for x in n], 0) for n in normals] + box(d)
    image = []
    for a, b in rows:
        a_inv = [sum(a[k] * inverse[k][j] for k in range(d)) for j in range(d)]
        image.append((a_inv, b + sum(x * t for x, t in zip(a_inv, shift))))
    volume = region_volume(normals, d)
    assert polytope_volume(rows, d) == volume
    assert polytope_volume(image, d) == abs(det) * volume


# --- Normaliz against the oracle on optimality regions of random lottery sets ----------


def check_regions(points: list[Point]) -> list[Fraction]:
    """Every region's volume from Normaliz equals the oracle's; distinct lotteries' regions
    tile the cube. Returns the volumes."""
    d = len(points[0])
    assert len(set(points)) == len(points)
    oracle = Oracle()
    volumes = []
    for z in points:
        normals = [[a - b for a, b in zip(z, other)] for other in points if other != z]
        expected = oracle.region_volume(normals, d)
        found = normaliz.volume(normals, d)
        assert found == expected, f"Normaliz {found} != oracle {expected} for z = {z} in {points}"
        volumes.append(expected)
    assert sum(volumes) == 1
    return volumes


def random_lotteries(rng: random.Random, d: int, m: int, support: int, top: int) -> list[Point]:
    """m distinct lotteries over d outcomes, each with integer weights 0..top on ``support``
    random outcomes, every outcome reached by some lottery (as relevant_outcomes ensures)."""
    while True:
        points = set()
        while len(points) < m:
            weights = [0] * d
            for k in rng.sample(range(d), support):
                weights[k] = rng.randint(0, top)
            if sum(weights):
                points.add(tuple(Fraction(w, sum(weights)) for w in weights))
        if all(any(p[k] for p in points) for k in range(d)):
            return sorted(points)


# (outcomes, lotteries, outcomes each lottery reaches, largest weight, seed): 1.5–7 s each
CASES = [
    (8, 5, 8, 3, 1),
    (8, 6, 4, 2, 2),
    (9, 4, 9, 3, 3),
    (10, 3, 10, 3, 4),
    (10, 4, 6, 2, 5),
    (11, 3, 8, 2, 6),
    (12, 3, 8, 2, 10),
]


@pytest.mark.parametrize("d, m, support, top, seed", CASES)
def test_normaliz_volumes_of_random_lottery_sets(d, m, support, top, seed):
    points = random_lotteries(random.Random(seed), d, m, support, top)
    volumes = check_regions(points)
    assert sum(1 for v in volumes if v > 0) >= 2


@settings(max_examples=60)
@given(st.integers(1, 6).flatmap(lambda d: st.tuples(
    st.just(d), st.lists(st.lists(st.integers(-2, 2), min_size=d, max_size=d), max_size=6))))
def test_normaliz_and_the_oracle_agree_in_low_dimensions(case):
    """Any small normals, degenerate ones included (zero, repeated, opposite)."""
    d, normals = case
    normals = normals + [[2 * x for x in n] for n in normals[:1]]  # a repeated direction
    assert normaliz.volume([[Fraction(x) for x in n] for n in normals], d) == \
        region_volume(normals, d)


@settings(max_examples=4)
@given(st.integers(8, 9).flatmap(lambda d: st.lists(
    st.lists(st.integers(0, 2), min_size=d, max_size=d).filter(any),
    min_size=2, max_size=4)))
def test_normaliz_volumes_of_hypothesis_lottery_sets(weights):
    points = sorted({tuple(Fraction(w, sum(ws)) for w in ws) for ws in weights})
    reached = [k for k in range(len(points[0])) if any(p[k] for p in points)]
    points = [tuple(p[k] for k in reached) for p in points]  # as relevant_outcomes does
    if len(points) < 2 or len(reached) < 8:
        return
    check_regions(points)


def random_tree(rng: random.Random, outcomes: tuple[str, ...]) -> Node:
    """A choice among 2–4 chance nodes of 2–4 branches, a branch sometimes a choice itself."""
    def branch() -> Node:
        if rng.random() < 0.25:
            return choice({"y0": leaf(rng.choice(outcomes)), "y1": leaf(rng.choice(outcomes))})
        return leaf(rng.choice(outcomes))

    options = {}
    for i in range(rng.randint(2, 4)):
        weights = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
        options[f"x{i}"] = chance([(Fraction(w, sum(weights)), branch()) for w in weights])
    return choice(options)


@pytest.mark.parametrize("seed", range(4))
def test_normaliz_volumes_of_random_trees(seed):
    """Lottery sets as the package builds them: a tree's plan lotteries over the outcomes
    they reach (8–10 of them), 3–6 distinct lotteries."""
    rng = random.Random(seed)
    while True:
        outcomes = tuple(f"o{k}" for k in range(rng.randint(8, 10)))
        tree = random_tree(rng, outcomes)
        order = relevant_outcomes([tree], outcomes)
        points = sorted(lottery_points(tree, order))
        if len(order) >= 8 and 3 <= len(points) <= 6:
            break
    check_regions(points)


# -- integrals of polynomial densities: the Grundmann–Möller rule against expanding the
#    integrand into monomials (two independent exact methods) ------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 5])
@pytest.mark.parametrize("s", [0, 1, 2, 3])
def test_grundmann_moller_rules_integrate_monomials_exactly(n, s):
    """∫ λ^a over the standard n-simplex (barycentric, volume 1/n!) is a!/(|a| + n)!."""
    for degree in range(2 * s + 2):
        for a in cubature.compositions(degree, n + 1):
            exact = Fraction(prod(factorial(k) for k in a), factorial(degree + n))
            rule = sum(weight * sum(prod(Fraction(b, denominator) ** k for b, k in zip(point, a))
                                    for point in points)
                       for weight, denominator, points in cubature.grundmann_moller(n, s))
            assert rule == exact, (n, s, a)


DENSITIES = [(Fraction(0), Fraction(6), Fraction(-6)),  # beta(2, 2)
             (Fraction(0), Fraction(2)),  # power(2)
             (Fraction(3), Fraction(0), Fraction(-3)),  # beta(1, 3)
             (Fraction(0), Fraction(0), Fraction(12), Fraction(-12))]  # beta(3, 2)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 5), st.sampled_from(DENSITIES), st.booleans(), st.integers(0, 10**6))
def test_cubature_equals_expanding_the_integrand(n, density, weighted, seed):
    rng = random.Random(seed)
    vertices = [[Fraction(rng.randint(0, 12), 12) for _ in range(n)] for _ in range(n + 1)]
    weight = [Fraction(rng.randint(0, 3), 7) for _ in range(n)] if weighted else None
    assert cubature.cubature_integral(vertices, density, weight) == \
        integrals.simplex_integral(vertices, density, weight)


# -- many simplices at once, modulo primes (cubature_total) against the rule in Python
#    integers simplex by simplex, and against expanding the integrand ------------------------

INTEGRANDS = DENSITIES + [(Fraction(1), Fraction(-1, 3), Fraction(5, 2)),  # no root at 0 or 1
                          (Fraction(0), Fraction(-2), Fraction(7, 3), Fraction(-1, 3)),  # x·R(x)
                          (Fraction(-5, 2),),  # a negative constant
                          (Fraction(1),)]


def whole_simplex(rng: random.Random, n: int, scale: int) -> cubature.WholeSimplex | None:
    """A random simplex in the unit cube, vertex k with denominator up to ``scale``."""
    generators = []
    for _ in range(n + 1):
        q = rng.randint(1, scale)
        generators.append([rng.randint(0, q) for _ in range(n)] + [q])
    found = cubature.whole_simplices(generators, [list(range(n + 1))])
    return found[0] if found else None


def fractions_of(simplex: cubature.WholeSimplex) -> list[list[Fraction]]:
    return [[Fraction(x, q) for x in row] for row, q in zip(simplex.rows, simplex.denominators)]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.sampled_from(INTEGRANDS), st.booleans(),
       st.sampled_from([12, 10**4, 2**30, 2**45]), st.integers(0, 10**6))
def test_batched_cubature_equals_the_rule_simplex_by_simplex(n, density, weighted, scale, seed):
    """Denominators up to 2^30 need many primes; up to 2^45 some simplices are too large for
    int64 and take the Python path. Weights may be negative."""
    rng = random.Random(seed)
    simplices = [s for s in (whole_simplex(rng, n, scale) for _ in range(rng.randint(1, 12)))
                 if s is not None]
    weight = [Fraction(rng.randint(-3, 3), rng.randint(1, 7)) for _ in range(n)] \
        if weighted else None
    expected = sum((cubature.cubature_integral(fractions_of(s), density, weight)
                    for s in simplices), Fraction(0))
    assert cubature.cubature_total(simplices, density, weight) == expected
    if simplices and scale <= 10**4 and n <= 3:  # the monomial expansion: independent, slower
        assert expected == sum((integrals.simplex_integral(fractions_of(s), density, weight)
                                for s in simplices), Fraction(0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=9), min_size=1,
                max_size=6), st.integers(0, 3), st.integers(0, 3))
def test_factoring_a_density_keeps_it(coefficients, zeros, ones):
    """``scale·g = constant · x^a (1 − x)^b · R`` at many points, whatever roots g has at 0
    and 1 (made by multiplying x and 1 − x in)."""
    assume(any(coefficients))
    polynomial = list(coefficients)
    for _ in range(zeros):
        polynomial = [Fraction(0)] + polynomial
    for _ in range(ones):
        polynomial = [a - b for a, b in zip(polynomial + [Fraction(0)],
                                            [Fraction(0)] + polynomial)]
    factored = cubature._Factored.of(tuple(polynomial))
    assert factored.zeros >= zeros and factored.ones >= ones
    for x in (Fraction(k, 7) for k in range(-3, 11)):
        g = sum(c * x ** k for k, c in enumerate(polynomial))
        rest = sum((c * x ** k for k, c in enumerate(factored.rest)), Fraction(0)) \
            if factored.rest else 1
        assert factored.scale * g == \
            factored.constant * x ** factored.zeros * (1 - x) ** factored.ones * rest


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(0, 10**6))
def test_whole_simplices_have_the_determinant_of_their_edges(n, seed):
    rng = random.Random(seed)
    simplex = whole_simplex(rng, n, 50)
    assume(simplex is not None)
    vertices = fractions_of(simplex)
    edges = [[v[i] - vertices[0][i] for i in range(n)] for v in vertices[1:]]
    assert simplex.jacobian == abs(_determinant(edges))


@given(st.integers(1, 2**2000))
def test_enough_primes_name_one_integer_in_the_bound(bound):
    primes = cubature._enough_primes(bound)
    assert prod(primes) > 2 * bound and len(set(primes)) == len(primes)
    assert all(p < 2**31 for p in primes)


def test_the_prime_test_agrees_with_sympy_near_2_to_the_31():
    from sympy import isprime

    for n in list(range(2, 3000)) + list(range(2**31 - 3000, 2**31)):
        assert cubature._is_prime(n) == isprime(n), n


def test_odd_triangulations_and_densities_are_refused_not_misread():
    """A vertex with a negative denominator keeps a positive jacobian; one at infinity (a
    ray, which a bounded polytope never has) and the zero density are errors."""
    from decisiontrees.errors import CrossCheckFailed

    (simplex,) = cubature.whole_simplices([[0, 0, -1], [-1, 0, -1], [0, -1, -1]], [[0, 1, 2]])
    assert simplex.jacobian == 1
    assert cubature.cubature_total([simplex], (Fraction(1),), None) == Fraction(1, 2)
    with pytest.raises(CrossCheckFailed, match="infinity"):
        cubature.whole_simplices([[0, 0, 1], [1, 0, 1], [0, 1, 0]], [[0, 1, 2]])
    with pytest.raises(ValueError, match="zero polynomial"):
        cubature._Factored.of((Fraction(0), Fraction(0)))
