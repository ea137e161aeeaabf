"""Orders of the outcomes that settle a comparison of two trees whatever the values.

For a utility ``u`` with distinct values, ranking the outcomes from best to worst, a lottery
``z`` is worth more than ``y`` for *every* ``u`` with that ranking iff ``z`` first-order
stochastically dominates ``y`` in it: for each ``k``, ``z`` puts at least as much mass on the
``k`` best outcomes as ``y`` does, and more for some ``k`` (the difference ``u·(z − y)`` is
a sum of those mass differences times the positive gaps between consecutive values). So if
every lottery of the right tree is dominated by some lottery of the left tree, the left tree
is strictly better for every ``u`` ranked that way.

A symmetric distribution permutes the outcomes, and the orbit of a ``u`` with distinct values
holds equally many members in each ranking of the outcomes the trees reach. So when the left
tree wins every ``u`` in ``c`` of the ``r!`` rankings, at least ``c/r!`` of every orbit
chooses it and at most ``1 − c/r!`` chooses the right tree, whatever the values: the bound
behind a proof of weak (``2c = r!``) or strict (``2c > r!``) convergence where no involution
maps one tree into the other (held-out trees over 6 outcomes, issue 14). Splitting the
utilities further by the order of the gaps between consecutive values gives a count per
order that is never lower, and the least of those counts bounds every generic orbit too.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses.agents import Point, hull_vertices, lottery_points
from decisiontrees.errors import RefusedError
from decisiontrees.model.nodes import Node

ORDER_WORK = 3 * 10**8  # comparisons: rankings × outcomes × (lotteries × the other's vertices)
CHUNK = 2**22  # comparisons held in memory at once


@dataclass(frozen=True)
class RankedOrders:
    """How many of the ``total`` rankings of ``outcomes`` settle the comparison for every
    ``u`` with distinct values ranked that way: ``left`` (the left tree strictly better),
    ``right`` (the right strictly better) and ``weakly_left`` (the left at least as good).
    ``first_left`` is the first ranking counted in ``left`` (best outcome first), in the
    order of ``itertools.permutations``."""

    outcomes: tuple[str, ...]
    total: int
    left: int
    right: int
    weakly_left: int
    first_left: tuple[str, ...] | None = None
    gap_orders: int = 0  # with gaps: the least count over this many orders of the gaps


def settled_orders(left: Node, right: Node, outcomes: Sequence[str],
                   work: int | None = None, gaps: bool = False) -> RankedOrders | None:
    """The rankings of ``outcomes`` (those the trees reach) that settle ``left`` against
    ``right`` by first-order stochastic dominance; None when the lotteries are too many to
    list or the comparisons would exceed ``work`` (default ORDER_WORK).

    With ``gaps``, the utilities are split further by the order of the gaps between their
    consecutive values on ``outcomes`` (the members of an orbit that put the same values on
    ``outcomes`` share that order, and hold equally many members in each ranking): in each
    of the ``(r − 1)!`` orders, a ranking is settled when ``z`` beats ``y`` at every extreme
    ray of that cone (value 1 across the ``j`` largest gaps, 0 across the rest; strictly at
    one ray, so strictly wherever the gaps are distinct), and the counts returned are the
    least over the orders. Each is at least the count without."""
    import numpy as np

    work = ORDER_WORK if work is None else work
    names = tuple(outcomes)
    r = len(names)
    total = math.factorial(r)
    # comparisons per ranking and pair of lotteries: one per ray, in each order of the gaps
    rays = max(1, r - 1) * (math.factorial(max(0, r - 1)) if gaps else 1)
    if total * rays > work:  # before listing orders, lotteries and hulls: too many anyway
        return None
    orders = [tuple(order) for order in itertools.permutations(range(r - 1))] if gaps else []
    listed = _lotteries(left, right, names)
    if listed is None:
        return None
    mine, theirs = listed
    if total * rays * (len(mine) + len(theirs)) > work:  # a hull has at least one vertex
        return None
    mine_vertices, theirs_vertices = _vertices(mine), _vertices(theirs)
    sizes = (len(mine) * len(theirs_vertices), len(theirs) * len(mine_vertices))
    if total * rays * sum(sizes) > work:
        return None
    everything = mine + theirs
    scale = math.lcm(*(x.denominator for z in everything for x in z))
    dtype: Any = np.int64 if scale < 2**62 else object  # masses on the best k: at most scale

    def scaled(points: Sequence[Point]) -> Any:
        return np.array([[int(x * scale) for x in z] for z in points], dtype=dtype).T

    left_all, left_vertices = scaled(mine), scaled(mine_vertices)
    right_all, right_vertices = scaled(theirs), scaled(theirs_vertices)
    step = max(1, CHUNK // max(1, r * max(sizes)))
    rankings = itertools.permutations(range(r))
    cells = max(1, len(orders))
    wins_left, wins_right, holds_left = (np.zeros(cells, dtype=np.int64) for _ in range(3))
    first: tuple[str, ...] | None = None
    for start in range(0, total, step):
        limits.check(f"ranking outcomes ({start:,} of {total:,} rankings)")
        block = np.array(list(itertools.islice(rankings, step)), dtype=np.int64)
        # mass on the best k outcomes, k = 1 … r − 1: a utility's value is the sum of these
        # times the gaps between consecutive values (plus the least value, the same for all)
        masses = [np.cumsum(points[block], axis=1)[:, :-1]
                  for points in (left_all, right_vertices, right_all, left_vertices)]
        for cell, order in enumerate(orders or [()]):
            if cell % 64 == 63:
                limits.check(f"ranking outcomes in each order of the gaps ({cell:,} of "
                             f"{cells:,} orders, {start:,} of {total:,} rankings)")
            # at the cell's rays (the j largest gaps 1, the rest 0) a value is a sum over them
            at_rays = [np.cumsum(mass[:, list(order)], axis=1) for mass in masses] \
                if orders else masses
            strictly, weakly = _beaten(at_rays[0], at_rays[1])
            beaten, _ = _beaten(at_rays[2], at_rays[3])
            wins_left[cell] += int(strictly.sum())
            holds_left[cell] += int(weakly.sum())
            wins_right[cell] += int(beaten.sum())
            if first is None and not orders and strictly.any():
                first = tuple(names[k] for k in block[int(np.argmax(strictly))])
    return RankedOrders(names, total, int(wins_left.min()), int(wins_right.min()),
                        int(holds_left.min()), first, len(orders))


@functools.lru_cache(maxsize=4)  # both counts, and orbit_share after convergence, ask again
def _lotteries(left: Node, right: Node, names: tuple[str, ...]
               ) -> tuple[tuple[Point, ...], tuple[Point, ...]] | None:
    """Each tree's strategy lotteries over ``names``, sorted; None when they are too many
    to list."""
    try:
        mine = tuple(sorted(lottery_points(left, names)))
        theirs = tuple(sorted(lottery_points(right, names)))
    except RefusedError:
        return None
    return (mine, theirs) if mine and theirs else None


@functools.lru_cache(maxsize=8)
def _vertices(points: tuple[Point, ...]) -> list[Point]:
    """The vertices of the points' hull: to beat every lottery of a tree it is enough to
    beat these; any lottery of the other may do the beating (a mixture that dominates is
    worth no more than the best vertex it mixes)."""
    return hull_vertices(points)


def _beaten(above: Any, below: Any) -> tuple[Any, Any]:
    """Per ranking: whether every loser is beaten strictly (and weakly) by some winner, given
    each one's value at every extreme ray of a cone of utilities (rankings × rays × lotteries:
    the winners' ``above``, the losers' ``below``). Beaten at every ray, and strictly at
    one, means strictly inside the cone."""
    at_least: Any = (above[:, :, :, None] >= below[:, :, None, :]).all(axis=1)
    more: Any = (above[:, :, :, None] > below[:, :, None, :]).any(axis=1)
    strictly = (at_least & more).any(axis=1).all(axis=1)
    weakly = at_least.any(axis=1).all(axis=1)
    return strictly, weakly
