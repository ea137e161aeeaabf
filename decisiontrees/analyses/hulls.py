"""``L(worse) ⊆ L(better)`` through the convex hull of a few of ``better``'s lotteries.

A lottery set is the convex hull of its plans' lotteries, so it lies inside the hull ``H``
of any plan lotteries ``Z`` of ``better`` exactly when ``V_a(worse) <= max_{z∈Z} a·z`` for
each facet ``a·x <= b`` of ``H`` (and both ways for each equation of its affine hull): one
backward induction per facet. Where a facet fails, ``better``'s best plan under ``a`` either
is worth less than ``worse`` (``a`` refutes dominance) or is a new point of ``Z``; so ``Z``
grows counterexample-guided until one or the other, or a limit. This decides pairs where
``better`` has few extreme lotteries whatever the trees' shapes, where the structural rules
need the shapes to match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.analyses import plans as analysis
from decisiontrees.analyses.agents import sampled_values
from decisiontrees.model.nodes import Node, postorder
from decisiontrees.solvers import normaliz

HULL_POINTS = 96  # plan lotteries of `better` before the method stands aside
HULL_FACETS = 4_000  # facets of one hull before it stands aside (one backward induction each)
GROWTH = 16  # new points per round: one round's hull may have many more facets than the last


@dataclass(frozen=True)
class HullProof:
    """``L(worse)`` inside the hull of ``better``'s ``plans``: every lottery of ``worse``
    meets each ``facets`` row ``u·x <= bound`` and each ``equations`` row ``u·x == value``,
    and these rows are exactly the hull's (so it is the hull of the plans' lotteries)."""

    plans: tuple[analysis.Plan, ...]
    lotteries: tuple[dict[str, Fraction], ...]
    facets: tuple[tuple[dict[str, Fraction], Fraction], ...]
    equations: tuple[tuple[dict[str, Fraction], Fraction], ...]


@dataclass(frozen=True)
class HullRefutation:
    """A utility function (any real values) under which ``worse`` is worth more."""

    utility: dict[str, Fraction]


def contain_by_hull(better: Node, worse: Node, names: Sequence[str],
                    guesses: Iterable[Mapping[str, Fraction]] = ()
                    ) -> HullProof | HullRefutation | None:
    """A proof that ``L(worse) ⊆ L(better)``, a utility refuting it, or None past the limits.

    ``names`` are the outcomes of both trees; ``guesses`` are utilities whose best plans of
    ``better`` start ``Z`` (beside one per outcome, valued 1 and the rest 0).
    """
    if not names:
        return None
    better_order, worse_order = postorder(better), postorder(worse)
    found: dict[frozenset[tuple[str, Fraction]], tuple[analysis.Plan, dict[str, Fraction]]] = {}

    def add(utility: Mapping[str, Fraction]) -> None:
        plan = analysis.an_optimal_plan(better, utility)
        lottery = analysis.lottery_of(better, plan)
        found.setdefault(frozenset(lottery.items()), (plan, lottery))

    zero = {o: Fraction(0) for o in names}
    for o in names:
        add({**zero, o: Fraction(1)})
    for guess in guesses:
        add({o: Fraction(guess.get(o, 0)) for o in names})
    while len(found) <= HULL_POINTS:
        limits.check(f"testing the hull of {len(found)} lotteries of the better tree")
        points = list(found.values())
        coordinates = names[:-1]  # lotteries sum to 1, so the last coordinate follows
        equations, facets = normaliz.hull_facets(
            [[lottery.get(o, Fraction(0)) for o in coordinates] for _, lottery in points])
        if len(facets) > HULL_FACETS:
            return None
        rows = [(_utility(coordinates, names, a), Fraction(b)) for a, b in equations]
        rows += [({o: -v for o, v in u.items()}, -b) for u, b in rows]  # both ways
        equal = len(rows)
        rows += [(_utility(coordinates, names, a), Fraction(b)) for a, b in facets]
        # rows that floating point says may fail first: most rounds find a new point there
        suspects = set(_suspects(worse, names, rows))
        failures = 0
        for pass_ in ("suspects", "the rest"):
            for k, (utility, bound) in enumerate(rows):
                if (k in suspects) != (pass_ == "suspects"):
                    continue
                limits.check(f"checking {len(rows)} facets of a hull of the better tree")
                worth = analysis.value_once(worse, utility, worse_order)
                if worth <= bound:
                    continue
                if analysis.value_once(better, utility, better_order) < worth:
                    return HullRefutation(utility)
                # better's best plan here beats every point of Z: a new point
                failures += 1
                if failures <= GROWTH:
                    add(utility)
            if failures:
                break
        if not failures:
            return HullProof(
                tuple(plan for plan, _ in points), tuple(lottery for _, lottery in points),
                tuple(rows[equal:]), tuple(rows[:equal // 2]))
    return None


def _suspects(worse: Node, names: Sequence[str], rows: Sequence[tuple[dict[str, Fraction], Fraction]]
              ) -> list[int]:
    """Rows ``u·x <= b`` that ``worse`` may break, by its values in floating point (each row
    scaled to entries at most 1, a row counted as broken within 10^-9 of its bound)."""
    import numpy as np

    if not rows:
        return []
    scales = [max([Fraction(1), abs(b), *(abs(v) for v in u.values())]) for u, b in rows]
    draws = np.array([[float(u[o] / scale) for o in names] for (u, _), scale in zip(rows, scales)])
    bounds = np.array([float(b / scale) for (_, b), scale in zip(rows, scales)])
    worth, = sampled_values([worse], names, draws)
    return [int(k) for k in np.flatnonzero(worth > bounds - 1e-9)]


def _utility(coordinates: Sequence[str], names: Sequence[str], normal: Sequence[int]
             ) -> dict[str, Fraction]:
    """A row's normal as a utility function: 0 on the last outcome, which it leaves out."""
    utility = {o: Fraction(0) for o in names}
    utility.update({o: Fraction(a) for o, a in zip(coordinates, normal)})
    return utility
