"""Hypothesis strategies for random small trees, utilities and lotteries (shared by tests)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from decisiontrees.model.nodes import Node, chance, choice, leaf

OUTCOMES = ("a", "b", "c", "d", "e", "f")


def trees(outcomes: tuple[str, ...] = OUTCOMES, max_leaves: int = 12, positive: bool = False
          ) -> st.SearchStrategy[Node]:
    """Random trees with choice and chance nodes; identical subtrees are shared by interning,
    and a child may appear twice in one node (under two labels), which shares it too.
    With ``positive``, every chance probability is positive."""
    leaves = st.sampled_from(outcomes).map(leaf)

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        choices = st.lists(children, min_size=1, max_size=3).map(
            lambda kids: choice({f"x{i}": kid for i, kid in enumerate(kids)})
        )
        weights = st.integers(1 if positive else 0, 3)
        chances = st.lists(st.tuples(weights, children), min_size=1, max_size=3).filter(
            lambda pairs: sum(w for w, _ in pairs) > 0
        ).map(lambda pairs: chance(
            [(Fraction(w, sum(v for v, _ in pairs)), kid) for w, kid in pairs]))
        return st.one_of(choices, chances)

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def utilities(outcomes: tuple[str, ...] = OUTCOMES, values: tuple[int, ...] = (0, 1, 2)
              ) -> st.SearchStrategy[dict[str, Fraction]]:
    """Utility functions with few distinct values, so ties are common."""
    return st.fixed_dictionaries({o: st.sampled_from(values).map(Fraction) for o in outcomes})


def lotteries(outcomes: tuple[str, ...] = OUTCOMES) -> st.SearchStrategy[dict[str, Fraction]]:
    return st.lists(st.integers(0, 4), min_size=len(outcomes), max_size=len(outcomes)).filter(
        lambda ws: sum(ws) > 0
    ).map(lambda ws: {o: Fraction(w, sum(ws)) for o, w in zip(outcomes, ws) if w})


def garble(tree: Node, rng) -> Node:  # type: ignore[no-untyped-def]
    """An equivalent copy of ``tree`` (the same lottery set): choices reordered and regrouped
    under nested choices, chance branches reordered, split in two (the halves garbled apart)
    and nested under a chance node of their own."""
    from decisiontrees.model.nodes import Chance, Choice

    if isinstance(tree, Choice):
        kids = [garble(c, rng) for c in tree.children]
        rng.shuffle(kids)
        if len(kids) >= 3 and rng.random() < 0.5:
            k = rng.randint(2, len(kids) - 1)
            kids = [choice({f"n{i}": c for i, c in enumerate(kids[:k])}), *kids[k:]]
        return choice({f"g{i}": c for i, c in enumerate(kids)})
    if isinstance(tree, Chance):
        branches = [(p, garble(c, rng)) for p, c in zip(tree.probabilities, tree.children)]
        original = list(zip(tree.probabilities, tree.children))
        if rng.random() < 0.5:
            k = rng.randrange(len(branches))
            p, child = original[k]
            branches[k:k + 1] = [(p / 2, garble(child, rng)), (p / 2, garble(child, rng))]
        rng.shuffle(branches)
        if len(branches) >= 3 and rng.random() < 0.5:
            (p, x), (q, y) = branches[0], branches[1]
            if p + q > 0:
                inner = chance([(p / (p + q), x), (q / (p + q), y)])
                branches = [(p + q, inner), *branches[2:]]
        return chance(branches)
    return tree
