"""Arguments of the Python API checked once, the same way for every public function: a
tree, exact numbers (never a float's binary value), a utility for every outcome reached.
Bad arguments raise ArgumentError naming the call and the argument."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from decisiontrees.errors import ArgumentError
from decisiontrees.language.numbers import exact_argument
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, is_symbolic, outcomes_of


def tree_argument(call: str, argument: str, tree: Any) -> Node:
    """``tree`` if it is a tree."""
    if not isinstance(tree, (Leaf, Choice, Chance)):
        raise ArgumentError(f"{call}(): {argument} must be a tree (choice, chance, uniform, leaf "
                            f"or spec.tree(name)), not {type(tree).__name__}")
    return tree


def numeric_tree(call: str, argument: str, tree: Any) -> Node:
    """``tree`` if it is a tree without parameters."""
    node = tree_argument(call, argument, tree)
    if is_symbolic(node):
        raise ArgumentError(f"{call}(): {argument} has parameters; give them values first "
                            "(spec.tree(name) with `p = …` in a statement, or substitute)")
    return node


def number_mapping(call: str, argument: str, values: Any, outcomes: Iterable[str]
                   ) -> dict[str, Fraction]:
    """``values`` as exact numbers, one for each of ``outcomes`` at least."""
    if not isinstance(values, Mapping):
        raise ArgumentError(f"{call}(): {argument} must map outcomes to numbers")
    exact = {str(o): exact_argument(call, argument, v) for o, v in values.items()}
    missing = sorted(set(outcomes) - set(exact))
    if missing:
        raise ArgumentError(f"{call}(): {argument} gives no value to "
                            + ", ".join(f"`{o}`" for o in missing))
    return exact


def checked_utility(call: str, tree: Any, utility: Any
                    ) -> tuple[Node, dict[str, Fraction] | None]:
    """``tree`` and ``utility`` (which may be None) checked: a tree, and exact numbers for
    every outcome it reaches."""
    node = tree_argument(call, "tree", tree)
    return node, None if utility is None else number_mapping(call, "utility", utility,
                                                       outcomes_of(node))


