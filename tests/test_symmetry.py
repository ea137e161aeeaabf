"""Integrating once per orbit of outcome permutations gives the same exact answers as
integrating every region, on random trees made symmetric by construction."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import trees

from decisiontrees.analyses import agents, rules
from decisiontrees.analyses.agents import lottery_points, optimal_masses, power_exact
from decisiontrees.analyses.rules import option_probabilities
from decisiontrees.analyses.symmetry import Symmetries, exchangeable_blocks
from decisiontrees.model.laws import UNIFORM, Distribution
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, leaf, make_chance, make_choice
from decisiontrees.model.rules import DecisionRule

OUTCOMES = ("a", "b", "c")
RISING = Distribution("power", (Fraction(2),)).polynomial_density()
slow = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class NoSymmetries(Symmetries):
    def __init__(self, options):  # type: ignore[no-untyped-def]
        self.options = list(options)
        self.maps = []


def relabel(node: Node, mapping: dict[str, str]) -> Node:
    if isinstance(node, Leaf):
        return leaf(mapping[node.outcome])
    if isinstance(node, Choice):
        return make_choice(node.actions, tuple(relabel(c, mapping) for c in node.children))
    assert isinstance(node, Chance)
    return make_chance(node.probabilities, tuple(relabel(c, mapping) for c in node.children))


def symmetric(tree: Node, group: list[tuple[str, ...]]) -> Node:
    """A choice among the tree's images under the given outcome permutations."""
    images = [relabel(tree, dict(zip(OUTCOMES, p))) for p in group]
    return make_choice(tuple(f"x{k}" for k in range(len(images))), tuple(images))


GROUPS = [list(itertools.permutations(OUTCOMES)),          # all of S3
          [("a", "b", "c"), ("b", "a", "c")],                # one transposition
          [("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")]]  # the 3-cycles


def test_the_maps_found_are_symmetries_and_find_the_obvious_ones():
    corners = [tuple(Fraction(int(i == k)) for i in range(4)) for k in range(4)]
    centre = (Fraction(1, 4),) * 4
    found = Symmetries([*corners, centre])
    assert found.point_orbits() == [[0, 1, 2, 3], [4]]
    lopsided = [(Fraction(1), Fraction(0)), (Fraction(1, 3), Fraction(2, 3))]
    assert not Symmetries(lopsided)
    for image in found.maps:
        assert sorted(image) == list(range(5))


@slow
@given(trees(OUTCOMES, max_leaves=4), st.sampled_from(GROUPS),
       st.sampled_from([DecisionRule("optimal"), DecisionRule("satisficer", Fraction(1, 2)),
                        DecisionRule("best_of", Fraction(2)),
                        DecisionRule("quantilizer", Fraction(1, 2))]))
def test_orbits_give_the_same_exact_answers(tree, group, rule):
    root = symmetric(tree, group)
    options = sorted(lottery_points(root, OUTCOMES))
    with_symmetry = option_probabilities(options, rule, UNIFORM.polynomial_density())
    # POWER under U[0,1] is one volume (no regions); density 2x integrates region by region
    power = power_exact(root, OUTCOMES, RISING)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "Symmetries", NoSymmetries)
        patch.setattr(agents, "Symmetries", NoSymmetries)
        assert option_probabilities(options, rule, UNIFORM.polynomial_density()) == with_symmetry
        assert power_exact(root, OUTCOMES, RISING) == power
    if rule.kind == "optimal":
        assert with_symmetry == optimal_masses(options, UNIFORM.polynomial_density())


@settings(max_examples=30, deadline=None)
@given(trees(OUTCOMES, max_leaves=4), st.sampled_from(GROUPS[1:]))
def test_symmetric_trees_have_their_symmetry_found(tree, group):
    options = sorted(lottery_points(symmetric(tree, group), OUTCOMES))
    swapped = {tuple(z[k] for k in (1, 0, 2)) for z in options}
    cycled = {tuple(z[k] for k in (1, 2, 0)) for z in options}
    found = Symmetries(options)
    assert swapped == set(options) or cycled == set(options)
    moves_an_option = [image != set(options) or any(
        tuple(z[k] for k in perm) != z for z in options)
        for image, perm in ((swapped, (1, 0, 2)), (cycled, (1, 2, 0)))]
    symmetric_moves = [image == set(options) and moved
                       for image, moved in zip((swapped, cycled), moves_an_option)]
    if any(symmetric_moves):
        assert found


FOUR = ("a", "b", "c", "d")
YOUNG = [[("a", "b")], [("a", "b", "c")], [("a", "b"), ("c", "d")], [("b", "d")]]


def young_images(tree: Node, blocks: list[tuple[str, ...]]) -> Node:
    """A choice among the tree's images under every permutation within the blocks."""
    images = []
    for orders in itertools.product(*(itertools.permutations(b) for b in blocks)):
        mapping = {o: o for o in FOUR}
        for block, order in zip(blocks, orders):
            mapping.update(zip(block, order))
        images.append(relabel(tree, mapping))
    return make_choice(tuple(f"x{k}" for k in range(len(images))), tuple(images))


def swapped(z: tuple[Fraction, ...], a: int, b: int) -> tuple[Fraction, ...]:
    moved = list(z)
    moved[a], moved[b] = z[b], z[a]
    return tuple(moved)


@settings(max_examples=60, deadline=None)
@given(trees(FOUR, max_leaves=4), st.sampled_from(YOUNG), st.booleans())
def test_exchangeable_blocks_are_the_swaps_that_fix_the_set_and_the_option(tree, blocks, sym):
    """Brute force: the transpositions that map the options onto themselves and fix one
    option, joined transitively, make exactly the blocks found."""
    root = young_images(tree, blocks) if sym else tree
    options = sorted(lottery_points(root, FOUR))
    for k, z in enumerate(options):
        swaps = [(a, b) for a, b in itertools.combinations(range(4), 2)
                 if swapped(z, a, b) == z and {swapped(y, a, b) for y in options} == set(options)]
        joined = {a: {a} for a in range(4)}
        for a, b in swaps:
            merged = joined[a] | joined[b]
            for c in merged:
                joined[c] = merged
        expected = sorted({tuple(sorted(s)) for s in joined.values() if len(s) > 1})
        assert sorted(map(tuple, exchangeable_blocks(options, k))) == expected


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(trees(FOUR, max_leaves=5), st.sampled_from(YOUNG),
       st.sampled_from([UNIFORM.polynomial_density(), RISING,
                        Distribution("beta", (Fraction(2), Fraction(2))).polynomial_density()]))
def test_regions_cut_by_their_exchangeable_outcomes_give_the_whole_regions_answers(
        tree, blocks, density):
    """Integrating one ordering of each region's exchangeable outcomes, times the number of
    orderings, equals integrating the region (the old path): masses, group totals, POWER."""
    root = young_images(tree, blocks)
    options = sorted(lottery_points(root, FOUR))
    assume(len(agents.hull_vertices(options)) > 2 and agents._sure_outcomes(options) is None
           and agents._one_orbit(options) is None)  # else no region is integrated
    first = lottery_points(root.children[0], FOUR) if isinstance(root, Choice) else set()
    masses = optimal_masses(options, density)
    grouped = agents.group_masses(options, density, lambda z: z in first)
    power = power_exact(root, FOUR, density)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(agents, "exchangeable_blocks", lambda points, k: [])
        assert optimal_masses(options, density) == masses
        assert agents.group_masses(options, density, lambda z: z in first) == grouped
        assert power_exact(root, FOUR, density) == power
