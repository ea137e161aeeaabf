"""What a figure writes on a tree under a utility function: each node's value and the
actions drawn thick.

On an exact tree these are backward induction's values and optimal actions. On a tree with
parameters a node's value is a function of them: it is simplified on the parameters'
domains (``Max(1, 1 - q)`` is ``1`` when ``q ∈ [0, 1]``), and an action is thick only when
it is optimal for every value in the domains; a comparison nobody could decide in time
leaves both candidates in the ``Max`` and neither thick.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees.analyses.parametric import for_all, relation
from decisiontrees.analyses.plans import node_values, optimal_actions
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, Parameter, is_symbolic, postorder
from decisiontrees.model.symbols import simplify

COMPARISON_TIMEOUT_MS = 2_000


@dataclass(frozen=True)
class Marks:
    """``values[id(node)]`` for every node; ``best[id(choice)]``: the thick actions."""

    values: Mapping[int, Any]
    best: Mapping[int, frozenset[int]]


def marks(tree: Node, utility: Mapping[str, Fraction],
          parameters: Mapping[str, Parameter] | None = None) -> Marks:
    """Values and thick actions of ``tree`` under ``utility``; ``parameters`` are the domains
    of the tree's parameters (without them a parametric tree shows unsimplified values and no
    thick action)."""
    if not is_symbolic(tree):
        values = node_values(tree, utility)
        best = {id(node): frozenset(optimal_actions(node, values))
                for node in postorder(tree) if isinstance(node, Choice)}
        return Marks(values, best)
    if parameters is None:
        return Marks(node_values(tree, utility), {})
    return _parametric_marks(tree, utility, parameters)


def _parametric_marks(tree: Node, utility: Mapping[str, Fraction],
                      parameters: Mapping[str, Parameter]) -> Marks:
    import sympy

    values: dict[int, Any] = {}
    best: dict[int, frozenset[int]] = {}
    at_least = _AtLeast(parameters)
    for node in postorder(tree):
        if isinstance(node, Leaf):
            values[id(node)] = Fraction(utility[node.outcome])
        elif isinstance(node, Chance):
            values[id(node)] = simplify(sum((p * values[id(c)] for p, c in
                                             zip(node.probabilities, node.children)), Fraction(0)))
        else:
            assert isinstance(node, Choice)
            children = [values[id(c)] for c in node.children]
            everywhere = frozenset(
                k for k, mine in enumerate(children)
                if all(at_least(mine, other) for other in children))
            best[id(node)] = everywhere
            if everywhere:
                values[id(node)] = children[min(everywhere)]
                continue
            kept = [mine for k, mine in enumerate(children)
                    if not any(at_least(other, mine) and not at_least(mine, other)
                               for other in children)]
            unique = list(dict.fromkeys(kept))
            values[id(node)] = unique[0] if len(unique) == 1 else simplify(sympy.Max(*unique))
    return Marks(values, best)


class _AtLeast:
    """``a >= b`` for every parameter value, decided once per pair (False when unknown)."""

    def __init__(self, parameters: Mapping[str, Parameter]) -> None:
        self.parameters = parameters
        self.known: dict[tuple[Any, Any], bool] = {}

    def __call__(self, a: Any, b: Any) -> bool:
        if a is b or a == b:
            return True
        key = (a, b)
        if key not in self.known:
            condition = relation(a, ">=", b)
            names = {s.name for s in getattr(condition, "free_symbols", ())}
            if not names <= set(self.parameters):
                self.known[key] = False  # a symbol without a domain: nothing to decide on
            else:
                decided = for_all(condition, {n: self.parameters[n] for n in names},
                                  COMPARISON_TIMEOUT_MS)
                self.known[key] = decided.holds is True
        return self.known[key]
