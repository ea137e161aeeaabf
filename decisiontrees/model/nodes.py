"""The immutable model: hash-consed decision-tree nodes in exact arithmetic.

Nodes are interned: two structurally equal subtrees are the same object, so a subtree
referenced from many places is stored once and ``==`` is identity. Analyses walk the
resulting DAG once per distinct node (see :func:`postorder`).

>>> from fractions import Fraction
>>> run = choice({"o1": leaf("o1"), "o2": leaf("o2")})
>>> tree = choice({"off": leaf("off"), "run": run})
>>> tree.children[1] is choice({"o1": "o1", "o2": "o2"})
True
>>> chance([(Fraction(1, 2), "a"), (Fraction(1, 2), "b")]) is uniform(["a", "b"])
True
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeVar, Union

from decisiontrees.errors import ArgumentError
from decisiontrees.language.numbers import exact_argument
from decisiontrees.language.syntax import unprintable

if TYPE_CHECKING:
    import sympy

    Probability = Union[Fraction, sympy.Expr]
else:
    Probability = Any

_INTERNED: weakref.WeakValueDictionary[tuple[object, ...], Node] = weakref.WeakValueDictionary()


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Leaf:
    """A leaf: the tree ends in ``outcome``."""

    outcome: str

    @property
    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Choice:
    """The agent picks one child; ``actions[k]`` labels the edge to ``children[k]``."""

    actions: tuple[str, ...]
    children: tuple[Node, ...]
    symbolic: bool = field(default=False)


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Chance:
    """Nature picks ``children[k]`` with probability ``probabilities[k]`` (exact).

    ``symbolic`` (also on :class:`Choice`) records whether a parameter appears below.
    """

    probabilities: tuple[Probability, ...]
    children: tuple[Node, ...]
    symbolic: bool = field(default=False)


Node = Union[Leaf, Choice, Chance]


_N = TypeVar("_N", Leaf, Choice, Chance)


def _intern(key: tuple[object, ...], kind: type[_N], make: Callable[[], _N]) -> _N:
    node = _INTERNED.get(key)
    if node is None:
        made = make()
        _INTERNED[key] = made
        return made
    assert isinstance(node, kind)  # the key's first item names the kind
    return node


def _as_node(child: Node | str, call: str = "choice") -> Node:
    if isinstance(child, str):
        return leaf(child)
    if not isinstance(child, (Leaf, Choice, Chance)):
        raise ArgumentError(f"{call}(): a child is a node or an outcome's name, not "
                            f"{type(child).__name__}")
    return child


def leaf(outcome: str) -> Leaf:
    """The leaf for ``outcome``."""
    if not isinstance(outcome, str) or not outcome:
        raise ArgumentError(f"leaf(): an outcome is a non-empty string, not {outcome!r}")
    return _intern(("leaf", outcome), Leaf, lambda: Leaf(outcome))


def make_choice(actions: tuple[str, ...], children: tuple[Node, ...]) -> Choice:
    """Intern a choice node whose arguments are already valid (used by the loader)."""
    key = ("choice", actions, tuple(map(id, children)))
    symbolic = any(is_symbolic(c) for c in children)
    return _intern(key, Choice, lambda: Choice(actions, children, symbolic))


def make_chance(probabilities: tuple[Probability, ...], children: tuple[Node, ...]) -> Chance:
    """Intern a chance node whose arguments are already valid (used by the loader)."""
    # a Fraction hashes through a modular inverse of its denominator, slow for the long
    # denominators of discounted visits; its (numerator, denominator) pair hashes fast
    key = ("chance", tuple((p.numerator, p.denominator) if isinstance(p, Fraction) else p
                           for p in probabilities), tuple(map(id, children)))
    symbolic = not all(isinstance(p, Fraction) for p in probabilities) or any(
        is_symbolic(c) for c in children
    )
    return _intern(key, Chance, lambda: Chance(probabilities, children, symbolic))


def is_symbolic(node: Node) -> bool:
    """Whether some probability below ``node`` mentions a parameter (stored, so O(1))."""
    return not isinstance(node, Leaf) and node.symbolic


def choice(edges: Mapping[str, Node | str]) -> Choice:
    """A choice node from ``{action: child}``; a string child is a leaf.

    >>> choice({"stay": "home", "go": "out"}).actions
    ('stay', 'go')
    """
    if not isinstance(edges, Mapping):
        raise ArgumentError("choice(): edges are a mapping {action: child}, not "
                            f"{type(edges).__name__}")
    if not edges:
        raise ArgumentError("choice(): a choice node needs at least one edge")
    for action in edges:
        if not isinstance(action, str) or not action or ">" in action or \
                any(map(unprintable, action)):
            raise ArgumentError(f"choice(): the action {action!r} is not a non-empty string "
                             "without `>` (which separates the steps of a plan), control "
                             "characters or bidirectional controls")
    return make_choice(tuple(edges), tuple(_as_node(c) for c in edges.values()))


def chance(branches: Iterable[tuple[Fraction | int | str, Node | str]]) -> Chance:
    """A chance node from ``[(probability, child), …]`` with exact probabilities summing to 1.

    >>> chance([("1/4", "a"), ("3/4", "b")]).probabilities
    (Fraction(1, 4), Fraction(3, 4))
    """
    if isinstance(branches, (Mapping, str)):
        raise ArgumentError("chance(): branches are a list of (probability, child) pairs")
    pairs = []
    for branch in branches:
        if not isinstance(branch, (tuple, list)) or len(branch) != 2:
            raise ArgumentError(f"chance(): a branch is a (probability, child) pair, not "
                                f"{branch!r:.60}")
        pairs.append((exact_argument("chance", "a probability", branch[0]),
                      _as_node(branch[1], "chance")))
    if not pairs:
        raise ArgumentError("chance(): a chance node needs at least one branch")
    negative = [p for p, _ in pairs if p < 0]
    if negative:
        raise ArgumentError(f"chance(): probability {negative[0]} is negative")
    total = sum(p for p, _ in pairs)
    if total != 1:
        raise ArgumentError(f"chance(): probabilities sum to {total}, not 1")
    return make_chance(tuple(p for p, _ in pairs), tuple(c for _, c in pairs))


def uniform(children: Iterable[Node | str]) -> Chance:
    """A chance node giving each child the same probability."""
    if isinstance(children, (Mapping, str)):
        raise ArgumentError("uniform(): children are a list of nodes or outcomes' names")
    nodes = [_as_node(c, "uniform") for c in children]
    if not nodes:
        raise ArgumentError("uniform(): a chance node needs at least one branch")
    share = Fraction(1, len(nodes))
    return make_chance(tuple(share for _ in nodes), tuple(nodes))


def postorder(root: Node, stop: Callable[[Node], bool] | None = None) -> list[Node]:
    """Every distinct node below ``root`` once, children before parents (no recursion); a
    node for which ``stop`` holds is listed but not looked below."""
    seen: set[int] = set()
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if stop is not None and stop(node):
            continue
        for child in reversed(node.children):
            if id(child) not in seen:
                stack.append((child, False))
    return order


def rebuild(tree: Node, change: Callable[[Node, tuple[Node, ...]], Node | None]) -> Node:
    """A bottom-up copy of ``tree``: ``change(node, new_children)`` may return a replacement
    for a node; otherwise the node is re-made over its new children. Each distinct node is
    visited once, so shared subtrees stay shared.

    >>> t = choice({"a": "x", "b": "y"})
    >>> rebuild(t, lambda n, c: leaf("z") if n is leaf("y") else None).actions
    ('a', 'b')
    """
    done: dict[int, Node] = {}
    for node in postorder(tree):
        children = tuple(done[id(c)] for c in node.children)
        replaced = change(node, children)
        if replaced is not None:
            done[id(node)] = replaced
        elif isinstance(node, Choice):
            done[id(node)] = make_choice(node.actions, children)
        elif isinstance(node, Chance):
            done[id(node)] = make_chance(node.probabilities, children)
        else:
            done[id(node)] = node
    return done[id(tree)]


def unfolded_size(root: Node) -> int:
    """The number of nodes of the tree with every shared subtree written out."""
    size: dict[int, int] = {}
    for node in postorder(root):
        size[id(node)] = 1 + sum(size[id(c)] for c in node.children)
    return size[id(root)]


def outcomes_of(root: Node) -> Iterator[str]:
    """The outcomes on the leaves below ``root``, each once."""
    for node in postorder(root):
        if isinstance(node, Leaf):
            yield node.outcome


@dataclass(frozen=True, slots=True)
class Parameter:
    """A symbolic probability parameter with its interval domain."""

    name: str
    low: Fraction
    high: Fraction
    low_open: bool
    high_open: bool

    def contains(self, value: Fraction) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def __str__(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{self.name} in {left}{self.low}, {self.high}{right}"
