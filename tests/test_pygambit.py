"""Cross-checks against Gambit itself (pygambit): the same trees, built in both tools, must
have the same reduced strategies, expected payoffs and optimal strategies."""

from __future__ import annotations

import io
from fractions import Fraction

import pytest
from hypothesis import given, settings
from paths import EXAMPLES
from strategies import trees, utilities

from decisiontrees import load
from decisiontrees.analyses import plans as analysis
from decisiontrees.formats.gambit import to_efg
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node

gbt = pytest.importorskip("pygambit")


def _build(tree: Node, utility: dict[str, Fraction]):
    """The tree as a pygambit game, built through pygambit's own API (not through .efg)."""
    game = gbt.Game.new_tree(players=["agent"], title="cross-check")
    outcomes: dict[str, object] = {}
    stack = [(game.root, tree)]
    while stack:
        place, node = stack.pop()
        if isinstance(node, Leaf):
            if node.outcome not in outcomes:
                payoff = gbt.Rational(str(utility[node.outcome]))
                outcomes[node.outcome] = game.add_outcome(node.outcome, [payoff])
            game.set_outcome(place, outcomes[node.outcome])
            continue
        labels = [f"m{k}" for k in range(len(node.children))]
        if isinstance(node, Choice):
            game.append_move(place, "agent", labels)
        else:
            assert isinstance(node, Chance)
            game.append_move(place, game.players.chance, labels)
            game.set_chance_probs(place.infoset, [gbt.Rational(str(p)) for p in node.probabilities])
        stack.extend(zip(place.children, node.children))
    return game


def _payoffs(game) -> list[Fraction]:
    """Expected payoff of each reduced pure strategy, as Gambit computes it."""
    (player,) = game.players  # the one player, whatever its name
    payoffs = []
    for strategy in player.strategies:
        profile = game.mixed_strategy_profile(rational=True)
        for other in player.strategies:
            profile[other] = gbt.Rational(1 if other == strategy else 0)
        payoffs.append(Fraction(str(profile.payoff(player))))
    return payoffs


def _agree(tree: Node, utility: dict[str, Fraction]) -> None:
    game = _build(tree, utility)
    payoffs = _payoffs(game)
    ours = [analysis.expected_utility(p.lottery, utility) for p in analysis.plans(tree)]
    assert len(payoffs) == analysis.count_plans(tree)
    assert sorted(payoffs) == sorted(ours)
    assert max(payoffs) == analysis.value(tree, utility)
    # and Gambit reads our .efg export as the same game
    again = gbt.read_efg(io.StringIO(to_efg(tree, "t", utility)))
    assert sorted(_payoffs(again)) == sorted(payoffs)


@settings(max_examples=60, deadline=None)
@given(trees(), utilities())
def test_random_trees_agree_with_gambit(tree, utility):
    _agree(tree, utility)


@pytest.mark.parametrize("name", ["shutdown.dtree", "candy.dtree"])
def test_example_trees_agree_with_gambit(name):
    spec = load(EXAMPLES / name)
    for utility in spec.utilities.values():
        for tree in spec.trees.values():
            if all(isinstance(p, Fraction) for n in analysis.postorder(tree)
                   for p in getattr(n, "probabilities", ())):
                _agree(tree, {o: utility.get(o, Fraction(0)) for o in spec.outcomes})
