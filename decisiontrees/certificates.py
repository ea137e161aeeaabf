"""Small exact checkers for evidence found by solvers. Imports neither z3 nor sympy.

The sequence form of THEORY §1 is written over the DAG of distinct nodes: a *flow* gives
every choice edge a non-negative amount; the root receives 1, a choice node passes what it
receives to its edges, a chance node passes ``p_k`` of it to child ``k``, and a leaf adds what
it receives to its outcome. (Splitting a shared node's flow in proportion to what each of
its occurrences receives turns a DAG flow into a flow of the unfolded tree, so both describe
the same lottery set.)
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from decisiontrees.model import Choice, Leaf, Node, postorder

EdgeKey = tuple[int, int]  # (index of the node in topological_order, index of the child)


def topological_order(tree: Node) -> list[Node]:
    """Distinct nodes, parents before children; the root is first."""
    return list(reversed(postorder(tree)))


def lottery_of_flow(tree: Node, flow: Mapping[EdgeKey, Fraction]) -> dict[str, Fraction] | str:
    """The lottery a flow induces, or a message naming the first violated condition."""
    order = topological_order(tree)
    index = {id(node): i for i, node in enumerate(order)}
    received = [Fraction(0)] * len(order)
    received[0] = Fraction(1)
    lottery: dict[str, Fraction] = {}
    for i, node in enumerate(order):
        amount = received[i]
        if isinstance(node, Leaf):
            lottery[node.outcome] = lottery.get(node.outcome, Fraction(0)) + amount
        elif isinstance(node, Choice):
            parts = [Fraction(flow.get((i, k), 0)) for k in range(len(node.children))]
            if any(part < 0 for part in parts):
                return f"node {i}: negative flow on an edge"
            if sum(parts) != amount:
                return f"node {i}: edges carry {sum(parts)} but the node receives {amount}"
            for child, part in zip(node.children, parts):
                received[index[id(child)]] += part
        else:
            for p, child in zip(node.probabilities, node.children):
                if not isinstance(p, Fraction):
                    return f"node {i}: probability is not a number"
                received[index[id(child)]] += p * amount
    unknown = [key for key in flow if not _is_choice_edge(order, key)]
    if unknown:
        return f"flow names {unknown[0]}, which is not a choice edge"
    return {o: q for o, q in lottery.items() if q != 0}


def _is_choice_edge(order: list[Node], key: EdgeKey) -> bool:
    i, k = key
    return 0 <= i < len(order) and isinstance(order[i], Choice) and 0 <= k < len(order[i].children)


def check_flow(tree: Node, lottery: Mapping[str, Fraction], flow: Mapping[EdgeKey, Fraction]) -> str | None:
    """None when ``flow`` is a valid sequence-form point of ``tree`` inducing ``lottery``;
    otherwise the first failing step."""
    induced = lottery_of_flow(tree, flow)
    if isinstance(induced, str):
        return induced
    wanted = {o: Fraction(q) for o, q in lottery.items() if q != 0}
    if induced != wanted:
        return f"the flow induces {induced}, not {wanted}"
    return None
