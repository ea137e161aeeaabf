"""Trees within bounds, each generated once, smallest first: the candidates of a search.

Generation is by canonical construction: a tree of ``n`` nodes is a root over a *sorted*
sequence of smaller canonical trees, so reordering children never gives a second copy. For
decision trees the labels are part of the canonical form: an outcome at a leaf; a choice
node's children form a multiset; a chance node's branches are a sorted multiset of
(probability, child) pairs, with probabilities from a given set summing to 1. Equal children
are kept: two equal alternatives change how often an option is chosen (``tie``, ``chosen``,
``plans``), and two equal branches need not merge into a branch whose probability is in the
set. With ``Bounds.ordered`` the order of children is part of the tree too (every
arrangement is made once): a property that names actions (``a1``, ``a2``, … follow the
children's order) or compares sets of plans can tell arrangements apart. Trees that differ
only by renaming outcomes are made once by :func:`canonical_pair` (the least form over every
renaming), when the property is symmetric in outcomes.

:func:`shapes` counts unlabelled rooted trees the same way (OEIS A000081), which the tests
compare with the known sequence.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.errors import RefusedError
from decisiontrees.model.nodes import Node, choice, leaf, make_chance

# A canonical key: ("o", name) | ("choice", keys) | ("chance", ((p, key), …)); sorted by repr
Key = tuple[object, ...]


@dataclass(frozen=True)
class Bounds:
    """What a search may generate, per tree."""

    outcomes: tuple[str, ...]
    nodes: int = 4
    depth: int | None = None
    branching: int = 2
    kinds: frozenset[str] = frozenset({"choice", "chance"})
    probabilities: tuple[Fraction, ...] = (Fraction(1, 2),)
    ordered: bool = False  # arrangements of children are different trees


@dataclass(frozen=True)
class Candidate:
    """One generated tree: its canonical key, size, depth and model node."""

    key: Key
    size: int
    depth: int
    node: Node


def shapes(n: int) -> list[tuple[object, ...]]:
    """Every unlabelled rooted tree with ``n`` nodes, once each (as nested sorted tuples)."""
    by_size: dict[int, list[tuple[object, ...]]] = {1: [()]}
    for size in range(2, n + 1):
        found = []
        for children in _multisets(by_size, size - 1):
            found.append(tuple(children))
        by_size[size] = sorted(set(found), key=repr)
    return by_size.get(n, []) if n >= 1 else []


def _multisets(by_size: dict[int, list[tuple[object, ...]]], total: int
               ) -> Iterator[list[tuple[object, ...]]]:
    """Sorted sequences of trees (repeats allowed) whose sizes sum to ``total``."""
    ordered = [(size, t) for size in sorted(by_size) for t in by_size[size]]

    def extend(start: int, remaining: int) -> Iterator[list[tuple[object, ...]]]:
        if remaining == 0:
            yield []
            return
        for index in range(start, len(ordered)):
            size, tree = ordered[index]
            if size > remaining:
                break
            for rest in extend(index, remaining - size):
                yield [tree, *rest]

    yield from extend(0, total)


def chance_vectors(probabilities: Sequence[Fraction], branching: int) -> list[tuple[Fraction, ...]]:
    """Sorted probability vectors of 2 to ``branching`` entries from the set, summing to 1."""
    found = []
    for k in range(2, branching + 1):
        for vector in itertools.combinations_with_replacement(sorted(set(probabilities)), k):
            if sum(vector) == 1:
                found.append(vector)
    return found


def trees(bounds: Bounds, limit: int | None = None) -> list[Candidate]:
    """Every canonical tree within ``bounds``, smallest first (nodes, then depth). Raises
    TooManyTrees as soon as more than ``limit`` are made (before making the rest)."""
    by_size: dict[int, list[Candidate]] = {
        1: [Candidate(("o", o), 1, 0, leaf(o)) for o in bounds.outcomes]}
    kept = len(by_size[1])  # distinct trees of the sizes done

    def refuse_past(count: int, bound: float) -> None:
        if limit is not None and count > bound:
            raise TooManyTrees(f"more than {limit:,} trees within the bounds")
    vectors = chance_vectors(bounds.probabilities, bounds.branching) \
        if "chance" in bounds.kinds else []
    max_depth = bounds.depth if bounds.depth is not None else bounds.nodes
    for size in range(2, bounds.nodes + 1):
        found: list[Candidate] = []
        if "choice" in bounds.kinds:
            for k in range(2, bounds.branching + 1):
                for children in _children(by_size, size - 1, k, max_depth - 1):
                    for arranged in _arrangements(children, bounds.ordered):
                        limits.check("generating trees")
                        keys = tuple(c.key for c in arranged)
                        key: Key = ("choice", keys if bounds.ordered else
                                    tuple(sorted(keys, key=repr)))
                        option = choice({f"a{i + 1}": c.node for i, c in enumerate(arranged)})
                        found.append(Candidate(key, size, 1 + max(c.depth for c in arranged),
                                               option))
                        # before the duplicates go
                        refuse_past(kept + len(found), 8 * (limit or 0))
        for vector in vectors:
            for children in _children(by_size, size - 1, len(vector), max_depth - 1):
                limits.check("generating trees")
                # every assignment of the vector's probabilities to the sorted children,
                # once: the sorted (probability, child) pairs
                for order in set(itertools.permutations(vector)):
                    for arranged in _arrangements(list(zip(order, children)), bounds.ordered):
                        pairs = tuple((p, c.key) for p, c in arranged)
                        if not bounds.ordered:
                            pairs = tuple(sorted(pairs, key=repr))
                        # chance_vectors' entries are Fractions summing to 1: no checks needed
                        node = make_chance(tuple(p for p, _ in arranged),
                                           tuple(c.node for _, c in arranged))
                        found.append(Candidate(("chance", pairs), size,
                                               1 + max(c.depth for _, c in arranged), node))
                        refuse_past(kept + len(found), 8 * (limit or 0))
        unique = {repr(c.key): c for c in found}
        by_size[size] = sorted(unique.values(), key=lambda c: (c.depth, repr(c.key)))
        kept += len(unique)
        refuse_past(kept, limit or 0)
    ordered = [c for size in sorted(by_size) for c in by_size[size]]
    return sorted(ordered, key=lambda c: (c.size, c.depth))


def _arrangements(items: list[Any], ordered: bool) -> Iterator[list[Any]]:
    """The items as given, or with ``ordered`` every distinct arrangement of them, once (items
    are candidates, or (probability, candidate) pairs; a candidate is told by its identity,
    since equal trees are one candidate)."""
    if not ordered:
        yield items
        return
    seen: set[tuple[object, ...]] = set()
    for arrangement in itertools.permutations(items):
        signature = tuple((x[0], id(x[1])) if isinstance(x, tuple) else id(x)
                          for x in arrangement)
        if signature not in seen:
            seen.add(signature)
            yield list(arrangement)


class TooManyTrees(RefusedError):
    """More trees within a search's bounds than it may examine."""


def _children(by_size: dict[int, list[Candidate]], total: int, count: int,
              max_depth: int) -> Iterator[list[Candidate]]:
    """Non-decreasing sequences of ``count`` trees (repeats allowed), each of depth at most
    ``max_depth``, whose sizes sum to ``total``."""
    ordered = [c for size in sorted(by_size) for c in by_size[size] if c.depth <= max_depth]

    def extend(start: int, remaining: int, left: int) -> Iterator[list[Candidate]]:
        if left == 0:
            if remaining == 0:
                yield []
            return
        for index in range(start, len(ordered)):
            tree = ordered[index]
            if tree.size > remaining - (left - 1):
                continue
            for rest in extend(index, remaining - tree.size, left - 1):
                yield [tree, *rest]

    yield from extend(0, total, count)


def renamed_key(key: Key, renaming: dict[str, str]) -> Key:
    """The canonical key of the tree with outcomes renamed."""
    kind = key[0]
    if kind == "o":
        return ("o", renaming[str(key[1])])
    children = key[1]
    assert isinstance(children, tuple)
    if kind == "choice":
        return ("choice", tuple(sorted((renamed_key(k, renaming) for k in children), key=repr)))
    return ("chance", tuple(sorted(((p, renamed_key(k, renaming)) for p, k in children),
                                   key=repr)))


def canonical_pair(keys: Sequence[Key], outcomes: Sequence[str]) -> bool:
    """Whether ``keys`` (one per tree variable) is the least form of itself over every
    renaming of the outcomes: the one representative a symmetric search examines."""
    mine = repr(tuple(keys))
    for permutation in itertools.permutations(outcomes):
        renaming = dict(zip(outcomes, permutation))
        if repr(tuple(renamed_key(k, renaming) for k in keys)) < mine:
            return False
    return True


def renamed_forms(candidates: Sequence[Candidate], outcomes: Sequence[str]) -> list[list[str]]:
    """For each candidate, its canonical form (as text) under every renaming of the outcomes,
    the identity first: computed once, so checking a tuple of trees costs comparisons only."""
    renamings = [dict(zip(outcomes, p)) for p in itertools.permutations(outcomes)]
    return [[repr(renamed_key(c.key, r)) for r in renamings] for c in candidates]


def least_tuple(indices: Sequence[int], forms: list[list[str]], swap: bool = False) -> bool:
    """Whether the tuple of candidates ``indices`` is the least of its renamings (and, with
    ``swap``, of theirs with the two trees exchanged), in the order of their forms' texts:
    exactly one tuple of each class is (ties are renamings that change nothing)."""
    mine = [forms[i][0] for i in indices]
    if swap and [forms[i][0] for i in reversed(indices)] < mine:
        return False
    for k in range(1, len(forms[indices[0]])):
        if [forms[i][k] for i in indices] < mine:
            return False
        if swap and [forms[i][k] for i in reversed(indices)] < mine:
            return False
    return True
