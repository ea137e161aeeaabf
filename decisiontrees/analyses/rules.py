"""Random agents under decision rules other than the optimiser (Turner & Tadepalli 2022).

The options at a choice node are the distinct lotteries ``z`` below it; a rule gives each a
probability from the expected utilities ``u·z`` (model/rules.py), and an alternative's share
is the total probability of its options, an option reached by several alternatives split
equally among them. Distinct options tie with probability 0 under a continuous law.

Exact methods, for laws with a polynomial density:

* rank-based rules (``best_of``, ``best_of_distinct``, ``quantilizer``) depend on ``u`` only
  through the ranking of the options. ``P[the top r options are S]`` is the integral over
  ``{u : u·s ≥ u·o for s in S, o not in S}``; every top set of full dimension extends one of
  size r − 1, so the top sets are found layer by layer, and ``P[rank of z = r]`` follows;
* ``satisficer(θ)``: the options with ``u·z ≥ θ`` are always a top set, with probability the
  integral over ``{u·s ≥ θ for s in S, u·o ≤ θ otherwise}`` (a polytope not through 0);
* ``boltzmann(T)`` has transcendental probabilities: under i.i.d. U[0,1] a certified interval
  from a composite Gauss–Legendre rule in every coordinate, whose error is bounded by the
  analytic-function bound of Gauss quadrature (the shares are analytic and bounded in a strip
  ``|Im u_k| < πT``; see ``_one_axis_bound``), widened by ``1e-10`` for floating-point
  rounding. Other laws are sampled.

Every exact answer is checked: the probabilities of each layer of top sets (and of the
satisficing sets) must sum to 1, or the answer is a failed internal check, never a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses.agents import (
    CHUNK,
    Number,
    Point,
    Sampling,
    lottery_points,
    optimal_masses,
    relevant_outcomes,
    require_exact_dimension,
    sample_mean,
)
from decisiontrees.analyses.integrals import region_integral
from decisiontrees.analyses.symmetry import Symmetries
from decisiontrees.errors import CrossCheckFailed, RefusedError
from decisiontrees.model.laws import Distribution, Univariate
from decisiontrees.model.nodes import Node
from decisiontrees.model.rules import DecisionRule, rank_weight
from decisiontrees.solvers import normaliz

TOP_SET_LIMIT = 5_000
DEFAULT_WIDTH = Fraction(1, 10**4)
GRID_LIMIT = 50_000_000  # nodes of the Boltzmann quadrature rule (~5 s for 7 options)
# Floating-point error of the weighted sum: each share is within a few ulps, node weights
# (products of d numpy Gauss weights) within ~d ulps, nodes within an ulp (moving a share by
# at most |∇f|·ulp ≤ ulp/T), and summing ≤ 2^15 rows per chunk and ≤ 2^10 chunks adds at
# most ~(2^15 + 2^10)·2^-53 ≈ 4e-12 relative; 1e-10 covers that with room (the quadrature
# test checks against scipy)
ROUNDING_MARGIN = 1e-10


@dataclass(frozen=True)
class RuleChoice:
    """Each alternative's probability of being chosen under a rule, and of a shared option
    being chosen (the rule's analogue of a tie). ``intervals`` holds certified bounds when
    the answer is an interval (Boltzmann), else None."""

    chosen: tuple[Number, ...]
    tie: Number
    method: str
    intervals: tuple[tuple[Fraction, Fraction], ...] | None = None
    tie_interval: tuple[Fraction, Fraction] | None = None


def _options(children: Sequence[Node], outcomes: Sequence[str]
             ) -> tuple[tuple[str, ...], list[frozenset[Point]], list[Point]]:
    order = relevant_outcomes(children, outcomes)
    sets = [lottery_points(c, order) for c in children]
    return order, sets, sorted(frozenset().union(*sets))


def _split(sets: Sequence[frozenset[Point]], options: Sequence[Point],
           probability: dict[Point, Fraction], apart: bool = False
           ) -> tuple[list[Fraction], Fraction]:
    """Each alternative's share of the options' probabilities and the tie; an option that
    several alternatives reach is split equally among them, or with ``apart`` given to none
    (it is only the tie: `prefers` counts options one tree alone offers)."""
    chosen = [Fraction(0)] * len(sets)
    tie = Fraction(0)
    for z in options:
        holders = [k for k, s in enumerate(sets) if z in s]
        for k in holders if len(holders) == 1 or not apart else ():
            chosen[k] += probability[z] / len(holders)
        if len(holders) > 1:
            tie += probability[z]
    return chosen, tie


def _split_matrix(sets: Sequence[frozenset[Point]], options: Sequence[Point],
                  apart: bool = False) -> Any:
    """Options × (alternatives + 1): each alternative's share of an option (as in
    :func:`_split`), and in the last column 1 for an option shared (a tie)."""
    import numpy as np

    split = np.zeros((len(options), len(sets) + 1))
    for i, z in enumerate(options):
        holders = [k for k, s in enumerate(sets) if z in s]
        for k in holders if len(holders) == 1 or not apart else ():
            split[i, k] = 1 / len(holders)
        if len(holders) > 1:
            split[i, -1] = 1.0
    return split


# ------------------------------------------------------------------ exact


def top_sets(options: Sequence[Point], density: Univariate, depth: int | None = None,
             measure: bool = True, symmetries: Symmetries | None = None
             ) -> list[dict[frozenset[int], Fraction]]:
    """``layers[r][S] = P[the r best options are S]`` for r = 0 … depth (default: all),
    keeping only sets of positive probability. Without ``measure`` the sets are found by a
    dimension test alone and every probability is given as 1 (the satisficer needs only the
    sets). Sets in one orbit under outcome permutations fixing the options share a value."""
    n, d = len(options), len(options[0])
    depth = n if depth is None else min(depth, n)
    symmetries = Symmetries(options) if symmetries is None else symmetries
    layers: list[dict[frozenset[int], Fraction]] = [{frozenset(): Fraction(1)}]
    for r in range(1, depth + 1):
        layer: dict[frozenset[int], Fraction] = {}
        for below in layers[-1]:
            for k in range(n):
                top = below | {k}
                if k in below or top in layer:
                    continue
                limits.check(f"integrating over the regions where {r} options are best")
                if len(top) == n:
                    layer[top] = Fraction(1)
                    continue
                normals = [[a - b for a, b in zip(options[s], options[o])]
                           for s in top for o in range(n) if o not in top]
                value = region_integral(normals, d, density) if measure else \
                    Fraction(int(normaliz.full_dimensional(normals, d)))
                for image in symmetries.orbit(top):
                    layer[image] = value
                if len(layer) > TOP_SET_LIMIT:
                    raise RefusedError(f"more than {TOP_SET_LIMIT} sets of best options; ask "
                                       "with samples = N")
        layer = {s: p for s, p in layer.items() if p}
        if measure and sum(layer.values(), Fraction(0)) != 1:
            raise CrossCheckFailed(f"the sets of {r} best options have total probability "
                                   f"{sum(layer.values(), Fraction(0))}, not 1")
        layers.append(layer)
    return layers


def _rank_based(options: Sequence[Point], rule: DecisionRule, density: Univariate
                ) -> dict[Point, Fraction]:
    n = len(options)
    weights = [rank_weight(rule, r, n) for r in range(1, n + 1)]
    depth = max((r for r, w in enumerate(weights, 1) if w), default=1)
    layers = top_sets(options, density, depth)
    probability = {}
    for k, z in enumerate(options):
        within = [sum((p for s, p in layer.items() if k in s), Fraction(0)) for layer in layers]
        probability[z] = sum((weights[r - 1] * (within[r] - within[r - 1])
                              for r in range(1, depth + 1)), Fraction(0))
    return probability


def _satisficer(options: Sequence[Point], threshold: Fraction, density: Univariate
                ) -> dict[Point, Fraction]:
    n, d = len(options), len(options[0])
    symmetries = Symmetries(options)
    probability = {z: Fraction(0) for z in options}
    masses: dict[frozenset[int], Fraction] = {}
    total = Fraction(0)
    for layer in top_sets(options, density, measure=False, symmetries=symmetries):
        for top in layer:
            if top not in masses:
                limits.check("integrating over the regions where a set of options satisfices")
                normals = [list(options[k]) if k in top else [-a for a in options[k]]
                           for k in range(n)]
                offsets = [-threshold if k in top else threshold for k in range(n)]
                mass = region_integral(normals, d, density, offsets=offsets)
                for image in symmetries.orbit(top):
                    masses[image] = mass
            total += masses[top]
            for k in (top or range(n)):
                probability[options[k]] += masses[top] / (len(top) or n)
    if total != 1:
        raise CrossCheckFailed(f"the satisficing sets have total probability {total}, not 1")
    return probability


def option_probabilities(options: Sequence[Point], rule: DecisionRule, density: Univariate
                         ) -> dict[Point, Fraction]:
    """The exact probability that the rule picks each option (not for ``boltzmann``)."""
    if len(options) == 1:
        return {options[0]: Fraction(1)}
    if rule.kind == "optimal":
        return optimal_masses(list(options), density)
    if rule.kind == "satisficer":
        assert rule.parameter is not None
        return _satisficer(options, rule.parameter, density)
    if rule.kind == "boltzmann":
        raise ValueError("Boltzmann probabilities are not rational; use boltzmann_intervals")
    return _rank_based(options, rule, density)


def exact_method(rule: DecisionRule) -> str:
    return (f"exact: {rule.describe()}; polytope integrals over the regions where each set of "
            "options is best" + (" or satisfices" if rule.kind == "satisficer" else "") +
            " (Normaliz, rational arithmetic)")


def choice_exact(children: Sequence[Node], outcomes: Sequence[str], rule: DecisionRule,
                 density: Univariate, apart: bool = False) -> RuleChoice:
    order, sets, options = _options(children, outcomes)
    require_exact_dimension(order)
    chosen, tie = _split(sets, options, option_probabilities(options, rule, density), apart)
    return RuleChoice(tuple(Number(c, True) for c in chosen), Number(tie, True),
                      exact_method(rule))


# ------------------------------------------------------------------ Boltzmann, certified


@dataclass(frozen=True)
class GaussRule:
    """A composite Gauss–Legendre rule on [0, 1] (``pieces`` equal pieces, ``points`` nodes on
    each) used in every coordinate, and a bound on its error for any Boltzmann share."""

    points: int
    pieces: int
    bound: float  # the tensor rule's error, all coordinates together

    @property
    def nodes_per_axis(self) -> int:
        return self.points * self.pieces


def _one_axis_bound(points: int, pieces: int, temperature: float) -> float:
    """Error of the composite rule in one coordinate, the others fixed at real values.

    An n-point Gauss rule (positive weights) is exact for polynomials of degree 2n − 1, so on
    [−1, 1] its error is at most 4·E(f), E the best uniform error of such a polynomial; for f
    analytic with ``|f| ≤ M`` in the Bernstein ellipse ``E_ρ`` the Chebyshev coefficients
    satisfy ``|a_k| ≤ 2Mρ^(−k)`` (Trefethen, *Approximation Theory and Approximation
    Practice*, Thm 8.1), so ``E ≤ 2Mρ^(1−2n)/(ρ − 1)``. Over [0, 1] in equal pieces the error
    is at most ``4Mρ^(1−2n)/(ρ − 1)``, ρ taken for one piece. A share
    ``Σ_i w_i e^(z_i) / Σ_j e^(z_j)`` with ``z_j = u·z_j/T``, weights in [0, 1] and
    lotteries in [0, 1]^d is analytic wherever ``|Im u_k| ≤ β < πT``: every ``Im z_j`` then
    lies in one interval of length ``θ = β/T``, so the denominator's terms point within
    ``θ/2`` of a common direction and ``|f| ≤ 1/cos(θ/2)``. A piece of half-length L has an
    ellipse of half-height ``L(ρ − 1/ρ)/2 = β``; the best θ in (0, π) is found on a grid
    (any θ gives a valid bound)."""
    half = 1 / (2 * pieces)
    best = math.inf
    for step in range(1, 40):
        theta = math.pi * step / 40
        beta = theta * temperature
        spread = 2 * beta / half  # ρ − 1/ρ
        rho = (spread + math.sqrt(spread * spread + 4)) / 2
        logged = (math.log(4) - math.log(math.cos(theta / 2))
                  + (1 - 2 * points) * math.log(rho) - math.log(rho - 1))
        best = min(best, math.exp(logged) if logged > -700 else 0.0)
    return best * (1 + 1e-9)


def gauss_rule(temperature: Fraction, width: Fraction, d: int) -> GaussRule:
    """The cheapest composite rule whose certified half-width (quadrature error over d
    coordinates plus ROUNDING_MARGIN) is at most ``width/2``, among rules with at most
    GRID_LIMIT nodes; if none reaches it, the most accurate such rule."""
    t = float(temperature)
    wanted = float(width) / 2 - ROUNDING_MARGIN
    best: GaussRule | None = None
    for per_axis in range(1, int(GRID_LIMIT ** (1 / d)) + 2):
        if per_axis ** d > GRID_LIMIT and per_axis > 1:
            break
        for pieces in range(1, per_axis + 1):
            if per_axis % pieces:
                continue
            points = per_axis // pieces
            rule = GaussRule(points, pieces, d * _one_axis_bound(points, pieces, t))
            if rule.bound <= wanted:
                return rule
            if best is None or rule.bound < best.bound:
                best = rule
    assert best is not None
    return best


def _legendre(points: int, pieces: int) -> tuple[Any, Any]:
    """Nodes and weights (summing to 1) of the composite rule on [0, 1]."""
    import numpy as np

    x, w = np.polynomial.legendre.leggauss(points)
    starts = np.arange(pieces) / pieces
    nodes = (starts[:, None] + (x[None, :] + 1) / (2 * pieces)).ravel()
    weights = np.tile(w / (2 * pieces), pieces)
    return nodes, weights


def boltzmann_choice(children: Sequence[Node], outcomes: Sequence[str],
                     temperature: Fraction, width: Fraction = DEFAULT_WIDTH,
                     apart: bool = False) -> RuleChoice:
    """Certified intervals for each alternative's share under i.i.d. U[0,1] utilities."""
    import numpy as np

    order, sets, options = _options(children, outcomes)
    d, n = len(order), len(options)
    split = _split_matrix(sets, options, apart)
    if n == 1 or d == 0:
        chosen, tie = _split(sets, options, {options[0]: Fraction(1)}, apart)
        return RuleChoice(tuple(Number(c, True) for c in chosen), Number(tie, True),
                          "exact: a single option")
    rule = gauss_rule(temperature, width, d)
    nodes, node_weights = _legendre(rule.points, rule.pieces)
    m = rule.nodes_per_axis
    matrix = np.array([[float(x) for x in z] for z in options]) / float(temperature)
    total = np.zeros(len(children) + 1)
    cells = m ** d
    for start in range(0, cells, CHUNK):
        limits.check(f"Boltzmann quadrature ({start} of {cells} nodes)")
        index = np.arange(start, min(start + CHUNK, cells))
        u = np.empty((len(index), d))
        weight = np.ones(len(index))
        for axis in range(d):
            position = (index // m ** axis) % m
            u[:, axis] = nodes[position]
            weight *= node_weights[position]
        x = u @ matrix.T
        x -= x.max(axis=1, keepdims=True)
        shares = np.exp(x)
        shares /= shares.sum(axis=1, keepdims=True)
        total += weight @ (shares @ split)
    slack = rule.bound + ROUNDING_MARGIN
    # a column without options (an alternative reaching nothing new, or no shared option)
    # is exactly 0: no interval needed
    intervals = tuple((Fraction(0), Fraction(0)) if not split[:, k].any() else
                      (max(Fraction(0), Fraction(float(v) - slack)),
                       min(Fraction(1), Fraction(float(v) + slack)))
                      for k, v in enumerate(total))
    method = (f"certified interval: Boltzmann T = {temperature}, i.i.d. U[0,1]; Gauss–Legendre "
              f"rule with {rule.points} nodes on each of {rule.pieces} piece"
              f"{'s' if rule.pieces > 1 else ''} per outcome ({m}^{d} nodes), error at most "
              f"{rule.bound:.2e} (analytic bound) plus {ROUNDING_MARGIN:g} for rounding")
    if 2 * slack > width:
        method += (f"; NOT the width asked for ({width}): a rule that reaches it would evaluate "
                   "more nodes than the limit, so this interval is as narrow as the limit "
                   "allows")
    numbers = tuple(Number(float(v), False, slack) for v in total)
    return RuleChoice(numbers[:-1], numbers[-1], method, intervals[:-1], intervals[-1])


# ------------------------------------------------------------------ Monte Carlo


def choice_sampled(children: Sequence[Node], outcomes: Sequence[str], rule: DecisionRule,
                   distribution: Distribution, sampling: Sampling, apart: bool = False
                   ) -> RuleChoice:
    """Estimates of each alternative's share under any rule and law."""
    import numpy as np

    order, sets, options = _options(children, outcomes)
    n = len(options)
    matrix = np.array([[float(x) for x in z] for z in options])
    split = _split_matrix(sets, options, apart)
    rank_weights = None
    if rule.kind in ("optimal", "best_of", "best_of_distinct", "quantilizer"):
        rank_weights = np.array([float(rank_weight(rule, r, n)) for r in range(1, n + 1)])
    rng = np.random.default_rng(sampling.seed)
    draw = distribution.sampler()
    sums = np.zeros(len(children) + 1)
    squares = np.zeros(len(children) + 1)
    done = 0
    while done < sampling.samples:
        limits.check(f"sampling ({done} of {sampling.samples} samples done)")
        size = min(CHUNK, sampling.samples - done)
        values = draw(rng, (size, len(order))) @ matrix.T  # samples × options
        if rank_weights is not None:
            ranks = np.argsort(np.argsort(-values, axis=1), axis=1)
            probabilities = rank_weights[ranks]
        elif rule.kind == "boltzmann":
            x = values / float(rule.parameter or 1)
            x -= x.max(axis=1, keepdims=True)
            probabilities = np.exp(x)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
        else:
            satisfied = values >= float(rule.parameter or 0)
            none = ~satisfied.any(axis=1)
            satisfied[none] = True
            probabilities = satisfied / satisfied.sum(axis=1, keepdims=True)
        shares = probabilities @ split
        sums += shares.sum(axis=0)
        squares += (shares * shares).sum(axis=0)
        done += size
    numbers = tuple(sample_mean(float(s), float(q), sampling.samples) for s, q in zip(sums, squares))
    return RuleChoice(numbers[:-1], numbers[-1],
                      f"{sampling.method(distribution)}; rule: {rule.describe()}")


def rule_choice(children: Sequence[Node], outcomes: Sequence[str], rule: DecisionRule,
                distribution: Distribution, sampling: Sampling | None = None,
                width: Fraction = DEFAULT_WIDTH, apart: bool = False) -> RuleChoice:
    """Each alternative's share under ``rule``: exact, certified (Boltzmann under U[0,1])
    or sampled (other laws, or when ``sampling`` asks). With ``apart`` an option several
    alternatives reach counts only in the tie (see :func:`_split`)."""
    density = distribution.polynomial_density()
    if sampling is None and rule.kind == "boltzmann" and density == (Fraction(1),):
        return boltzmann_choice(children, outcomes, rule.parameter or Fraction(1), width,
                                apart)
    if sampling is None and density is not None and rule.kind != "boltzmann":
        return choice_exact(children, outcomes, rule, density, apart)
    return choice_sampled(children, outcomes, rule, distribution, sampling or Sampling(),
                          apart)
