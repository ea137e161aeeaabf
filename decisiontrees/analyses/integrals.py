"""Exact integrals of polynomial densities over polytopes in the unit cube.

A volume, or ``∫ w·u`` for a uniform density, is one Normaliz volume (through
solvers.normaliz). Otherwise the polytope is cut into simplices — Normaliz's triangulation
or Lawrence's signed decomposition (signed_decomposition.py), whichever is predicted to
cost less — and cubature.py integrates over them. For vertices that are functions of a
parameter, :func:`simplex_integral` expands the integrand instead: over a simplex with
vertices ``v0 … vd``, ``u = v0 + M λ`` maps the standard simplex onto it, and
``∫ λ^α dλ = α! / (|α| + d)!`` integrates each monomial.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from fractions import Fraction
from math import factorial, lcm
from typing import Any

from decisiontrees.analyses.cubature import (
    UNIFORM,
    WholeSimplex,
    cubature_total,
    cubature_totals,
    determinant,
    whole_simplices,
    work,
    work_in_cube,
)
from decisiontrees.analyses.signed_decomposition import signed_simplices
from decisiontrees.model.laws import Univariate
from decisiontrees.solvers import normaliz

# A polynomial in d variables: exponent tuple -> coefficient.
Polynomial = dict[tuple[int, ...], Fraction]
SIGNED_FROM = 8  # outcomes from which POWER's one volume uses the signed decomposition
FEW_SIMPLICES = 64  # below this many a triangulation is not worth comparing (milliseconds)
# simplices kept for the next call: about 2 kB each at 7 outcomes, more with large numbers
DECOMPOSED_KEPT = 20_000
_DECOMPOSED: OrderedDict[tuple[Any, ...], list[WholeSimplex]] = OrderedDict()
_KEPT = [0]  # how many simplices _DECOMPOSED holds (at least one per entry)


def region_integral(normals: Sequence[Sequence[Fraction]], dimension: int,
                    density: Univariate = UNIFORM,
                    weight: Sequence[Fraction] | None = None,
                    triangulate: bool = False,
                    offsets: Sequence[Fraction] | None = None) -> Fraction:
    """``∫ w·u · Π_i g(u_i) du`` over ``{u ∈ [0,1]^d : n·u + c ≥ 0 for every normal n}``
    (``c`` from ``offsets``, 0 when not given).

    ``g`` is ``density``; without ``weight`` the factor ``w·u`` is 1. A region of lower
    dimension (or empty) has integral 0. A plain volume is Normaliz's own (its normalised
    volume over d!) unless ``triangulate`` asks for ours, simplex by simplex.
    """
    if density == UNIFORM and weight is None and not triangulate:
        return normaliz.volume(normals, dimension, offsets)
    if density == UNIFORM and weight is not None and not triangulate \
            and all(w >= 0 for w in weight) and sum(weight) <= 1:
        # ∫_R w·u du is the volume of {(u, s) : u ∈ R, 0 <= s <= w·u} one dimension up (w·u
        # stays within [0, 1], so the cube bounds s): Normaliz's volume, no triangulation
        lifted = [[*n, Fraction(0)] for n in normals] + [[*weight, Fraction(-1)]]
        lifted_offsets = [*(offsets or [Fraction(0)] * len(normals)), Fraction(0)]
        return normaliz.volume(lifted, dimension + 1, lifted_offsets)
    return cubature_total(_simplices(normals, dimension, offsets, density), density, weight)


def region_integrals(normals: Sequence[Sequence[Fraction]], dimension: int,
                     density: Univariate, weight: Sequence[Fraction]
                     ) -> tuple[Fraction, Fraction]:
    """``∫ Π_i g(u_i) du`` and ``∫ w·u · Π_i g(u_i) du`` over the region (as
    :func:`region_integral`): for a polynomial density, both from one pass over the same
    simplices and points, so that a caller can check the masses at little cost."""
    if density == UNIFORM:
        return (region_integral(normals, dimension, density),
                region_integral(normals, dimension, density, weight))
    mass, weighted = cubature_totals(_simplices(normals, dimension, None, density), density,
                                     weight)
    assert weighted is not None
    return mass, weighted


def _simplices(normals: Sequence[Sequence[Fraction]], dimension: int,
               offsets: Sequence[Fraction] | None, density: Univariate) -> list[WholeSimplex]:
    """Simplices to integrate ``density`` over: Normaliz's triangulation of the polytope or,
    where that has more than ``FEW_SIMPLICES``, Lawrence's signed decomposition
    (signed_decomposition.py) when cubature.work predicts it costs less — it has fewer
    simplices where there are many vertices and few facets, but larger numbers (the
    triangulation's cost taken as cubature.work_in_cube, before its determinants). Kept in
    this process for the next call on the same polytope and density (``chosen`` and POWER
    integrate over the same regions; the choice is made for the density alone, without a
    weight); worker processes keep theirs only while they run."""
    key = (tuple(map(tuple, normals)), dimension, None if offsets is None else tuple(offsets),
           tuple(density))
    if key in _DECOMPOSED:
        _DECOMPOSED.move_to_end(key)
        return _DECOMPOSED[key]
    generators, indices = normaliz.whole_triangulation(normals, dimension, offsets)
    chosen: list[WholeSimplex] | None = None
    if len(indices) > FEW_SIMPLICES:
        signed = signed_simplices(normals, dimension, offsets)
        if work(signed, density, None) < work_in_cube(
                [lcm(*(generators[k][-1] for k in simplex)) for simplex in indices],
                dimension, density):
            chosen = signed
    if chosen is None:
        chosen = whole_simplices(generators, indices)
    _DECOMPOSED[key] = chosen
    _KEPT[0] += max(len(chosen), 1)  # an empty region counts too: the entries stay bounded
    while _KEPT[0] > DECOMPOSED_KEPT:
        _KEPT[0] -= max(len(_DECOMPOSED.popitem(last=False)[1]), 1)
    return chosen


def forget_decompositions() -> None:
    """Drop the kept decompositions (benchmarks and tests time or compare fresh ones)."""
    _DECOMPOSED.clear()
    _KEPT[0] = 0


def simplex_integral(vertices: list[list[Any]], density: Univariate,
                      weight: Sequence[Fraction] | None, jacobian: Any = None) -> Any:
    """The integral over one simplex. Vertices may be sympy expressions in a parameter;
    then the caller gives the ``jacobian`` (|det| as an expression)."""
    d = len(vertices) - 1
    origin = vertices[0]
    edges = [[v[i] - origin[i] for i in range(d)] for v in vertices[1:]]  # edges[k][i]
    if jacobian is None:
        jacobian = abs(determinant([list(row) for row in edges]))
    if jacobian == 0:
        return Fraction(0)
    if density == UNIFORM and weight is None:
        return jacobian / factorial(d)
    # u_i = origin_i + sum_k edges[k][i] λ_k, as a linear polynomial in λ
    integrand: Polynomial = {(0,) * d: Fraction(1)}
    for i in range(d):
        linear = _linear(origin[i], [edges[k][i] for k in range(d)])
        integrand = _multiply(integrand, _compose(density, linear, d))
    if weight is not None:
        form: Polynomial = {}
        for i, w in enumerate(weight):
            if w:
                for key, c in _linear(origin[i], [edges[k][i] for k in range(d)]).items():
                    form[key] = form.get(key, Fraction(0)) + w * c
        integrand = _multiply(integrand, form)
    total = Fraction(0)
    for exponents, coefficient in integrand.items():
        if coefficient:
            numerator = 1
            for a in exponents:
                numerator *= factorial(a)
            total += coefficient * Fraction(numerator, factorial(sum(exponents) + d))
    return jacobian * total


def _linear(constant: Fraction, coefficients: list[Fraction]) -> Polynomial:
    d = len(coefficients)
    result: Polynomial = {(0,) * d: constant} if constant else {}
    for k, c in enumerate(coefficients):
        if c:
            result[tuple(1 if j == k else 0 for j in range(d))] = c
    return result


def _multiply(left: Polynomial, right: Polynomial) -> Polynomial:
    result: Polynomial = {}
    for a, x in left.items():
        for b, y in right.items():
            key = tuple(i + j for i, j in zip(a, b))
            result[key] = result.get(key, Fraction(0)) + x * y
    return {k: v for k, v in result.items() if v}


def _compose(density: Univariate, linear: Polynomial, d: int) -> Polynomial:
    """``g(ℓ(λ))`` by Horner's rule."""
    result: Polynomial = {}
    for coefficient in reversed(density):
        result = _multiply(result, linear) if result else {}
        if coefficient:
            key = (0,) * d
            result[key] = result.get(key, Fraction(0)) + coefficient
    return result


def expected_best_uniform(points: Sequence[Sequence[Fraction]]) -> Fraction:
    """``E[max_z u·z]`` for u uniform on [0,1]^d and lotteries ``points`` (non-negative,
    summing to at most 1): ``1 − vol{(u, t) ∈ [0,1]^(d+1) : t >= u·z for every z}``, since
    ``E[X] = 1 − ∫_0^1 P[X <= t] dt`` for X in [0, 1]. One polytope one dimension up, where
    integrating ``u·z`` over each optimality region takes one per lottery. From 8 outcomes
    on, the volume is Normaliz's signed decomposition (measured on ring MDPs: 9 outcomes
    2.9 s against 11.0 s, 10 outcomes 12 s against about 60 s; slower below 8)."""
    d = len(points[0])
    normals = [[-x for x in z] + [Fraction(1)] for z in points]
    return 1 - normaliz.volume(normals, d + 1,
                               algorithm="signed" if d >= SIGNED_FROM else "normaliz")


def expected_maximum(density: Univariate, n: int) -> Fraction:
    """``E[max of n i.i.d. draws]`` for a polynomial density on [0, 1]:
    ``∫ x · n F(x)^(n−1) f(x) dx`` with ``F`` the distribution function."""
    cumulative = [Fraction(0)] + [c / (k + 1) for k, c in enumerate(density)]  # F, by powers
    power = [Fraction(1)]
    for _ in range(n - 1):
        power = _times(power, cumulative)
    integrand = _times(_times(power, list(density)), [Fraction(0), Fraction(1)])
    return n * sum((c / (k + 1) for k, c in enumerate(integrand)), Fraction(0))


def expected_order_statistic(density: Univariate, n: int, rank: int) -> Fraction:
    """``E[the rank-th largest of n i.i.d. draws]`` (rank 1: the maximum) for a polynomial
    density on [0, 1]: ``∫ x · n!/((rank−1)!(n−rank)!) F^(n−rank) (1 − F)^(rank−1) f dx``."""
    cumulative = [Fraction(0)] + [c / (k + 1) for k, c in enumerate(density)]  # F, by powers
    survival = [Fraction(1) - cumulative[0]] + [-c for c in cumulative[1:]]  # 1 − F
    integrand = [Fraction(0), Fraction(1)]  # x
    for _ in range(n - rank):
        integrand = _times(integrand, cumulative)
    for _ in range(rank - 1):
        integrand = _times(integrand, survival)
    integrand = _times(integrand, list(density))
    ways = factorial(n) // (factorial(rank - 1) * factorial(n - rank))
    return ways * sum((c / (k + 1) for k, c in enumerate(integrand)), Fraction(0))


def _times(left: Sequence[Fraction], right: Sequence[Fraction]) -> list[Fraction]:
    product = [Fraction(0)] * (len(left) + len(right) - 1)
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            product[i + j] += a * b
    return product
