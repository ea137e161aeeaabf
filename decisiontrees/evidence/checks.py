"""Small exact checkers for evidence found by solvers. Imports neither z3 nor sympy.

The sequence form of THEORY §1 is written over the DAG of distinct nodes: a *flow* gives
every choice edge a non-negative amount; the root receives 1, a choice node passes what it
receives to its edges, a chance node passes ``p_k`` of it to child ``k``, and a leaf adds what
it receives to its outcome. (Splitting a shared node's flow in proportion to what each of
its occurrences receives turns a DAG flow into a flow of the unfolded tree, so both describe
the same lottery set.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from decisiontrees.model.nodes import Choice, Leaf, Node, postorder

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


def serialize_tree(tree: Node) -> dict[str, list[dict[str, object]]]:
    """The tree as JSON: nodes in topological order (root first), children by index."""
    order = topological_order(tree)
    index = {id(node): i for i, node in enumerate(order)}
    nodes: list[dict[str, object]] = []
    written: dict[tuple[int, int], str] = {}  # long numbers recur across nodes: write each once

    def text(p: Fraction) -> str:
        key = (p.numerator, p.denominator)
        if key not in written:
            written[key] = str(p)
        return written[key]

    for node in order:
        if isinstance(node, Leaf):
            nodes.append({"leaf": node.outcome})
        elif isinstance(node, Choice):
            nodes.append({"choice": [[a, index[id(c)]] for a, c in zip(node.actions, node.children)]})
        else:
            nodes.append({"chance": [[text(p), index[id(c)]]
                                     for p, c in zip(node.probabilities, node.children)]})
    return {"nodes": nodes}


Row = tuple[Mapping[str, Fraction], str, Fraction]


def _combination(rows: Sequence[Row], multipliers: Sequence[Fraction]
                 ) -> tuple[dict[str, Fraction], Fraction] | str:
    """``Σ λ_r c_r`` (by variable) and ``Σ λ_r constant_r``, or why the multipliers are not
    admissible (a wrong count, or a negative one on an inequality)."""
    if len(multipliers) != len(rows):
        return f"{len(multipliers)} multipliers for {len(rows)} constraints"
    combined: dict[str, Fraction] = {}
    for (coefficients, op, _), multiplier in zip(rows, multipliers):
        if op != "==" and multiplier < 0:
            return f"a negative multiplier {multiplier} on an inequality"
        for variable, c in coefficients.items():
            combined[variable] = combined.get(variable, Fraction(0)) + multiplier * c
    bound = sum((m * constant for (_, _, constant), m in zip(rows, multipliers)), Fraction(0))
    return combined, bound


def check_farkas(rows: Sequence[Row], difference: Mapping[str, Fraction],
                 multipliers: Sequence[Fraction]) -> str | None:
    """None when ``multipliers`` prove ``u·difference >= 0`` for every ``u`` satisfying every
    row ``(coefficients, op, constant)`` (``Σ c_v v  op  constant``, op in >=, >, ==).

    The proof: ``λ >= 0`` on inequality rows, ``Σ λ_r c_rv = difference_v`` for every
    variable (0 for variables not in ``difference``), and ``Σ λ_r constant_r >= 0``.
    """
    found = _combination(rows, multipliers)
    if isinstance(found, str):
        return found
    combined, bound = found
    for variable in set(combined) | set(difference):
        if combined.get(variable, Fraction(0)) != difference.get(variable, Fraction(0)):
            return f"the multipliers give {combined.get(variable, 0)} for `{variable}`, " \
                   f"not {difference.get(variable, 0)}"
    if bound < 0:
        return f"the multipliers bound the gap by {bound} < 0"
    return None


def check_infeasible(rows: Sequence[Row], multipliers: Sequence[Fraction]) -> str | None:
    """None when ``multipliers`` prove that no point satisfies every row: ``λ >= 0`` on
    inequality rows, ``Σ λ_r c_rv = 0`` for every variable, ``Σ λ_r constant_r >= 0``, and
    ``> 0`` unless some strict row has positive weight (then ``0 >= Σ λ_r constant_r`` would
    have to hold strictly)."""
    found = _combination(rows, multipliers)
    if isinstance(found, str):
        return found
    combined, bound = found
    loose = next((v for v, total in combined.items() if total != 0), None)
    if loose is not None:
        return f"the multipliers leave {combined[loose]}·{loose}, not 0"
    strict = any(m > 0 for (_, op, _), m in zip(rows, multipliers) if op == ">")
    if bound < 0 or (bound == 0 and not strict):
        return f"the multipliers give 0 >= {bound}, which is no contradiction"
    return None
