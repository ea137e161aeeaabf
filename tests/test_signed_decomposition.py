"""Lawrence's signed decomposition (analyses/signed_decomposition.py) against independent
exact methods: its signed simplices must integrate every polynomial density (with and
without a weight) exactly as Normaliz's triangulation does, and their signed volumes must
add up to the volume of the pure-Python oracle (tests/volume_oracle.py) — on optimality
regions of random lottery sets (few facets, many vertices, about one in ten of them not
simple) and on random polytopes cut from the cube by hyperplanes with offsets, some with
coefficients of very different sizes.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import factorial, lcm

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from volume_oracle import polytope_volume, region_volume

from decisiontrees.analyses import cubature, integrals, signed_decomposition
from decisiontrees.errors import RefusedError
from decisiontrees.solvers import normaliz

DENSITIES = [(Fraction(1),),  # uniform
             (Fraction(0), Fraction(6), Fraction(-6)),  # beta(2, 2)
             (Fraction(3), Fraction(0), Fraction(-3)),  # beta(1, 3)
             (Fraction(1), Fraction(-1, 3), Fraction(5, 2))]  # no root at 0 or 1


def lotteries(rng: random.Random, d: int, m: int) -> list[tuple[Fraction, ...]]:
    points: set[tuple[Fraction, ...]] = set()
    while len(points) < m:
        weights = [rng.randint(0, 3) for _ in range(d)]
        if sum(weights):
            points.add(tuple(Fraction(w, sum(weights)) for w in weights))
    return sorted(points)


def triangulated(normals, d, offsets=None) -> list[cubature.WholeSimplex]:
    generators, simplices = normaliz.whole_triangulation(normals, d, offsets)
    return cubature.whole_simplices(generators, simplices)


def signed_volume(simplices: list[cubature.WholeSimplex], d: int) -> Fraction:
    return sum((s.sign * s.jacobian for s in simplices), Fraction(0)) / factorial(d)


def agree(normals, d, offsets, density, weight) -> None:
    signed = signed_decomposition.signed_simplices(normals, d, offsets)
    assert cubature.cubature_total(signed, density, weight) == \
        cubature.cubature_total(triangulated(normals, d, offsets), density, weight)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(3, 8), st.integers(0, 10**6), st.sampled_from(DENSITIES),
       st.booleans())
def test_optimality_regions_integrate_as_triangulated(d, m, seed, density, weighted):
    rng = random.Random(seed)
    points = lotteries(rng, d, m)
    z = rng.choice(points)
    normals = [[a - b for a, b in zip(z, other)] for other in points if other != z]
    signed = signed_decomposition.signed_simplices(normals, d)
    assert signed_volume(signed, d) == region_volume(normals, d)
    weight = [Fraction(rng.randint(-3, 3), rng.randint(1, 5)) for _ in range(d)] \
        if weighted else None
    agree(normals, d, None, density, weight)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4).flatmap(lambda d: st.tuples(st.just(d), st.lists(
    st.tuples(st.lists(st.integers(-3, 3), min_size=d, max_size=d), st.integers(-2, 4)),
    max_size=5))), st.sampled_from(DENSITIES), st.booleans())
def test_polytopes_with_offsets_integrate_as_triangulated(case, density, weighted):
    """``n·u + c >= 0`` inside the cube, degenerate rows included (zero, repeated): the
    signed volumes sum to the oracle's volume and every integral to the triangulation's."""
    d, rows = case
    normals = [[Fraction(x) for x in n] for n, _ in rows]
    offsets = [Fraction(c) for _, c in rows]
    signed = signed_decomposition.signed_simplices(normals, d, offsets)
    cube = [([1 if j == i else 0 for j in range(d)], 1) for i in range(d)] + \
        [([-1 if j == i else 0 for j in range(d)], 0) for i in range(d)]
    # the oracle's rows are a·u <= b: n·u + c >= 0 is (−n)·u <= c
    volume = polytope_volume([([-x for x in n], c) for n, c in rows] + cube, d)
    assert signed_volume(signed, d) == volume
    assume(volume > 0)
    weight = [Fraction(k + 1, 3) for k in range(d)] if weighted else None
    agree(normals, d, offsets, density, weight)


def test_a_region_with_vertices_that_are_not_simple():
    """Seven facets meet at a vertex of this 4-dimensional region, so its normal cone is
    triangulated (the case Lawrence's formula for simple polytopes leaves out), and some
    simplices are subtracted."""
    d = 4
    points = lotteries(random.Random(0), d, 5)
    z = points[0]
    normals = [[a - b for a, b in zip(z, other)] for other in points if other != z]
    vertices, facets = normaliz.vertices_and_facets(normals, d)
    degrees = [sum(1 for f in facets if sum(a * b for a, b in zip(f, v)) == 0) for v in vertices]
    assert max(degrees) == 7
    signed = signed_decomposition.signed_simplices(normals, d)
    assert any(s.sign < 0 for s in signed)
    assert signed_volume(signed, d) == region_volume(normals, d) > 0
    beta = DENSITIES[1]
    agree(normals, d, None, beta, None)
    agree(normals, d, None, beta, list(z))


def test_a_lower_dimensional_polytope_has_no_simplices():
    assert signed_decomposition.signed_simplices([[Fraction(1), Fraction(-1)],
                                                  [Fraction(-1), Fraction(1)]], 2) == []


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 7), st.integers(0, 10**6))
def test_inverse_columns_generate_the_cone(n, seed):
    """Row i of the matrix times column k is positive when i == k and 0 otherwise."""
    rng = random.Random(seed)
    rows = [[rng.randint(-6, 6) for _ in range(n)] for _ in range(n)]
    assume(cubature.whole_determinant(rows) != 0)
    columns = signed_decomposition._inverse_columns(rows)
    for i, row in enumerate(rows):
        for k, column in enumerate(columns):
            product = sum(a * b for a, b in zip(row, column))
            assert product > 0 if i == k else product == 0


def test_the_direction_avoids_every_generator():
    d = 3
    orthogonal_to_first = [(2, -1, 0), (3, 0, -1)]  # (1, 2, 3) is orthogonal to both
    omega = signed_decomposition._generic_direction(orthogonal_to_first, d)
    assert omega != (1, 2, 3)
    assert all(sum(a * b for a, b in zip(omega, g)) for g in orthogonal_to_first)
    assert signed_decomposition._generic_direction([(1, 1, 1)], d) == (1, 2, 3)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.sampled_from(DENSITIES), st.booleans(),
       st.sampled_from([3, 10**4, 2**40]), st.integers(0, 10**6))
def test_batched_cubature_outside_the_cube_with_signs(n, density, weighted, scale, seed):
    """Simplices reaching far outside the cube (negative coordinates, coordinates above 1)
    and subtracted ones: the numpy path equals the rule in Python integers."""
    rng = random.Random(seed)
    simplices = []
    for _ in range(rng.randint(1, 10)):
        rows, denominators = [], []
        for _ in range(n + 1):
            q = rng.randint(1, scale)
            rows.append(tuple(rng.randint(-5 * q, 7 * q) for _ in range(n)))
            denominators.append(q)
        fractions = [[Fraction(x, q) for x in row] for row, q in zip(rows, denominators)]
        jacobian = abs(cubature.determinant([[v[i] - fractions[0][i] for i in range(n)]
                                              for v in fractions[1:]]))
        if jacobian:
            simplices.append(cubature.WholeSimplex(tuple(rows), tuple(denominators), jacobian,
                                                   rng.choice((1, -1))))
    weight = [Fraction(rng.randint(-3, 3), rng.randint(1, 7)) for _ in range(n)] \
        if weighted else None
    expected = sum((s.sign * cubature.cubature_integral(
        [[Fraction(x, q) for x in row] for row, q in zip(s.rows, s.denominators)], density,
        weight) for s in simplices), Fraction(0))
    assert cubature.cubature_total(simplices, density, weight) == expected
    mass = sum((s.sign * cubature.cubature_integral(
        [[Fraction(x, q) for x in row] for row, q in zip(s.rows, s.denominators)], density,
        None) for s in simplices), Fraction(0))
    assert cubature.cubature_totals(simplices, density, weight) == \
        (mass, None if weight is None else expected)


@settings(max_examples=200)
@given(st.integers(-3 * 2**51, 3 * 2**51), st.integers(0, 20))
def test_reducing_keeps_the_residue_in_range(value, which):
    """Up to 1.5·2^52 in size: the weight's sum of three products reaches 6p² + 2p."""
    p = cubature._primes(21)[which]
    values = np.array([float(value)])
    cubature._reduce(values, p, np.empty_like(values))
    assert values[0] == int(values[0])
    assert -p <= values[0] < 2 * p and (int(values[0]) - value) % p == 0


@pytest.mark.parametrize("seed", range(3))
def test_region_integral_gives_the_same_answer_whichever_decomposition_it_picks(seed,
                                                                              monkeypatch):
    rng = random.Random(seed)
    d = 5
    points = lotteries(rng, d, 6)
    beta = DENSITIES[1]
    for z in points:
        normals = [[a - b for a, b in zip(z, other)] for other in points if other != z]
        answers = []
        for few in (0, 10**9):  # always compare (signed when predicted cheaper), never
            monkeypatch.setattr(integrals, "FEW_SIMPLICES", few)
            integrals.forget_decompositions()
            answers.append((integrals.region_integral(normals, d, beta),
                            integrals.region_integral(normals, d, beta, list(z))))
        assert answers[0] == answers[1]


SIZES = [Fraction(1, 10**15), Fraction(3, 10**11), Fraction(1, 7), Fraction(2), Fraction(10**9)]


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5).flatmap(lambda d: st.tuples(st.just(d), st.lists(st.tuples(
    st.lists(st.tuples(st.sampled_from(SIZES), st.sampled_from((-1, 0, 1))), min_size=d,
             max_size=d), st.sampled_from([Fraction(0), Fraction(1, 100), Fraction(1, 5000)])),
    min_size=1, max_size=4))))
def test_the_triangulations_predicted_work_bounds_its_work(case):
    """``work_in_cube`` prices Normaliz's triangulation from its vertices' denominators
    alone; in the cube it may not be below what ``work`` finds on the built simplices (a
    review found it ignoring the Python path's cost, so regions whose coefficients differ
    by 10^15 took the triangulation: 130 s against 6.5 s). Coefficients of very different
    sizes, as such regions have; the signed decomposition still integrates like it."""
    d, rows = case
    normals = [[size * sign for size, sign in row] for row, _ in rows]
    offsets = [offset for _, offset in rows]
    generators, indices = normaliz.whole_triangulation(normals, d, offsets)
    assume(indices)
    beta = DENSITIES[1]
    simplices = cubature.whole_simplices(generators, indices)
    commons = [lcm(*(generators[k][-1] for k in simplex)) for simplex in indices]
    assert cubature.work_in_cube(commons, d, beta) >= cubature.work(simplices, beta, None)
    signed = signed_decomposition.signed_simplices(normals, d, offsets)
    assert signed_volume(signed, d) == signed_volume(simplices, d)
    if d <= 4:
        assert cubature.cubature_total(signed, beta, None) == \
            cubature.cubature_total(simplices, beta, None)


def test_a_rule_too_large_for_exact_integration_is_refused_before_it_is_built():
    """beta(5, 5) over 8 outcomes needs degree 64; POWER under power(1400) over 2 outcomes
    degree 2,799, whose rule has few points per level but 1,400 levels (458 million points:
    a review found it refused by level 0 alone only after it ran out of memory)."""
    for n, degree in ((8, 64), (2, 2799)):
        with pytest.raises(RefusedError, match="samples = N"):
            cubature.rule_for(n, degree)
    rule = cubature.rule_for(10, 21)  # POWER under Beta(2, 2) over 10 outcomes
    assert sum(len(points) for _, _, points in rule) == 352_716


def test_the_kept_decompositions_stay_bounded_when_regions_are_empty(monkeypatch):
    """An empty region keeps no simplices but still counts, so entries are evicted (a review
    found 5,000 empty regions kept for good)."""
    monkeypatch.setattr(integrals, "DECOMPOSED_KEPT", 10)
    integrals.forget_decompositions()
    beta = DENSITIES[1]
    for k in range(1, 40):  # u1 >= k u2 + 1 has no point in the square
        assert integrals.region_integral([[Fraction(1), Fraction(-k)]], 2, beta,
                                         offsets=[Fraction(-1 - k)]) == 0
    assert 0 < len(integrals._DECOMPOSED) <= 10 and integrals._KEPT[0] <= 10
    integrals.forget_decompositions()


def test_normal_cones_with_large_generators_are_triangulated_without_aborting():
    """In machine integers Normaliz's simplex evaluation overflowed on this cone (a normal
    cone of a region with coefficients 10^-15 and 1/7) and failed an assertion, which
    aborts the process: the triangulation runs in arbitrary precision."""
    generators = [[-7, -10**15, 0, 210000, 14 * 10**15], [0, 0, 0, 0, 1], [0, 0, 0, 1, 0],
                  [0, 0, 1, 0, 0], [1, 0, 0, 0, 0], [7, -10**15, 0, 7, 0]]
    simplices = normaliz.cone_triangulation(generators)
    assert simplices and all(len(s) == 5 and cubature.whole_determinant(s) for s in simplices)
