"""Structural proofs of lottery-set containment, ``L(b) ⊆ L(a)``, without a solver.

Rules, each sound because lottery sets are convex and Minkowski sums are monotone:

- ``same``: ``a`` and ``b`` are the same (interned) node;
- ``pick``: ``a`` is a choice node and one child of ``a`` contains ``L(b)``;
- ``split``: every child of ``b`` that can occur (positive probability, or any child of a
  choice) lies in ``L(a)``, so their convex combinations do too;
- ``nature``: ``a`` is a chance node and every child of ``a`` that can occur contains
  ``L(b)`` (then ``L(a) ⊇ Σ p_k L(b) = L(b)``);
- ``pair``: ``a`` and ``b`` are chance nodes with equal probabilities and ``L(b_k) ⊆ L(a_k)``;
- ``simplex``: ``a`` contains ``δ_o`` (can force ``o``) for every outcome ``o`` that ``b`` reaches
  with positive probability, so ``L(a) ⊇ Δ(those outcomes) ⊇ L(b)``;
- ``distribute``: ``b`` is a chance node and ``a`` a choice; for every way of taking one child
  of each choice among ``b``'s children (a child that is no choice is taken as it is), some
  chance node below ``a`` through choices only (``L`` of it lies in ``L(a)``) has ``b``'s
  probabilities and children that contain those pairwise. ``L(b) = Σ q_j conv(∪_m L(c_jm))``
  is the hull of those combinations' sums, each inside ``L(a)``: a tree's normal form
  contains it, however its strategies are grouped;
- ``transport``: ``a`` and ``b`` are chance nodes, each read as the mixture of its *flattened*
  children (chance nodes below chance nodes expanded, probabilities multiplied, zero ones
  dropped), and a transport plan ``π_ij >= 0`` with row sums ``p_i`` and column sums ``q_j``
  uses only pairs with ``L(b_j) ⊆ L(a_i)``: then ``L(a) = Σ_ij π_ij L(a_i) ⊇ Σ_ij π_ij L(b_j)
  = L(b)``. It matches chance nodes that were split, merged, nested or reordered.

Forcing sets are computed first in one pass over ``a``, so the common case of two large
trees that can each force every outcome costs a linear pass, not a search.

Pairs are screened first by the values of both trees under a few seeded utilities
(``L(b) ⊆ L(a)`` needs ``V_u(a) >= V_u(b)``); chance pairs are matched branch to branch
between branches alike under them before any other rule. The search is memoised on the
pairs that pass the screen and stops after a budget of them, answering None (not known)
rather than no: failing to find a proof says nothing about containment.
A proof is a list of steps, each naming its rule and the pairs it rests on.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.analyses.plans import node_values, reachable_outcomes
from decisiontrees.errors import BudgetExhausted
from decisiontrees.model.nodes import (
    Chance,
    Choice,
    Leaf,
    Node,
    Probability,
    is_symbolic,
    postorder,
)

DEFAULT_BUDGET = 200_000
MAX_COMBINATIONS = 1 << 16  # of `distribute` (the verifier has the same limit)
MAX_FLATTENED = 4096  # children of a flattened chance node, for `transport` (likewise)
MAX_FLATTEN_WORK = 1 << 16  # children looked at while flattening one (likewise)
WALK_BUDGET = 1 << 18  # nodes below choices' own children one search may walk for `distribute`


@dataclass(frozen=True, slots=True)
class Step:
    """``L(right) ⊆ L(left)`` by ``rule``, given the steps for ``premises`` (pairs of nodes)."""

    left: Node
    right: Node
    rule: str
    premises: tuple[tuple[Node, Node], ...]
    choice_index: int | None = None  # for "pick": which child of left
    # for "distribute": per combination, the path from left to its chance node through
    # choices (child indices; one index when it is left's own child)
    choices: tuple[tuple[int, ...], ...] | None = None
    flow: tuple[tuple[int, int, Fraction], ...] | None = None  # for "transport": (i, j, π_ij)


def occurring(node: Node) -> list[Node]:
    """The children of ``node`` that can occur."""
    if isinstance(node, Chance):
        return [c for p, c in zip(node.probabilities, node.children) if p != 0]
    return list(node.children)


def _weights(node: Node) -> tuple[Probability | int, ...]:
    return node.probabilities if isinstance(node, Chance) else (1,) * len(node.children)


def prove_containment(left: Node, right: Node, budget: int = DEFAULT_BUDGET) -> list[Step] | None:
    """Steps proving ``L(right) ⊆ L(left)`` (the last one is the goal), or None if none found."""
    memo: dict[tuple[int, int], Step | None] = {}
    below: dict[int, Strategies] = {}  # per choice node
    walk = [WALK_BUDGET]  # nodes the Strategies below choices may still visit
    spent = [0]
    screen = _Screen(left, right)
    may_contain, alike = screen.may_contain, screen.alike

    def prove(a: Node, b: Node, hint: str | None = None) -> Step | None:
        key = (id(a), id(b))
        if key in memo:
            return memo[key]
        if a is not b and not may_contain(a, b):
            return None  # four comparisons: neither kept nor counted against the budget
        spent[0] += 1
        if spent[0] == WIDEN_AFTER:
            screen.widen()
        if spent[0] > budget:
            raise BudgetExhausted
        if spent[0] % 1024 == 0:
            limits.check("searching for a structural proof")
        memo[key] = None  # a pair under proof cannot be its own premise
        step = _try(a, b, hint)
        memo[key] = step
        return step

    def _try(a: Node, b: Node, hint: str | None) -> Step | None:
        if a is b:
            return Step(a, b, "same", ())
        if isinstance(a, Choice):
            # b itself first, then children with b's values under every screening utility
            # (likely copies: a garbled 10^4-node copy ran out of budget without), then the
            # child reached by b's own action (a tree with extra options keeps its labels)
            order = sorted(range(len(a.children)),
                           key=lambda k: (a.children[k] is not b, not alike(a.children[k], b),
                                          a.actions[k] != hint))
            for k in order:
                if prove(a.children[k], b) is not None:
                    return Step(a, b, "pick", ((a.children[k], b),), k)
        if isinstance(a, Chance) and isinstance(b, Chance):
            # a split, merged or reordered copy first: matching branches alike under the
            # screening utilities is cheap, and the rules below search much more
            step = transport(a, b, close=True)
            if step is not None:
                return step
        if not isinstance(b, Leaf):
            labels = b.actions if isinstance(b, Choice) else [None] * len(b.children)
            children = [(c, label) for c, label, p in zip(b.children, labels, _weights(b)) if p != 0]
            if all(prove(a, c, label) is not None for c, label in children):
                return Step(a, b, "split", tuple((a, c) for c, _ in children))
        if isinstance(a, Chance):
            if (isinstance(b, Chance) and a.probabilities == b.probabilities
                    and all(prove(x, y) is not None for x, y in zip(a.children, b.children))):
                return Step(a, b, "pair", tuple(zip(a.children, b.children)))
            possible = occurring(a)
            if all(prove(c, b) is not None for c in possible):
                return Step(a, b, "nature", tuple((c, b) for c in possible))
        if isinstance(a, Choice) and isinstance(b, Chance):
            return distribute(a, b)
        if isinstance(a, Chance) and isinstance(b, Chance):
            return transport(a, b, close=False)
        return None

    def transport(a: Chance, b: Chance, close: bool) -> Step | None:
        """With ``close``, only branches alike under the screening utilities may be paired."""
        mine, theirs = flattened(a), flattened(b)
        if mine is None or theirs is None:
            return None
        supply = _grouped(mine)  # node id -> (node, total probability, positions)
        demand = _grouped(theirs)
        edges: dict[tuple[int, int], bool] = {}
        for x, _, _ in supply.values():
            limits.check("matching chance branches")
            for y, _, _ in demand.values():
                if not close or x is y or alike(x, y):
                    edges[(id(x), id(y))] = x is y or prove(x, y) is not None
        plan = _transport_plan({k: v[1] for k, v in supply.items()},
                               {k: v[1] for k, v in demand.items()},
                               [pair for pair, ok in edges.items() if ok])
        if plan is None:
            return None
        flow = []
        premises = {}
        for (x_id, y_id), amount in plan.items():
            x, x_total, x_positions = supply[x_id]
            y, y_total, y_positions = demand[y_id]
            premises[(x_id, y_id)] = (x, y)
            if x is y:
                prove(x, y)  # the premise step ("same")
            # spread the group's flow over its positions in proportion to their weights
            for i in x_positions:
                for j in y_positions:
                    share = amount * (mine[i][0] / x_total) * (theirs[j][0] / y_total)
                    if share:
                        flow.append((i, j, share))
        return Step(a, b, "transport", tuple(premises.values()), flow=tuple(flow))

    def distribute(a: Choice, b: Chance) -> Step | None:
        options = [list(c.children) if isinstance(c, Choice) else [c] for c in occurring(b)]
        weights = [p for p in b.probabilities if p != 0]
        if math.prod(len(o) for o in options) > MAX_COMBINATIONS:
            return None
        if id(a) not in below:
            below[id(a)] = Strategies(a, walk[0])
            walk[0] -= below[id(a)].visited
        strategies = below[id(a)]
        candidates = [(entry, node) for entry, node in strategies.found
                      if [p for p in node.probabilities if p != 0] == weights]
        by_children = {tuple(id(x) for x in occurring(node)): (entry, node)
                       for entry, node in reversed(candidates)}  # the first path of each
        picks: list[tuple[int, ...]] = []
        premises: dict[tuple[int, int], tuple[Node, Node]] = {}
        for combination in itertools.product(*options):
            found = by_children.get(tuple(id(c) for c in combination))
            if found is None and len(candidates) <= 64:
                found = next((candidate for candidate in candidates if all(
                    prove(x, c) is not None
                    for x, c in zip(occurring(candidate[1]), combination))), None)
            if found is None:
                return None
            entry, node = found
            for x, c in zip(occurring(node), combination):
                if prove(x, c) is None:
                    return None
                premises[(id(x), id(c))] = (x, c)
            picks.append(strategies.path(entry))
        return Step(a, b, "distribute", tuple(premises.values()), choices=tuple(picks))

    if left is right:
        return [Step(left, right, "same", ())]
    quick = prove_by_forcing(left, right, memo)
    if quick is not None:
        return quick
    try:
        goal = prove(left, right)
    except (BudgetExhausted, RecursionError):
        return None
    if goal is None:
        return None
    return _ordered(goal, memo)


class Strategies:
    """The chance nodes reached from a choice through choices only (a normal form's
    strategies, however grouped), found depth first: each with the index of its entry in a
    table of (parent entry, child index), so a path is rebuilt only for those used."""

    def __init__(self, a: Choice, budget: int) -> None:
        """At most MAX_COMBINATIONS of them (past that, ``distribute`` could not use them
        all), and past ``a``'s own children at most ``budget`` nodes visited (every choice
        of a chain that hangs one large block of choices would otherwise walk it again)."""
        self.found: list[tuple[int, Chance]] = []
        self.parents: list[tuple[int, int]] = []
        self.visited = 0
        seen: set[int] = set()
        stack: list[tuple[int, int, Node]] = [(-1, k, child) for k, child in
                                              reversed(list(enumerate(a.children)))]
        while stack and len(self.found) < MAX_COMBINATIONS:
            parent, k, node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if parent >= 0:
                self.visited += 1
                if self.visited > budget:
                    break
                if self.visited % 4096 == 0:
                    limits.check("listing the strategies below a choice")
            entry = len(self.parents)
            self.parents.append((parent, k))
            if isinstance(node, Chance):
                self.found.append((entry, node))
            elif isinstance(node, Choice):
                stack.extend((entry, j, child)
                             for j, child in reversed(list(enumerate(node.children))))

    def path(self, entry: int) -> tuple[int, ...]:
        """The child indices from the choice down to the node of ``entry``."""
        steps = []
        while entry >= 0:
            entry, k = self.parents[entry]
            steps.append(k)
        return tuple(reversed(steps))


FINGERPRINTS = 4  # seeded utilities whose values screen pairs before any rule is tried
WIDER = 8  # more of them once a search has tried WIDEN_AFTER pairs (a hard one)
WIDEN_AFTER = 20_000


class _Screen:
    """A necessary condition for ``L(b) ⊆ L(a)``: ``V_u(a) >= V_u(b)`` for a few seeded
    utilities, from one backward induction per tree and utility (numeric trees only); and
    whether the values are equal under each (likely copies, to try first). :meth:`widen`
    adds utilities: four let through ~150,000 pairs of a 10^4-node garbled copy that the
    search then had to refute, twelve few enough; but each costs two backward inductions,
    a quarter of a second on 10^5-node trees that need no search at all."""

    def __init__(self, left: Node, right: Node) -> None:
        self.left, self.right = left, right
        self.numeric = not is_symbolic(left) and not is_symbolic(right)
        self.outcomes = sorted({n.outcome for tree in (left, right) for n in postorder(tree)
                                if isinstance(n, Leaf)}) if self.numeric else []
        self.rng = random.Random(0)
        self.mine: list[dict[int, Fraction]] = []
        self.theirs: list[dict[int, Fraction]] = []
        self._add(FINGERPRINTS)

    def _add(self, count: int) -> None:
        if not self.numeric:
            return
        for _ in range(count):
            limits.check("screening pairs for a structural proof")
            u = {o: Fraction(self.rng.randint(0, 96), 96) for o in self.outcomes}
            self.mine.append(node_values(self.left, u))
            self.theirs.append(node_values(self.right, u))

    def widen(self) -> None:
        self._add(WIDER)

    def may_contain(self, a: Node, b: Node) -> bool:
        return all(x[id(a)] >= y[id(b)] for x, y in zip(self.mine, self.theirs))

    def alike(self, a: Node, b: Node) -> bool:
        return self.numeric and all(x[id(a)] == y[id(b)] for x, y in zip(self.mine, self.theirs))


def flattened(node: Chance) -> list[tuple[Fraction, Node]] | None:
    """A chance node as a mixture of non-chance nodes: chance children expanded (depth first,
    in child order), probabilities multiplied, zero ones dropped; None past MAX_FLATTENED
    children or MAX_FLATTEN_WORK children looked at."""
    found: list[tuple[Fraction, Node]] = []
    stack: list[tuple[Fraction, Node]] = [(Fraction(1), node)]
    work = 0
    while stack:
        weight, current = stack.pop()
        work += len(getattr(current, "children", ())) + 1
        if work > MAX_FLATTEN_WORK:  # the verifier's limit too
            return None
        if isinstance(current, Chance):
            stack.extend((weight * p, c) for p, c in reversed(list(zip(current.probabilities,
                                                                        current.children)))
                         if p != 0)
        else:
            found.append((weight, current))
            if len(found) > MAX_FLATTENED:
                return None
    return found


def _grouped(mixture: list[tuple[Fraction, Node]]
             ) -> dict[int, tuple[Node, Fraction, list[int]]]:
    groups: dict[int, tuple[Node, Fraction, list[int]]] = {}
    for position, (weight, node) in enumerate(mixture):
        _, total, positions = groups.get(id(node), (node, Fraction(0), []))
        groups[id(node)] = (node, total + weight, [*positions, position])
    return groups


def _transport_plan(supply: dict[int, Fraction], demand: dict[int, Fraction],
                    edges: list[tuple[int, int]]) -> dict[tuple[int, int], Fraction] | None:
    """An exact flow sending every ``supply`` to every ``demand`` along ``edges`` (augmenting
    paths over Fractions), or None when there is none."""
    left = {x: total for x, total in supply.items()}
    right = {y: total for y, total in demand.items()}
    flow: dict[tuple[int, int], Fraction] = {}
    neighbours: dict[int, list[int]] = {}
    for x, y in edges:
        neighbours.setdefault(x, []).append(y)
    while True:
        limits.check("matching chance branches")
        start = next((x for x, r in left.items() if r > 0), None)
        if start is None:
            break
        # breadth-first search for a path to a demand with room: forward along any edge,
        # backward along edges that carry flow
        parents: dict[tuple[str, int], tuple[str, int] | None] = {("x", start): None}
        queue = [("x", start)]
        end = None
        while queue and end is None:
            side, node = queue.pop(0)
            if side == "x":
                for y in neighbours.get(node, []):
                    if ("y", y) not in parents:
                        parents[("y", y)] = (side, node)
                        if right[y] > 0:
                            end = ("y", y)
                            break
                        queue.append(("y", y))
            else:
                for (x, y), amount in flow.items():
                    if y == node and amount > 0 and ("x", x) not in parents:
                        parents[("x", x)] = (side, node)
                        queue.append(("x", x))
        if end is None:
            return None
        path = []
        step: tuple[str, int] | None = end
        while step is not None:
            path.append(step)
            step = parents[step]
        path.reverse()
        amount = min(left[start], right[end[1]])
        for (side, node), (_, after) in zip(path, path[1:]):
            if side == "y":  # a backward edge: after is an x whose flow to node shrinks
                amount = min(amount, flow[(after, node)])
        for (side, node), (_, after) in zip(path, path[1:]):
            key = (node, after) if side == "x" else (after, node)
            flow[key] = flow.get(key, Fraction(0)) + (amount if side == "x" else -amount)
        left[start] -= amount
        right[end[1]] -= amount
    if any(r != 0 for r in right.values()):
        return None
    return {pair: amount for pair, amount in flow.items() if amount > 0}


def _ordered(goal: Step, memo: dict[tuple[int, int], Step | None]) -> list[Step]:
    """The steps the goal rests on, premises before the steps that use them."""
    order: list[Step] = []
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Step, bool]] = [(goal, False)]
    while stack:
        step, expanded = stack.pop()
        key = (id(step.left), id(step.right))
        if expanded:
            order.append(step)
            continue
        if key in seen:
            continue
        seen.add(key)
        stack.append((step, True))
        for a, b in step.premises:
            premise = memo[(id(a), id(b))]
            assert premise is not None
            if (id(a), id(b)) not in seen:
                stack.append((premise, False))
    return order


def prove_by_forcing(left: Node, right: Node,
                     memo: dict[tuple[int, int], Step | None] | None = None) -> list[Step] | None:
    """A linear-time proof when ``left`` can force every outcome ``right`` reaches
    (rule ``simplex``, or forcing steps when ``right`` is a leaf); None otherwise."""
    memo = {} if memo is None else memo
    forced = _forced_outcomes(left)
    if isinstance(right, Leaf):
        if right.outcome not in forced[id(left)]:
            return None
        _force(left, right, forced, memo)
        goal = memo[(id(left), id(right))]
        assert goal is not None
        return _ordered(goal, memo)
    reach = reachable(right)
    if not reach <= forced[id(left)]:
        return None
    leaves = {n.outcome: n for n in _leaves_of(right)}
    premises = tuple((left, leaves[o]) for o in sorted(reach))
    for a, b in premises:
        _force(a, b, forced, memo)
    goal = Step(left, right, "simplex", premises)
    memo[(id(left), id(right))] = goal
    return _ordered(goal, memo)


def reachable(tree: Node) -> set[str]:
    """Outcomes that some plan reaches with positive probability."""
    return set(reachable_outcomes(tree))


def _leaves_of(tree: Node) -> list[Leaf]:
    return [n for n in postorder(tree) if isinstance(n, Leaf)]


def _forced_outcomes(tree: Node) -> dict[int, frozenset[str]]:
    """For every node, the outcomes some plan reaches with probability 1."""
    forced: dict[int, frozenset[str]] = {}
    for node in postorder(tree):
        if isinstance(node, Leaf):
            forced[id(node)] = frozenset({node.outcome})
        elif isinstance(node, Choice):
            forced[id(node)] = frozenset().union(*(forced[id(c)] for c in node.children))
        else:
            sets = [forced[id(c)] for c in occurring(node)]
            forced[id(node)] = frozenset.intersection(*sets) if sets else frozenset()
    return forced


def _force(a: Node, goal: Leaf, forced: dict[int, frozenset[str]],
           memo: dict[tuple[int, int], Step | None]) -> None:
    """Record steps proving ``δ_o ⊆ L(a)``: pick a forcing child, or all children of nature."""
    outcome = goal.outcome
    stack: list[tuple[Node, bool]] = [(a, False)]
    while stack:
        node, expanded = stack.pop()
        key = (id(node), id(goal))
        if key in memo and memo[key] is not None and not expanded:
            continue
        if isinstance(node, Leaf):
            memo[key] = Step(node, goal, "same", ())
        elif isinstance(node, Choice):
            k = next(k for k, c in enumerate(node.children) if outcome in forced[id(c)])
            child = node.children[k]
            if not expanded:
                stack.append((node, True))
                stack.append((child, False))
                continue
            memo[key] = Step(node, goal, "pick", ((child, goal),), k)
        else:
            children = occurring(node)
            if not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in children)
                continue
            memo[key] = Step(node, goal, "nature", tuple((c, goal) for c in children))
