"""Slow, independent answers that tests and benchmarks compare the engines with."""

from __future__ import annotations

from decisiontrees.analyses import plans
from decisiontrees.analyses.relations import outcomes_of_pair
from decisiontrees.model.classes import unit_box
from decisiontrees.model.nodes import Node
from decisiontrees.solvers import smt

DEFAULT_TIMEOUT_MS = 60_000


def brute_force_dominates(left: Node, right: Node, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                          limit: int = 100_000) -> bool | None:
    """Dominance on [0,1]^O the slow way: every plan lottery of ``right`` must be a convex
    combination of the plan lotteries of ``left`` (one LP per plan). None if an LP gave up."""
    points = [row.lottery for row in plans.plans(left, limit)]
    for row in plans.plans(right, limit):
        inside = smt.in_convex_hull(points, row.lottery, timeout_ms)
        if isinstance(inside, smt.Unknown):
            return None
        if not inside:
            return False
    return True


def one_shot_dominates(left: Node, right: Node, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                       outcomes: tuple[str, ...] | None = None) -> bool | None:
    """Dominance on [0,1]^O by the single SMT query of docs/theory.md §3 alone (no structural
    proof, no certificate): the baseline the engine is measured against. None if z3 gave up."""
    names = outcomes_of_pair(left, right, outcomes)
    found = smt.find_better_utility(right, left, unit_box(names), timeout_ms)
    if isinstance(found, smt.Unknown):
        return None
    return found is None
