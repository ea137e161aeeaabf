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

import multiprocessing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses import plans as analysis
from decisiontrees.analyses.agents import sampled_values
from decisiontrees.errors import SolverFailed, TimedOut
from decisiontrees.model.nodes import Choice, Leaf, Node, postorder
from decisiontrees.solvers import normaliz

HULL_POINTS = 96  # plan lotteries of `better` before the method stands aside
HULL_FACETS = 4_000  # facets of one hull before it stands aside (one backward induction each)
GROWTH = 16  # new points per round: one round's hull may have many more facets than the last
HULL_SECONDS = 15.0  # for the whole stage (dominance gives it a quarter of its time)
HULL_MEMORY = 2**30  # for one hull, in a child process where it could be large
INLINE_FACETS = 20_000  # hulls that cannot have more facets run in this process
MIN_ISOLATED_SECONDS = 0.5  # for a hull in a child process, beside its grace period


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
                    guesses: Iterable[Mapping[str, Fraction]] = (),
                    seconds: float = HULL_SECONDS) -> HullProof | HullRefutation | None:
    """A proof that ``L(worse) ⊆ L(better)``, a utility refuting it, or None past the limits
    (HULL_POINTS, HULL_FACETS, ``seconds``, and HULL_MEMORY for each hull).

    ``names`` are the outcomes of both trees; ``guesses`` are utilities whose best plans of
    ``better`` start ``Z`` (beside one per outcome, valued 1 and the rest 0).
    """
    if not names:
        return None
    try:
        with limits.deadline(seconds):
            return _contain(better, worse, names, guesses)
    except TimedOut:
        limits.check("testing the hull of the better tree")  # the caller's own deadline
        return None


def _contain(better: Node, worse: Node, names: Sequence[str],
             guesses: Iterable[Mapping[str, Fraction]]) -> HullProof | HullRefutation | None:
    import numpy as np

    better_order, worse_order = postorder(better), postorder(worse)
    found: dict[frozenset[tuple[str, Fraction]], tuple[analysis.Plan, dict[str, Fraction]]] = {}

    def add(plan: analysis.Plan) -> bool:
        """Whether the plan's lottery is a new point."""
        lottery = analysis.lottery_of(better, plan)
        key = frozenset(lottery.items())
        if key in found:
            return False
        found[key] = (plan, lottery)
        return True

    starts = [[float(o == target) for o in names] for target in names]
    starts += [[float(guess.get(o, 0)) for o in names] for guess in guesses]
    for plan in _float_plans(better, names, np.array(starts)):
        add(plan)
    while len(found) <= HULL_POINTS:
        limits.check(f"testing the hull of {len(found)} lotteries of the better tree")
        points = list(found.values())
        coordinates = names[:-1]  # lotteries sum to 1, so the last coordinate follows
        hull = _hull([[lottery.get(o, Fraction(0)) for o in coordinates] for _, lottery in points])
        if hull is None:
            return None
        equations, facets = hull
        rows = [(_utility(coordinates, names, a), Fraction(b)) for a, b in equations]
        rows += [({o: -v for o, v in u.items()}, -b) for u, b in rows]  # both ways
        equal = len(rows)
        rows += [(_utility(coordinates, names, a), Fraction(b)) for a, b in facets]
        rounded = _Rounded(names, rows)
        # Growing Z needs no exact arithmetic (any plan's lottery is a point of L(better)):
        # floating point picks the rows worse seems to break, most broken first, and
        # better's best plans under them. Exact values decide refutations and the proof.
        suspects = rounded.breaking(worse, better)
        grown = 0
        for k, plan in zip(suspects, rounded.plans(better, suspects[:GROWTH])):
            limits.check(f"growing the hull of {len(found)} lotteries of the better tree")
            if rounded.refutes(k):
                utility, _ = rows[k]
                if analysis.value_once(better, utility, better_order) \
                        < analysis.value_once(worse, utility, worse_order):
                    return HullRefutation(utility)
            grown += add(plan)
        if grown:
            continue
        failed = False
        for utility, bound in (rows[k] for k in rounded.by_breach):
            limits.check(f"checking {len(rows)} facets of a hull of the better tree")
            worth = analysis.value_once(worse, utility, worse_order)
            if worth <= bound:
                continue
            if analysis.value_once(better, utility, better_order) < worth:
                return HullRefutation(utility)
            # better's best plan here beats every point of Z, so it is a new one
            if not add(analysis.an_optimal_plan(better, utility)):
                return None  # cannot happen; were it to, the rounds would repeat
            failed = True
            break
        if not failed:
            return HullProof(
                tuple(plan for plan, _ in points), tuple(lottery for _, lottery in points),
                tuple(rows[equal:]), tuple(rows[:equal // 2]))
    return None


def _hull(points: list[list[Fraction]]
          ) -> tuple[list[tuple[list[int], int]], list[tuple[list[int], int]]] | None:
    """:func:`normaliz.hull_facets`, or None past HULL_FACETS facets, the time left or
    HULL_MEMORY. Normaliz cannot be stopped once started, and a hull of a few dozen points
    in 17 dimensions has hundreds of thousands of facets (minutes, gigabytes); so where the
    upper bound theorem allows more than INLINE_FACETS, it runs in a child process."""
    if _most_facets(len(points), len(points[0])) <= INLINE_FACETS:
        try:
            found = normaliz.hull_facets(points)
        except (SolverFailed, MemoryError):
            return None
    else:
        # a child is stopped GRACE_SECONDS after its time, and pool workers (daemons) may
        # not start one: without room for both, the stage stands aside
        seconds = limits.remaining_ms() / 1000 - limits.GRACE_SECONDS
        if seconds < MIN_ISOLATED_SECONDS or not limits.can_isolate() \
                or multiprocessing.current_process().daemon:
            return None
        isolated = limits.run_isolated(lambda: _bounded_hull(points), seconds, HULL_MEMORY)
        if isinstance(isolated, limits.Stopped) or isolated is None:
            return None
        found = isolated
    return found if len(found[1]) <= HULL_FACETS else None


def _bounded_hull(points: list[list[Fraction]]
                  ) -> tuple[list[tuple[list[int], int]], list[tuple[list[int], int]]] | None:
    try:
        found = normaliz.hull_facets(points)
    except SolverFailed:
        return None
    return found if len(found[1]) <= HULL_FACETS else None  # not sent back


def _most_facets(count: int, dimension: int) -> int:
    """The most facets ``count`` points can have in at most ``dimension`` dimensions (the
    upper bound theorem: a cyclic polytope's)."""
    most = 0
    for d in range(1, min(dimension, count - 1) + 1):
        most = max(most, comb(count - (d + 1) // 2, d // 2) + comb(count - d // 2 - 1, (d + 1) // 2 - 1))
    return most


class _Rounded:
    """The rows ``u·x <= b`` in floating point, each scaled to entries at most 1: only to
    choose what to check exactly, and which plans to try."""

    TOLERANCE = 1e-9

    def __init__(self, names: Sequence[str], rows: Sequence[tuple[dict[str, Fraction], Fraction]]
                 ) -> None:
        import numpy as np

        self.names = names
        scales = [max([Fraction(1), abs(b), *(abs(v) for v in u.values())]) for u, b in rows]
        self.draws = np.array([[float(u[o] / scale) for o in names]
                               for (u, _), scale in zip(rows, scales)]).reshape(len(rows), len(names))
        self.bounds = np.array([float(b / scale) for (_, b), scale in zip(rows, scales)])
        self.by_breach: list[int] = list(range(len(rows)))
        self.gaps = np.zeros(len(rows))

    def breaking(self, worse: Node, better: Node) -> list[int]:
        """Rows ``worse`` seems to break, most broken first (and :attr:`by_breach`, every
        row in that order); :meth:`refutes` then tells where ``better`` seems worth less."""
        import numpy as np

        if not len(self.bounds):
            return []
        worse_values, better_values = sampled_values([worse, better], self.names, self.draws)
        breach = worse_values - self.bounds
        self.by_breach = [int(k) for k in np.argsort(-breach, kind="stable")]
        self.gaps = better_values - worse_values
        return [k for k in self.by_breach if breach[k] > -self.TOLERANCE]

    def refutes(self, k: int) -> bool:
        return bool(self.gaps[k] < self.TOLERANCE)

    def plans(self, tree: Node, rows: Sequence[int]) -> list[analysis.Plan]:
        """A best plan of ``tree`` under each of the ``rows``, by values in floating point."""
        return _float_plans(tree, self.names, self.draws[list(rows)]) if rows else []


def _float_plans(tree: Node, names: Sequence[str], draws: Any) -> list[analysis.Plan]:
    """A best plan of ``tree`` under each row of ``draws`` (utilities over ``names``), by
    backward induction in floating point: any plan gives a point of the lottery set."""
    import numpy as np

    index = {o: i for i, o in enumerate(names)}
    values: dict[int, Any] = {}
    picks: dict[int, Any] = {}
    order = postorder(tree)
    for node in order:
        if isinstance(node, Leaf):  # an outcome outside ``names`` never happens
            values[id(node)] = draws[:, index[node.outcome]] if node.outcome in index \
                else np.zeros(len(draws))
        elif isinstance(node, Choice):
            stacked = np.stack([values[id(c)] for c in node.children])
            picks[id(node)] = np.argmax(stacked, axis=0)
            values[id(node)] = np.max(stacked, axis=0)
        else:
            values[id(node)] = sum(float(p) * values[id(c)]
                                   for p, c in zip(node.probabilities, node.children))
    found = []
    for row in range(len(draws)):
        chosen: dict[int, analysis.Plan] = {}
        for node in order:
            if isinstance(node, Leaf):
                chosen[id(node)] = None
            elif isinstance(node, Choice):
                k = int(picks[id(node)][row])
                chosen[id(node)] = (k, chosen[id(node.children[k])])
            else:
                chosen[id(node)] = tuple(chosen[id(c)] for c in node.children)
        found.append(chosen[id(tree)])
    return found


def _utility(coordinates: Sequence[str], names: Sequence[str], normal: Sequence[int]
             ) -> dict[str, Fraction]:
    """A row's normal as a utility function: 0 on the last outcome, which it leaves out."""
    utility = {o: Fraction(0) for o in names}
    utility.update({o: Fraction(a) for o, a in zip(coordinates, normal)})
    return utility
