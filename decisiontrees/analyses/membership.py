"""Whether a lottery lies in a tree's lottery set, with evidence either way.

"Yes" carries a sequence-form flow (checked exactly by :mod:`decisiontrees.evidence.checks`);
"no" carries a utility function ``u`` with ``u·x > V_u(t)``, checked by backward induction.
The solver only searches; nothing it says is reported before that exact check passes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees.analyses.plans import an_optimal_plan, describe_plan, expected_utility, value
from decisiontrees.errors import ArgumentError
from decisiontrees.evidence.checks import EdgeKey, check_flow, topological_order
from decisiontrees.model.nodes import Chance, Choice, Node, is_symbolic, outcomes_of
from decisiontrees.solvers import smt as solver

DEFAULT_TIMEOUT_MS = 30_000


@dataclass(frozen=True, slots=True)
class Membership:
    """The answer to "is ``lottery`` in L(tree)?"; ``contained`` is None when unknown."""

    contained: bool | None
    method: str
    flow: Mapping[EdgeKey, Fraction] | None = None
    witness: Mapping[str, Fraction] | None = None
    witness_tree_value: Fraction | None = None
    witness_lottery_value: Fraction | None = None
    witness_plan: str | None = None
    reason: str | None = None


def contains(tree: Node, lottery: Mapping[str, Fraction], outcomes: list[str] | None = None,
             timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Membership:
    """Decide ``lottery ∈ L(tree)`` exactly.

    >>> from decisiontrees.model.nodes import choice
    >>> contains(choice({"a": "x", "b": "y"}), {"x": Fraction(1, 3), "y": Fraction(2, 3)}).contained
    True
    """
    if is_symbolic(tree):
        raise ArgumentError("contains(): the tree has parameters; give them values first")
    lottery = {o: Fraction(q) for o, q in lottery.items()}
    if any(q < 0 for q in lottery.values()) or sum(lottery.values()) != 1:
        raise ArgumentError("contains(): the lottery must be non-negative and sum to 1")
    flow = solver.find_flow(tree, lottery, timeout_ms)
    if isinstance(flow, solver.Unknown):
        return Membership(None, solver.SOLVER_NAME, reason=flow.reason)
    if flow is not None:
        failure = check_flow(tree, lottery, flow)
        if failure is not None:
            return Membership(None, solver.SOLVER_NAME,
                              reason=f"the solver's flow failed the exact check: {failure}")
        return Membership(True, f"{solver.SOLVER_NAME}, flow checked exactly", flow=flow)
    names = sorted(set(outcomes or ()) | set(lottery) | _leaf_outcomes(tree))
    witness = solver.find_separating_utility(tree, lottery, names, timeout_ms)
    if isinstance(witness, solver.Unknown):
        return Membership(None, solver.SOLVER_NAME, reason=witness.reason)
    if witness is None:
        return Membership(None, solver.SOLVER_NAME,
                          reason="the solver found neither a flow nor a separating utility")
    witness = _simplest(tree, lottery, witness)
    tree_value = value(tree, witness)
    lottery_value = expected_utility(lottery, witness)
    if not lottery_value > tree_value:
        return Membership(None, solver.SOLVER_NAME,
                          reason="the solver's separating utility failed the exact check")
    return Membership(
        False, f"{solver.SOLVER_NAME}, witness checked exactly", witness=witness,
        witness_tree_value=tree_value, witness_lottery_value=lottery_value,
        witness_plan=describe_plan(tree, an_optimal_plan(tree, witness)),
    )


def _leaf_outcomes(tree: Node) -> set[str]:
    return set(outcomes_of(tree))


def _simplest(tree: Node, lottery: Mapping[str, Fraction], utility: dict[str, Fraction]
              ) -> dict[str, Fraction]:
    """A utility with small denominators that still separates, if rounding keeps it valid.

    Separation is invariant under scaling, so the largest value is first scaled to 1.
    """
    largest = max(utility.values(), default=Fraction(0))
    if largest > 0:
        utility = {o: u / largest for o, u in utility.items()}
    for denominator in (1, 2, 3, 4, 6, 10, 100):
        rounded = {o: u.limit_denominator(denominator) for o, u in utility.items()}
        if all(0 <= u <= 1 for u in rounded.values()) and (
            expected_utility(lottery, rounded) > value(tree, rounded)
        ):
            return rounded
    return utility


def node_paths(tree: Node, flow: Mapping[EdgeKey, Fraction] | None = None) -> list[str]:
    """A readable path (``run > #2 > stay``) to each node of ``topological_order(tree)``; with
    a ``flow``, only along edges that carry some of it (other nodes get no path: "")."""
    order = topological_order(tree)
    index = {id(n): i for i, n in enumerate(order)}
    paths: list[str | None] = [None] * len(order)
    paths[0] = ""
    queue = deque([tree])
    while queue:
        node = queue.popleft()
        i = index[id(node)]
        here = paths[i]
        for k, child in enumerate(node.children):
            if isinstance(node, Choice):
                label, carries = node.actions[k], flow is None or flow.get((i, k), 0) > 0
            else:
                assert isinstance(node, Chance)
                label, carries = f"#{k + 1}", node.probabilities[k] != 0
            if carries and paths[index[id(child)]] is None:
                paths[index[id(child)]] = f"{here} > {label}" if here else label
                queue.append(child)
    return [p or "" for p in paths]


def flow_behaviour(tree: Node, flow: Mapping[EdgeKey, Fraction]) -> list[dict[str, Any]]:
    """The flow as a mix of actions at each choice node that receives some of it, each named
    by a path the flow takes to it (never a path through a branch the flow avoids)."""
    order = topological_order(tree)
    paths = node_paths(tree, flow)
    steps = []
    for i, node in enumerate(order):
        if not isinstance(node, Choice):
            continue
        parts = [flow.get((i, k), Fraction(0)) for k in range(len(node.children))]
        total = sum(parts)
        if total == 0:
            continue
        mix = {a: str(q / total) for a, q in zip(node.actions, parts) if q != 0}
        steps.append({"at": paths[i], "mix": mix})
    return sorted(steps, key=lambda step: (step["at"].count(" > "), step["at"]))
