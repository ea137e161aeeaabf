"""Analyses of one tree: value, optimal plans, strategy counts, lotteries, reachable outcomes.

Every function walks the DAG of distinct nodes once (bottom-up, no recursion), so shared
subtrees cost nothing extra. Results are exact: Fractions, or sympy expressions when a
probability mentions a parameter (only :func:`value` accepts those).

A *plan* (a reduced strategy) picks one action at every choice node the plan can reach;
plans are what induce lotteries. The normal-form count (an action at every choice node,
reachable or not) is reported by :func:`count_pure_strategies`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias, TypeGuard, Union

from decisiontrees import limits
from decisiontrees.errors import ArgumentError, RefusedError, TooManyToCount
from decisiontrees.evidence.checks import topological_order
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, is_symbolic, postorder
from decisiontrees.model.symbols import simplify

Utility = Mapping[str, Fraction]
Lottery = Mapping[str, Fraction]

DEFAULT_LIMIT = 1000
MAX_COUNT_BITS = 1 << 17  # counts are exact below 2^131072 (about 10^39457)

# A plan mirrors the tree: at a choice node (index of the action, plan below it); at a chance
# node the plans of all its children; at a leaf nothing.
PlanChoice: TypeAlias = tuple[int, "Plan"]
PlanChance: TypeAlias = tuple["Plan", ...]
Plan: TypeAlias = Union[PlanChoice, PlanChance, None]


def _choice_step(plan: Plan) -> PlanChoice:
    """The (action index, plan below) of a plan at a choice node."""
    assert plan is not None
    k, below = plan
    assert isinstance(k, int), "a plan at a choice node starts with an action index"
    return k, below


def _is_chance_plan(plan: Plan) -> TypeGuard[PlanChance]:
    """Whether ``plan`` is a plan at a chance node: the plans of its children (never an index)."""
    return isinstance(plan, tuple) and not (plan and isinstance(plan[0], int))


def _chance_steps(plan: Plan) -> PlanChance:
    """The plans of the children of a chance node."""
    assert _is_chance_plan(plan), "a plan at a chance node is a tuple of the children's plans"
    return plan


def value(tree: Node, utility: Utility) -> Any:
    """``V_u(t)`` by backward induction: max at choice nodes, expectation at chance nodes.

    >>> from decisiontrees.model.nodes import choice, uniform
    >>> value(choice({"a": "x", "b": uniform(["x", "y"])}), {"x": Fraction(0), "y": Fraction(1)})
    Fraction(1, 2)
    """
    return node_values(tree, utility)[id(tree)]


_RECENT: list[tuple[Node, tuple[tuple[str, Any], ...], dict[int, Any]]] = []
RECENT_VALUES = 4  # trees whose node values are kept: one answer asks for them several times


def node_values(tree: Node, utility: Utility, order: list[Node] | None = None) -> dict[int, Any]:
    """The value of every distinct node, keyed by ``id(node)``; ``order`` may pass a
    precomputed ``postorder(tree)`` when many utility functions are evaluated. The last few
    are kept and shared, so callers only read them (an answer, its plan and its evidence
    each ask; at an mdp horizon of 10,000 one pass over 10,000-digit fractions takes 15 s)."""
    key = tuple(utility.items())
    for kept, kept_key, kept_values in _RECENT:
        if kept is tree and kept_key == key:
            return kept_values
    values = _node_values(tree, utility, order)
    _RECENT.insert(0, (tree, key, values))  # the tree is held, so its id is not reused
    del _RECENT[RECENT_VALUES:]
    return values


def value_once(tree: Node, utility: Utility, order: list[Node] | None = None) -> Any:
    """:func:`value`, not kept among the recent results (for many utilities, once each);
    ``order`` as for :func:`node_values`."""
    return _node_values(tree, utility, order)[id(tree)]


def _node_values(tree: Node, utility: Utility, order: list[Node] | None) -> dict[int, Any]:
    values: dict[int, Any] = {}
    symbolic = is_symbolic(tree)
    for node in order if order is not None else postorder(tree):
        if isinstance(node, Leaf):
            values[id(node)] = Fraction(utility[node.outcome])
        elif isinstance(node, Choice):
            children = [values[id(c)] for c in node.children]
            values[id(node)] = _symbolic_max(children) if symbolic else max(children)
        elif symbolic:
            total: Any = Fraction(0)
            for p, c in zip(node.probabilities, node.children):
                child = values[id(c)]
                if child != 0:
                    total += p if child == 1 else p * child
            values[id(node)] = total
        else:
            values[id(node)] = _expectation(node.probabilities,
                                            [values[id(c)] for c in node.children])
    if symbolic:
        values = {k: simplify(v) for k, v in values.items()}
    return values


def _expectation(probabilities: Sequence[Any], values: Sequence[Fraction]) -> Fraction:
    """``Σ p·v`` in whole numbers over one running denominator, reduced once at the end
    (Fraction reduces after every sum and product: 3.6× slower on a normal form's 4,096
    chance nodes of twelve branches)."""
    numerator, denominator = 0, 1
    for p, v in zip(probabilities, values):
        if v:
            top, bottom = p.numerator * v.numerator, p.denominator * v.denominator
            if bottom == denominator:
                numerator += top
            else:
                numerator, denominator = numerator * bottom + top * denominator, \
                    denominator * bottom
    return Fraction(numerator, denominator)


def _symbolic_max(children: list[Any]) -> Any:
    import sympy

    return sympy.Max(*children)


def _require_numeric(tree: Node, what: str) -> None:
    if is_symbolic(tree):
        raise ArgumentError(f"{what}(): the tree has parameters; give them values first")


def optimal_actions(node: Choice, values: Mapping[int, Any]) -> tuple[int, ...]:
    """Indices of the children of ``node`` that achieve its value."""
    best = values[id(node)]
    return tuple(k for k, c in enumerate(node.children) if values[id(c)] == best)


def count_plans(tree: Node, utility: Utility | None = None) -> int:
    """The number of plans, or of optimal plans under ``utility``; nothing is enumerated.
    Raises :class:`TooManyToCount` past ``2^MAX_COUNT_BITS`` (use :func:`log10_count`).

    >>> from decisiontrees.model.nodes import choice, uniform
    >>> count_plans(uniform([choice({"a": "x", "b": "y"}), choice({"c": "x", "d": "y"})]))
    4
    """
    return _count(tree, utility, reduced=True, cap=None)


def count_pure_strategies(tree: Node) -> int:
    """The normal-form count: one action at every choice node of the unfolded tree.
    Raises :class:`TooManyToCount` past ``2^MAX_COUNT_BITS``."""
    return _count(tree, None, reduced=False, cap=None)


def count_at_most(tree: Node, limit: int, utility: Utility | None = None) -> int:
    """``min(count_plans(tree, utility), limit + 1)``, without ever computing a large count."""
    return _count(tree, utility, reduced=True, cap=limit + 1)


def _count(tree: Node, utility: Utility | None, reduced: bool, cap: int | None) -> int:
    """Plans (``reduced``) or pure strategies, saturating at ``cap`` when one is given."""
    values = None
    if utility is not None:
        _require_numeric(tree, "count_plans")
        values = node_values(tree, utility)
    ceiling = cap if cap is not None else 1 << MAX_COUNT_BITS
    counts: dict[int, int] = {}
    for node in postorder(tree):
        if isinstance(node, Leaf):
            count = 1
        elif isinstance(node, Choice) and reduced:
            indices = range(len(node.children)) if values is None else optimal_actions(node, values)
            count = sum(counts[id(node.children[k])] for k in indices)
        else:
            count = len(node.children) if isinstance(node, Choice) else 1
            for child in node.children:
                count = min(count * counts[id(child)], ceiling)
        if count > ceiling or (cap is None and count == ceiling):
            if cap is not None:
                count = cap
            else:
                raise TooManyToCount(log10_count(tree, reduced, utility))
        counts[id(node)] = count
    return counts[id(tree)]


def log10_count(tree: Node, reduced: bool = True, utility: Utility | None = None) -> float:
    """``log10`` of the number of plans (or pure strategies), in floating point: for counts
    too large to write down. Only for display, never for a verdict."""
    values = node_values(tree, utility) if utility is not None else None
    logs: dict[int, float] = {}
    for node in postorder(tree):
        if isinstance(node, Leaf):
            logs[id(node)] = 0.0
        elif isinstance(node, Choice) and reduced:
            indices = range(len(node.children)) if values is None else optimal_actions(node, values)
            parts = [logs[id(node.children[k])] for k in indices]
            top = max(parts)
            logs[id(node)] = top + math.log10(sum(10 ** (x - top) for x in parts))
        else:
            own = math.log10(len(node.children)) if isinstance(node, Choice) else 0.0
            logs[id(node)] = own + sum(logs[id(c)] for c in node.children)
    return logs[id(tree)]


@dataclass(frozen=True, slots=True)
class PlannedLottery:
    """One plan and the lottery over outcomes it induces."""

    plan: Plan
    lottery: Mapping[str, Fraction]


def plans(tree: Node, limit: int = DEFAULT_LIMIT, utility: Utility | None = None
          ) -> tuple[PlannedLottery, ...]:
    """Every plan (every optimal plan under ``utility``) with its lottery.

    Refuses with :class:`RefusedError` when there are more than ``limit``.
    """
    _require_numeric(tree, "plans")
    if count_at_most(tree, limit, utility) > limit:
        what = "optimal plans" if utility is not None else "plans"
        raise RefusedError(f"the tree has more than {limit} {what} (the limit; set it with "
                           "`limit = N`)")
    values = node_values(tree, utility) if utility is not None else None
    table: dict[int, list[tuple[Plan, dict[str, Fraction]]]] = {}
    for node in postorder(tree):
        limits.check("listing plans")
        if isinstance(node, Leaf):
            table[id(node)] = [(None, {node.outcome: Fraction(1)})]
        elif isinstance(node, Choice):
            indices = range(len(node.children)) if values is None else optimal_actions(node, values)
            table[id(node)] = [
                ((k, plan), lottery) for k in indices for plan, lottery in table[id(node.children[k])]
            ]
        else:
            rows: list[tuple[Plan, dict[str, Fraction]]] = []
            for combination in itertools.product(*(table[id(c)] for c in node.children)):
                lottery: dict[str, Fraction] = {}
                for p, (_, child_lottery) in zip(node.probabilities, combination):
                    for outcome, q in child_lottery.items():
                        lottery[outcome] = lottery.get(outcome, Fraction(0)) + p * q
                rows.append((tuple(plan for plan, _ in combination), lottery))
            table[id(node)] = rows
    return tuple(PlannedLottery(plan, {o: q for o, q in lottery.items() if q != 0})
                 for plan, lottery in table[id(tree)])


def an_optimal_plan(tree: Node, utility: Utility) -> Plan:
    """One optimal plan (the first optimal action everywhere), without enumerating."""
    _require_numeric(tree, "an_optimal_plan")
    values = node_values(tree, utility)
    chosen: dict[int, Plan] = {}
    for node in postorder(tree):
        if isinstance(node, Leaf):
            chosen[id(node)] = None
        elif isinstance(node, Choice):
            k = optimal_actions(node, values)[0]
            chosen[id(node)] = (k, chosen[id(node.children[k])])
        else:
            chosen[id(node)] = tuple(chosen[id(c)] for c in node.children)
    return chosen[id(tree)]


def _plan_postorder(tree: Node, plan: Plan) -> list[tuple[Node, Plan]]:
    """Distinct (node, sub-plan) pairs reached by ``plan``, children first.

    Sub-plans of shared nodes are usually shared objects, so this stays DAG-sized.
    """
    seen: set[tuple[int, int]] = set()
    order: list[tuple[Node, Plan]] = []
    stack: list[tuple[Node, Plan, bool]] = [(tree, plan, False)]
    while stack:
        node, here, expanded = stack.pop()
        if expanded:
            order.append((node, here))
            continue
        key = (id(node), id(here))
        if key in seen:
            continue
        seen.add(key)
        stack.append((node, here, True))
        stack.extend((child, below, False) for child, below in _plan_children(node, here))
    return order


def _plan_children(node: Node, here: Plan) -> list[tuple[Node, Plan]]:
    if isinstance(node, Choice):
        k, below = _choice_step(here)
        return [(node.children[k], below)]
    if isinstance(node, Chance):
        return list(zip(node.children, _chance_steps(here)))
    return []


def lottery_of(tree: Node, plan: Plan) -> dict[str, Fraction]:
    """The lottery a plan induces."""
    lotteries: dict[tuple[int, int], dict[str, Fraction]] = {}
    for node, here in _plan_postorder(tree, plan):
        if isinstance(node, Leaf):
            result = {node.outcome: Fraction(1)}
        elif isinstance(node, Choice):
            k, below = _choice_step(here)
            result = lotteries[(id(node.children[k]), id(below))]
        else:
            result = {}
            for p, (child, below) in zip(node.probabilities, _plan_children(node, here)):
                for outcome, q in lotteries[(id(child), id(below))].items():
                    result[outcome] = result.get(outcome, Fraction(0)) + p * q
        lotteries[(id(node), id(here))] = result
    return {o: q for o, q in lotteries[(id(tree), id(plan))].items() if q != 0}


MAX_DESCRIPTION = 2000


def describe_plan(tree: Node, plan: Plan) -> str:
    """A plan in the notation of the language reference: ``run > o1``, ``(a | c)``.

    A choice shows its action, then `` > `` and the plan below it when that has choices;
    a chance node with several children that have choices shows them as ``(… | …)``.
    An empty string means the tree has no choices. Descriptions longer than
    ``MAX_DESCRIPTION`` characters are cut with ``…``.
    """
    text: dict[tuple[int, int], str] = {}
    for node, here in _plan_postorder(tree, plan):
        if isinstance(node, Leaf):
            result = ""
        elif isinstance(node, Choice):
            k, below = _choice_step(here)
            rest = text[(id(node.children[k]), id(below))]
            result = node.actions[k] + (f" > {rest}" if rest else "")
        else:
            parts = [text[(id(c), id(b))] for c, b in _plan_children(node, here)]
            parts = [p for p in parts if p]
            result = parts[0] if len(parts) == 1 else ("(" + " | ".join(parts) + ")" if parts else "")
        if len(result) > MAX_DESCRIPTION:
            result = result[:MAX_DESCRIPTION] + "…"
        text[(id(node), id(here))] = result
    return text[(id(tree), id(plan))]


MAX_DECISIONS = 1000


def plan_decisions(tree: Node, plan: Plan) -> list[dict[str, Any]]:
    """A plan as ``{"at": path, "choose": action}`` records (at most ``MAX_DECISIONS``);
    chance edges in paths are ``#k``."""
    decisions: list[dict[str, Any]] = []
    stack: list[tuple[Node, Plan, tuple[str, ...]]] = [(tree, plan, ())]
    while stack and len(decisions) < MAX_DECISIONS:
        node, here, path = stack.pop()
        if isinstance(node, Choice):
            k, below = _choice_step(here)
            decisions.append({"at": list(path), "choose": node.actions[k]})
            stack.append((node.children[k], below, path + (node.actions[k],)))
        elif isinstance(node, Chance):
            subplans = _chance_steps(here)
            for index in reversed(range(len(node.children))):
                stack.append((node.children[index], subplans[index], path + (f"#{index + 1}",)))
    return decisions


def reachable_outcomes(tree: Node) -> frozenset[str]:
    """Outcomes some plan reaches with positive probability.

    A parametric branch counts as reachable unless its probability is identically zero.
    """
    reach: dict[int, frozenset[str]] = {}
    for node in postorder(tree):
        if isinstance(node, Leaf):
            reach[id(node)] = frozenset({node.outcome})
        elif isinstance(node, Choice):
            reach[id(node)] = frozenset().union(*(reach[id(c)] for c in node.children))
        else:
            reach[id(node)] = frozenset().union(
                *(reach[id(c)] for p, c in zip(node.probabilities, node.children) if p != 0)
            )
    return reach[id(tree)]


def expected_utility(lottery: Lottery, utility: Utility) -> Fraction:
    return sum((q * utility[o] for o, q in lottery.items()), Fraction(0))


def optimal_plans(tree: Node, utility: Utility, limit: int = DEFAULT_LIMIT) -> tuple[PlannedLottery, ...]:
    """Every plan that is optimal at every choice node under ``utility``, with its lottery."""
    return plans(tree, limit, utility)


def plan_flow(tree: Node, plan: Plan) -> dict[tuple[int, int], Fraction]:
    """The sequence-form flow of a plan: how much probability each choice edge carries,
    keyed by (index in ``certificates.topological_order(tree)``, child index)."""
    index = {id(node): i for i, node in enumerate(topological_order(tree))}
    pairs = list(reversed(_plan_postorder(tree, plan)))  # parents before children
    weight: dict[tuple[int, int], Fraction] = {(id(tree), id(plan)): Fraction(1)}
    flow: dict[tuple[int, int], Fraction] = {}
    for node, here in pairs:
        amount = weight.get((id(node), id(here)), Fraction(0))
        if isinstance(node, Choice):
            k, below = _choice_step(here)
            edge = (index[id(node)], k)
            flow[edge] = flow.get(edge, Fraction(0)) + amount
            key = (id(node.children[k]), id(below))
            weight[key] = weight.get(key, Fraction(0)) + amount
        elif isinstance(node, Chance):
            for p, (child, below) in zip(node.probabilities, _plan_children(node, here)):
                key = (id(child), id(below))
                weight[key] = weight.get(key, Fraction(0)) + p * amount
    return flow
