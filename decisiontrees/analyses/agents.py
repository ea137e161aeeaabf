"""Random agents (THEORY §5–6): choice probabilities, P[V(t_i) > V(t_j)] and POWER.

An agent draws i.i.d. utilities ``u(o)`` from a distribution and picks an optimal child,
breaking ties uniformly. Values are maxima over the lotteries of pure strategies, so the
utility space splits into regions where one lottery ``z`` is optimal:
``R_z = {u : u·(z − z') ≥ 0 for every other lottery z'}``. Every answer is a sum of
integrals over these polytopes, exact (volumes.py) when the density is a polynomial —
i.i.d. U[0,1], ``power(a)`` and ``beta(a, b)`` with whole parameters — and otherwise a
seeded, vectorised Monte Carlo estimate with a 95% confidence interval.

A tie has positive probability only where two children share the optimal lottery, so the
region of ``z`` is split equally among the children that can reach ``z``.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence, Sized
from dataclasses import dataclass
from fractions import Fraction
from math import factorial, prod
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses.integrals import (
    expected_best_uniform,
    expected_maximum,
    expected_order_statistic,
    region_integral,
    region_integrals,
)
from decisiontrees.analyses.plans import describe_plan, plans, reachable_outcomes, value_once
from decisiontrees.analyses.symmetry import Symmetries, exchangeable_blocks
from decisiontrees.errors import CrossCheckFailed, RefusedError, TooManyLotteries
from decisiontrees.model.laws import UNIFORM, Distribution, Univariate
from decisiontrees.model.nodes import (
    Chance,
    Choice,
    Leaf,
    Node,
    is_symbolic,
    outcomes_of,
    postorder,
)
from decisiontrees.model.symbols import simplify
from decisiontrees.solvers import normaliz

Point = tuple[Fraction, ...]
DEFAULT_SAMPLES = 200_000
DEFAULT_SEED = 0
POINT_LIMIT = 2_000
CHUNK = 1 << 15
DEFAULT_PLAN_LIMIT = 1_000
Z95 = 1.959963984540054


# ------------------------------------------------------------------ answers


@dataclass(frozen=True)
class Number:
    """An exact rational, or an estimate with its 95% confidence half-width."""

    value: Fraction | float
    exact: bool
    half_width: float = 0.0

    def __str__(self) -> str:
        if self.exact:
            return str(self.value)
        return f"{self.value:.6f} ± {self.half_width:.6f}"


@dataclass(frozen=True)
class ChoiceAnswer:
    """Probabilities that each child is chosen (ties split), and that a tie happens."""

    chosen: tuple[Number, ...]
    tie: Number
    method: str


@dataclass(frozen=True)
class PairAnswer:
    """P[V(t_i) > V(t_j)], P[V(t_i) = V(t_j)] and P[V(t_i) < V(t_j)]."""

    better: Number
    tie: Number
    worse: Number
    method: str


@dataclass(frozen=True)
class PowerAnswer:
    power: Number
    method: str


# ------------------------------------------------------------------ exact


def lottery_points(tree: Node, outcomes: Sequence[str], limit: int = POINT_LIMIT) -> frozenset[Point]:
    """The distinct lotteries of the tree's pure strategies, as vectors over ``outcomes``
    (of exact functions of the parameters, in canonical form, for a parametric tree)."""
    index = {o: i for i, o in enumerate(outcomes)}
    d = len(outcomes)
    points: dict[int, frozenset[Point]] = {}
    for node in postorder(tree):
        limits.check("listing strategy lotteries")
        if isinstance(node, Leaf):  # an outcome not in ``outcomes`` is never reached: weight 0
            points[id(node)] = frozenset([tuple(Fraction(int(i == index.get(node.outcome)))
                                                 for i in range(d))])
        elif isinstance(node, Choice):
            points[id(node)] = frozenset().union(*(points[id(c)] for c in node.children))
        else:
            assert isinstance(node, Chance)
            combined: set[Point] = {tuple(Fraction(0) for _ in range(d))}
            for p, child in zip(node.probabilities, node.children):
                combined = {tuple(simplify(a + p * b) if node.symbolic else a + p * b
                                  for a, b in zip(x, y))
                            for x in combined for y in points[id(child)]}
                if len(combined) > limit:
                    raise TooManyLotteries(f"more than {limit} distinct strategy lotteries")
            points[id(node)] = frozenset(combined)
        if len(points[id(node)]) > limit:
            raise TooManyLotteries(f"more than {limit} distinct strategy lotteries")
    return points[id(tree)]


def relevant_outcomes(trees: Sequence[Node], order: Sequence[str]) -> tuple[str, ...]:
    """The outcomes some plan reaches with positive probability, in spec order: no other
    outcome's utility can change a value (their leaves carry weight 0 in every lottery)."""
    reached = set().union(*(reachable_outcomes(t) for t in trees))
    return tuple(o for o in order if o in reached)


MAX_EXACT_OUTCOMES = 10


def require_exact_dimension(order: Sized) -> None:
    """Exact answers integrate over polytopes of one dimension per outcome (``order``: the
    outcomes, or a point over them); past MAX_EXACT_OUTCOMES that is refused with the way
    round it."""
    if len(order) > MAX_EXACT_OUTCOMES:
        raise RefusedError(f"an exact answer integrates over {len(order)} dimensions (one per "
                           f"outcome reached), more than {MAX_EXACT_OUTCOMES}; ask for an "
                           "estimate with `samples = N`")


def _sure_outcomes(points: Sequence[Point]) -> list[Point] | None:
    """The points that are one outcome for sure, when every other point only mixes their
    outcomes — then those are the hull's vertices (a lottery over a set of outcomes is a
    mixture of them for sure), and i.i.d. utilities make them exchangeable whatever the
    number of outcomes; else None. Found without a hull computation, so it also answers
    past MAX_EXACT_OUTCOMES."""
    sure = [z for z in points if sum(1 for q in z if q) == 1 and max(z) == 1]
    covered = {k for z in sure for k, q in enumerate(z) if q}
    if not sure or any(q and k not in covered for z in points for k, q in enumerate(z)):
        return None
    return sure


def _one_orbit(points: Sequence[Point]) -> tuple[Fraction, ...] | None:
    """When the (distinct) points other than 0 (a lottery ending outside the outcomes
    counted, never best) are every rearrangement of one lottery — so permuting the outcomes
    maps that set onto itself, and it is one orbit: each is best equally often under i.i.d.
    utilities, and the best is worth its coordinates, largest first, times the utilities in
    the same order (rearrangement inequality) — that lottery's coordinates, largest first;
    else None."""
    moving = {z for z in points if any(z)}
    if not moving:
        return None
    shape = sorted(next(iter(moving)), reverse=True)
    if any(sorted(z, reverse=True) != shape for z in moving):
        return None
    rearrangements = factorial(len(shape)) // prod(factorial(count)
                                                  for count in Counter(shape).values())
    return tuple(shape) if len(moving) == rearrangements else None


def best_is_exchangeable(points: Sequence[Point]) -> bool:
    """Whether permuting the outcomes moves the best of these (distinct) lotteries uniformly
    over a set of them: outcomes for sure with mixtures of them (the best is the largest
    utility among those outcomes), or every rearrangement of one lottery. Then every generic
    orbit ``{σu}`` chooses each of that set equally often."""
    return _sure_outcomes(points) is not None or _one_orbit(points) is not None


def hull_vertices(points: Sequence[Point]) -> list[Point]:
    """The points that are vertices of their convex hull: only those can be the unique best
    on a set of utilities of positive measure (any other is a mixture of them)."""
    if len(points) <= 2:
        return list(points)
    return [points[k] for k in normaliz.hull_vertices(points)]


def optimal_masses(points: Sequence[Point], density: Univariate) -> dict[Point, Fraction]:
    """The probability that each point is the optimal lottery among ``points``: 1/n each
    for n single outcomes, else integrals over the regions of the hull's vertices (0 for
    every other point)."""
    d = len(points[0])
    sure = _sure_outcomes(points)
    if sure is not None and len(set(points)) == len(points):
        return {z: Fraction(int(z in sure), len(sure)) for z in points}
    if _one_orbit(points) is not None:
        moving = {z for z in points if any(z)}
        return {z: Fraction(int(z in moving), len(moving)) for z in points}
    require_exact_dimension(points[0])
    vertices = hull_vertices(points)
    if len(vertices) == 1:
        return {z: Fraction(int(z == vertices[0])) for z in points}
    orbits = Symmetries(vertices).point_orbits()  # equal regions up to a permutation
    regions = [_region(vertices, orbit[0]) for orbit in orbits]
    integrals = limits.parallel_map(region_integral, [(normals, d, density)
                                                      for normals, _ in regions], INTEGRATING)
    return _tiling(points, vertices, orbits,
                   [copies * part for (_, copies), part in zip(regions, integrals)])


INTEGRATING = "integrating over optimality regions"


def _tiling(points: Sequence[Point], vertices: Sequence[Point], orbits: Sequence[Sequence[int]],
            integrals: Sequence[Fraction]) -> dict[Point, Fraction]:
    """Each point's mass from one integral per orbit of hull vertices, checked to sum to 1."""
    masses = {z: Fraction(0) for z in points}
    for orbit, mass in zip(orbits, integrals):
        for k in orbit:
            masses[vertices[k]] = mass
    total = sum(masses.values(), Fraction(0))
    if total != 1:  # the regions tile the cube; anything else is a bug, never an answer
        raise CrossCheckFailed(f"optimality regions have total probability {total}, not 1")
    return masses


def group_masses(points: Sequence[Point], density: Univariate,
                 group: Callable[[Point], Hashable]) -> dict[Hashable, Fraction]:
    """The probability that the optimal lottery lies in each group of ``points`` (groups
    named by ``group``; a group that is never optimal may be missing).

    Under U[0,1] the caller needs only each group's total, so one group's mass may be
    1 minus the others'. That gives up the check that the regions sum to 1, so the regions
    outside the lumped group are then computed a second time by another of Normaliz's
    algorithms (descent in the face lattice or the signed decomposition: no shared
    triangulation), which must agree. That is done only when it is predicted to be
    cheaper, a region's cost taken as its number of facets cubed (measured on 10-outcome
    regions: 15–21 facets 0.08–0.16 s, 51–58 facets 0.55–2 s; see _lumping_pays). On a
    10-outcome tree against one outcome for sure: 3.8 s against 14 s."""
    d = len(points[0])
    if density != UNIFORM.polynomial_density() or len(points) <= 2 or \
            (_sure_outcomes(points) is not None and len(set(points)) == len(points)) or \
            _one_orbit(points) is not None:
        return _sums(optimal_masses(points, density), group)
    require_exact_dimension(points[0])
    vertices = hull_vertices(points)
    orbits = Symmetries(vertices).point_orbits()
    keys = [{group(vertices[k]) for k in orbit} for orbit in orbits]
    alone = Counter(next(iter(found)) for found in keys if len(found) == 1)
    if len(vertices) == 1:
        return {group(vertices[0]): Fraction(1)}
    regions = [_region(vertices, orbit[0]) for orbit in orbits]
    normals = [found for found, _ in regions]

    # a region's volume costs about its facets cubed (see _lumping_pays): a predictor for
    # lumping and for the order in which workers take the regions
    facets = limits.parallel_map(normaliz.facet_count, [(n, d) for n in normals], INTEGRATING)

    def every_region() -> dict[Hashable, Fraction]:  # as optimal_masses would (once)
        parts = limits.parallel_map(normaliz.volume, [(n, d) for n in normals], INTEGRATING,
                                    [count ** 3 for count in facets])
        return _sums(_tiling(points, vertices, orbits, [
            copies * part for (_, copies), part in zip(regions, parts)]), group)

    if not alone:
        return every_region()
    cost = Counter[Hashable]()
    for found, count in zip(keys, facets):
        cost[next(iter(found)) if len(found) == 1 else None] += count ** 3
    lumped = max(alone, key=lambda key: cost[key])
    if not _lumping_pays(cost.total() - cost[lumped], cost[lumped]):
        return every_region()
    kept = [k for k, found in enumerate(keys) if found != {lumped}]
    # first the algorithm Normaliz itself picks (descent for many facets, measured), then the other
    faster = ["descent" if facets[k] > 3 * d else "signed" for k in kept]
    both = limits.parallel_map(normaliz.volume, [
        (normals[k], d, None, algorithm) for k, algorithm in zip(kept, faster)] + [
        (normals[k], d, None, "signed" if algorithm == "descent" else "descent")
        for k, algorithm in zip(kept, faster)], INTEGRATING, [facets[k] ** 3 for k in kept] * 2)
    volumes, again = both[:len(kept)], both[len(kept):]
    masses: dict[Hashable, Fraction] = {lumped: Fraction(1)}
    for k, first, second in zip(kept, volumes, again):
        if first != second:
            raise CrossCheckFailed(f"Normaliz's volume algorithms disagree on an optimality "
                                   f"region ({first} against {second})")
        mass = regions[k][1] * first
        for index in orbits[k]:  # a lumped vertex's mass is already in 1 minus the others
            key = group(vertices[index])
            if key != lumped:
                masses[key] = masses.get(key, Fraction(0)) + mass
                masses[lumped] -= mass
    if masses[lumped] < 0:
        raise CrossCheckFailed(f"optimality regions outside one group have total probability "
                               f"{1 - masses[lumped]}, more than 1")
    return masses


def _lumping_pays(kept_cost: int, lumped_cost: int) -> bool:
    """Whether computing the kept regions twice is predicted to cost less than integrating
    the lumped group's regions too. The second algorithm, the one Normaliz would not choose,
    took 0.9–3 times as long as the first on 10-outcome regions (0.38 s against 0.13 s with
    21 facets, 1.6 s against 0.55 s with 57, 1.6 s against 1.9 s with 53): about twice."""
    return 3 * kept_cost < lumped_cost


def _sums(masses: Mapping[Point, Fraction], group: Callable[[Point], Hashable]
          ) -> dict[Hashable, Fraction]:
    totals: dict[Hashable, Fraction] = {}
    for z, mass in masses.items():
        totals[group(z)] = totals.get(group(z), Fraction(0)) + mass
    return totals


EXACT_METHOD = "exact: polytope integrals (Normaliz triangulation, rational arithmetic)"


def choice_probabilities_exact(children: Sequence[Node], outcomes: Sequence[str],
                               density: Univariate) -> ChoiceAnswer:
    order = relevant_outcomes(children, outcomes)
    sets = [lottery_points(c, order) for c in children]
    union = sorted(frozenset().union(*sets))
    masses = group_masses(union, density,
                          lambda z: tuple(k for k, s in enumerate(sets) if z in s))
    chosen = [Fraction(0)] * len(children)
    tie = Fraction(0)
    for holders, mass in masses.items():
        assert isinstance(holders, tuple)
        for k in holders:
            chosen[k] += mass / len(holders)
        if len(holders) > 1:
            tie += mass
    return ChoiceAnswer(tuple(Number(c, True) for c in chosen), Number(tie, True),
                        _masses_method(union))


def pair_exact(left: Node, right: Node, outcomes: Sequence[str], density: Univariate) -> PairAnswer:
    order = relevant_outcomes([left, right], outcomes)
    mine, theirs = lottery_points(left, order), lottery_points(right, order)
    masses = group_masses(sorted(mine | theirs), density, lambda z: (z in mine, z in theirs))
    better = masses.get((True, False), Fraction(0))
    tie = masses.get((True, True), Fraction(0))
    return PairAnswer(Number(better, True), Number(tie, True), Number(1 - better - tie, True),
                      _masses_method(sorted(mine | theirs)))


EXCHANGEABLE = "exact: the sure outcomes are equally likely to be best (i.i.d. utilities)"


ONE_ORBIT = ("exact: the lotteries are every rearrangement of one lottery, so each is best "
             "equally often (i.i.d. utilities)")


def _masses_method(points: Sequence[Point]) -> str:
    """How :func:`optimal_masses` answered for these (distinct) points."""
    if _sure_outcomes(points) is not None:
        return EXCHANGEABLE
    return ONE_ORBIT if _one_orbit(points) is not None else EXACT_METHOD


CLOSED_FORM = "exact: the expected maximum of i.i.d. utilities (order statistics)"


def power_exact(tree: Node, outcomes: Sequence[str], density: Univariate) -> PowerAnswer:
    """``E[V_u(tree)]`` exactly. At a chance node ``V_u`` is its children's values weighted
    by their probabilities, for every ``u``, so POWER is their POWERs weighted alike: each
    child has fewer lotteries (a product of its siblings' counts otherwise), and often fewer
    outcomes."""
    if not isinstance(tree, Chance) or is_symbolic(tree):
        return _power_of_lotteries(tree, outcomes, density)
    weights: dict[int, Fraction] = {}  # each node below the chance nodes, shared ones once
    below: dict[int, Node] = {}
    pending: list[tuple[Fraction, Node]] = [(Fraction(1), tree)]
    while pending:  # nested chance nodes too: one weighted sum over what follows them
        limits.check("splitting POWER over chance outcomes")
        weight, node = pending.pop()
        if isinstance(node, Chance):  # a branch of probability 0 adds nothing (nor costs)
            pending.extend((weight * Fraction(p), child)
                           for p, child in zip(node.probabilities, node.children) if p)
        else:
            weights[id(node)] = weights.get(id(node), Fraction(0)) + weight
            below[id(node)] = node
    parts = [(weights[key], _power_of_lotteries(node, outcomes, density))
             for key, node in below.items()]
    total = sum((weight * part.power.value for weight, part in parts), Fraction(0))
    ways = " and ".join(dict.fromkeys(part.method.removeprefix("exact: ") for _, part in parts))
    return PowerAnswer(Number(total, True), "exact: the POWER of what follows each chance "
                       f"outcome, weighted by its probability (E[V] is linear); each by {ways}")


def _power_of_lotteries(tree: Node, outcomes: Sequence[str],
                        density: Univariate) -> PowerAnswer:
    """``E[max_z u·z]`` over the tree's strategy lotteries ``z``."""
    order = relevant_outcomes([tree], outcomes)
    points = sorted(lottery_points(tree, order))
    sure = _sure_outcomes(points)
    if sure is not None:  # the maximum of n i.i.d. draws: order statistics
        return PowerAnswer(Number(expected_maximum(density, len(sure)), True), CLOSED_FORM)
    shape = _one_orbit(points)
    if shape is not None:  # the largest weight on the largest utility, and so on
        value = sum((q * expected_order_statistic(density, len(shape), rank)
                     for rank, q in enumerate(shape, 1) if q), Fraction(0))
        return PowerAnswer(Number(value, True), "exact: every rearrangement of one lottery, "
                           "worth its weights against the utilities' order statistics")
    require_exact_dimension(order)
    points = hull_vertices(points)
    if density == UNIFORM.polynomial_density():
        return PowerAnswer(Number(expected_best_uniform(points), True), EXACT_METHOD)
    orbits = Symmetries(points).point_orbits()  # ∫ u·z over R_z is the same on an orbit
    regions = [_region(points, orbit[0]) for orbit in orbits]  # the cuts' swaps fix z too
    integrals = limits.parallel_map(region_integrals, [
        (normals, len(order), density, points[orbit[0]])
        for orbit, (normals, _) in zip(orbits, regions)], INTEGRATING)
    total = sum((len(orbit) * copies * value for orbit, (_, copies), (_, value)
                 in zip(orbits, regions, integrals)), Fraction(0))
    mass = sum((len(orbit) * copies * part for orbit, (_, copies), (part, _)
                in zip(orbits, regions, integrals)), Fraction(0))
    if mass != 1:  # the regions tile the cube; anything else is a bug, never an answer
        raise CrossCheckFailed(f"optimality regions have total probability {mass}, not 1")
    return PowerAnswer(Number(total, True), EXACT_METHOD)


def _normals(points: Sequence[Point], k: int) -> list[list[Fraction]]:
    """The region where ``points[k]`` is optimal: ``(z − z')·u ≥ 0`` for every other z'."""
    z = points[k]
    return [[a - b for a, b in zip(z, other)] for other in points if other != z]


def _region(points: Sequence[Point], k: int) -> tuple[list[list[Fraction]], int]:
    """The region where ``points[k]`` is optimal, cut to one of the ``copies`` parts that its
    exchangeable outcomes' orderings make (symmetry.exchangeable_blocks): its normals, and
    how many times the part's integral goes into the region's. The part costs Normaliz
    0.4–0.7 of the whole on 10-outcome regions, whose parts have fewer vertices."""
    normals = _normals(points, k)
    blocks = exchangeable_blocks(points, k)
    d = len(points[k])
    for block in blocks:
        for low, high in zip(block, block[1:]):
            normals.append([Fraction(int(c == high) - int(c == low)) for c in range(d)])
    return normals, prod(factorial(len(block)) for block in blocks)


@dataclass(frozen=True)
class PlanGroup:
    """Plans that induce one lottery, and the probability that the agent's plan is one of
    them (plans with equal lotteries are indistinguishable by utility: ties split them)."""

    plans: tuple[str, ...]
    lottery: Mapping[str, Fraction]
    probability: Number


@dataclass(frozen=True)
class PlanAnswer:
    """The random agent's whole choice: each plan group's probability, and each outcome's."""

    groups: tuple[PlanGroup, ...]
    outcomes: Mapping[str, Number]
    method: str


def plan_probabilities(tree: Node, outcomes: Sequence[str], distribution: Distribution = UNIFORM,
                       sampling: Sampling | None = None, limit: int = DEFAULT_PLAN_LIMIT
                       ) -> PlanAnswer:
    """The probability that the agent's plan (optimal at every node it reaches) is each
    plan of the tree, and that each outcome happens; exact for polynomial densities."""
    listed = [(describe_plan(tree, p.plan) or "(no choices)", p.lottery)
              for p in plans(tree, limit)]
    order = relevant_outcomes([tree], outcomes)
    grouped: dict[Point, list[str]] = {}
    for description, lottery in listed:
        point = tuple(lottery.get(o, Fraction(0)) for o in order)
        grouped.setdefault(point, []).append(description)
    points = sorted(grouped)
    density = distribution.polynomial_density()
    if density is not None and sampling is None:
        masses = optimal_masses(points, density) if len(points) > 1 else {points[0]: Fraction(1)}
        shares = {z: Number(m, True) for z, m in masses.items()}
        reached = {o: Number(sum((m * z[i] for z, m in masses.items()), Fraction(0)), True)
                   for i, o in enumerate(order)}
        method = EXACT_METHOD
    else:
        sampling = sampling or Sampling()
        shares, reached = _plan_shares_sampled(points, order, distribution, sampling)
        method = sampling.method(distribution)
    groups = tuple(PlanGroup(tuple(grouped[z]), {o: q for o, q in zip(order, z) if q},
                             shares[z]) for z in points)
    ranked = tuple(sorted(groups, key=lambda g: -float(g.probability.value)))
    return PlanAnswer(ranked, reached, method)


def _plan_shares_sampled(points: Sequence[Point], order: Sequence[str],
                         distribution: Distribution, sampling: Sampling
                         ) -> tuple[dict[Point, Number], dict[str, Number]]:
    import numpy as np

    matrix = np.array([[float(x) for x in z] for z in points])  # plans × outcomes
    rng = np.random.default_rng(sampling.seed)
    draw = distribution.sampler()
    counts = np.zeros(len(points))
    done = 0
    while done < sampling.samples:
        limits.check(f"sampling ({done} of {sampling.samples} samples done)")
        size = min(CHUNK, sampling.samples - done)
        values = draw(rng, (size, len(order))) @ matrix.T  # samples × plans
        counts += np.bincount(values.argmax(axis=1), minlength=len(points))
        done += size
    n = sampling.samples
    shares = {z: sample_mean(float(c), float(c), n) for z, c in zip(points, counts)}
    reached = {}
    for i, outcome in enumerate(order):
        weights = matrix[:, i]
        total = float((counts * weights).sum())
        squares = float((counts * weights * weights).sum())
        reached[outcome] = sample_mean(total, squares, n)
    return shares, reached


# ------------------------------------------------------------------ Monte Carlo


def sampled_values(roots: Sequence[Node], outcomes: Sequence[str], draws: Any) -> list[Any]:
    """Each root's value under every row of ``draws`` (samples × outcomes), vectorised."""
    import numpy as np

    index = {o: i for i, o in enumerate(outcomes)}
    order = []
    seen: set[int] = set()
    for root in roots:
        for node in postorder(root):
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
    users: dict[int, int] = {}
    for node in order:
        for child in getattr(node, "children", ()):
            users[id(child)] = users.get(id(child), 0) + 1
    keep = {id(r) for r in roots}
    values: dict[int, Any] = {}
    for node in order:
        if isinstance(node, Leaf):  # an outcome not in ``outcomes`` is never reached: weight 0
            values[id(node)] = draws[:, index[node.outcome]] if node.outcome in index \
                else np.zeros(draws.shape[0])
        elif isinstance(node, Choice):
            values[id(node)] = np.max(np.stack([values[id(c)] for c in node.children]), axis=0) \
                if len(node.children) > 1 else values[id(node.children[0])]
        else:
            assert isinstance(node, Chance)
            total = np.zeros(draws.shape[0])
            for p, child in zip(node.probabilities, node.children):
                if p:
                    total += float(p) * values[id(child)]
            values[id(node)] = total
        for child in getattr(node, "children", ()):
            users[id(child)] -= 1
            if users[id(child)] == 0 and id(child) not in keep:
                del values[id(child)]  # free memory as soon as no parent needs it
    return [values[id(r)] for r in roots]


@dataclass(frozen=True)
class Sampling:
    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED

    def method(self, distribution: Distribution) -> str:
        return (f"estimate: Monte Carlo, {self.samples} samples, seed {self.seed}, "
                f"{distribution}; ± is a 95% confidence interval")


def _batches(roots: Sequence[Node], outcomes: Sequence[str], distribution: Distribution,
             sampling: Sampling) -> Any:
    """Yield the draws (samples × outcomes) and the roots' values batch by batch, showing
    progress on a terminal."""
    import numpy as np

    rng = np.random.default_rng(sampling.seed)
    draw = distribution.sampler()
    done, started = 0, time.monotonic()
    while done < sampling.samples:
        limits.check(f"sampling ({done} of {sampling.samples} samples done)")
        size = min(CHUNK, sampling.samples - done)
        draws = draw(rng, (size, len(outcomes)))
        yield draws, sampled_values(roots, outcomes, draws)
        done += size
        if sys.stderr.isatty() and time.monotonic() - started > 1:
            print(f"\r  sampling {done}/{sampling.samples}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty() and time.monotonic() - started > 1:
        print(file=sys.stderr)


def sample_mean(total: float, squares: float, n: int) -> Number:
    mean = total / n
    variance = max(squares / n - mean * mean, 0.0)
    return Number(mean, False, Z95 * (variance / n) ** 0.5)


AMBIGUOUS = 1e-9  # of a sample's largest |utility|: closer values are compared exactly


def _near(a: Any, b: Any, draws: Any) -> Any:
    """Samples where ``a`` and ``b`` (values of trees) are too close for floating point to
    order: within AMBIGUOUS of the sample's scale (its largest |utility|; every value is a
    mixture of utilities, so its rounding error is far below that)."""
    import numpy as np

    return np.abs(a - b) <= AMBIGUOUS * np.abs(draws).max(axis=1)


def _exact_values(roots: Sequence[Node], outcomes: Sequence[str], draw: Any) -> list[Fraction]:
    """The roots' values at one sample, exactly: each drawn utility is a binary fraction,
    so equal lotteries tie and unequal ones are told apart whatever their size."""
    utility: dict[str, Fraction] = dict.fromkeys(
        {o for r in roots for o in outcomes_of(r)}, Fraction(0))
    utility.update({o: Fraction(float(x)) for o, x in zip(outcomes, draw)})
    return [value_once(root, utility) for root in roots]


def choice_probabilities_sampled(children: Sequence[Node], outcomes: Sequence[str],
                                 distribution: Distribution, sampling: Sampling) -> ChoiceAnswer:
    import numpy as np

    order = relevant_outcomes(children, outcomes)
    sums = np.zeros(len(children))
    squares = np.zeros(len(children))
    ties = 0.0
    for draws, values in _batches(children, order, distribution, sampling):
        stacked = np.stack(values)
        best = stacked.max(axis=0)
        optimal = stacked == best
        near = _near(stacked, best, draws).sum(axis=0) > 1  # a second child close to the best
        for row in np.flatnonzero(near):  # too close to call in floats: decide exactly
            limits.check("comparing close samples exactly")
            exact = _exact_values(children, order, draws[row])
            top = max(exact)
            optimal[:, row] = [v == top for v in exact]
        count = optimal.sum(axis=0)
        shares = optimal / count
        sums += shares.sum(axis=1)
        squares += (shares * shares).sum(axis=1)
        ties += float((count > 1).sum())
    n = sampling.samples
    chosen = tuple(sample_mean(float(s), float(q), n) for s, q in zip(sums, squares))
    return ChoiceAnswer(chosen, sample_mean(ties, ties, n), sampling.method(distribution))


def pair_sampled(left: Node, right: Node, outcomes: Sequence[str], distribution: Distribution,
                 sampling: Sampling) -> PairAnswer:
    import numpy as np

    order = relevant_outcomes([left, right], outcomes)
    better = tie = 0.0
    for draws, (mine, theirs) in _batches([left, right], order, distribution, sampling):
        ahead, equal = mine > theirs, mine == theirs
        for row in np.flatnonzero(_near(mine, theirs, draws)):  # decide these exactly
            limits.check("comparing close samples exactly")
            exact_mine, exact_theirs = _exact_values([left, right], order, draws[row])
            ahead[row], equal[row] = exact_mine > exact_theirs, exact_mine == exact_theirs
        better += float(ahead.sum())
        tie += float(equal.sum())
    n = sampling.samples
    worse = n - better - tie
    return PairAnswer(sample_mean(better, better, n), sample_mean(tie, tie, n), sample_mean(worse, worse, n),
                      sampling.method(distribution))


def power_sampled(tree: Node, outcomes: Sequence[str], distribution: Distribution,
                  sampling: Sampling) -> PowerAnswer:
    order = relevant_outcomes([tree], outcomes)
    total = squares = 0.0
    for _, (values,) in _batches([tree], order, distribution, sampling):
        total += float(values.sum())
        squares += float((values * values).sum())
    return PowerAnswer(sample_mean(total, squares, sampling.samples), sampling.method(distribution))


# ------------------------------------------------------------------ the public questions


def choice_probabilities(children: Sequence[Node], outcomes: Sequence[str],
                         distribution: Distribution = UNIFORM,
                         sampling: Sampling | None = None) -> ChoiceAnswer:
    """How often each child is chosen; exact unless the density is not a polynomial or
    ``sampling`` asks for an estimate."""
    density = distribution.polynomial_density()
    if density is not None and sampling is None:
        return choice_probabilities_exact(children, outcomes, density)
    return choice_probabilities_sampled(children, outcomes, distribution, sampling or Sampling())


def prefer_probability(left: Node, right: Node, outcomes: Sequence[str],
                       distribution: Distribution = UNIFORM,
                       sampling: Sampling | None = None) -> PairAnswer:
    """P[V(left) > V(right)], with the tie and reverse probabilities."""
    density = distribution.polynomial_density()
    if density is not None and sampling is None:
        return pair_exact(left, right, outcomes, density)
    return pair_sampled(left, right, outcomes, distribution, sampling or Sampling())


def power(tree: Node, outcomes: Sequence[str], distribution: Distribution = UNIFORM,
          sampling: Sampling | None = None) -> PowerAnswer:
    """POWER: the expected optimal value ``E[V_u(t)]``."""
    density = distribution.polynomial_density()
    if density is not None and sampling is None:
        return power_exact(tree, outcomes, density)
    return power_sampled(tree, outcomes, distribution, sampling or Sampling())
