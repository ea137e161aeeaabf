"""Backward induction, counting and membership cross-checked against brute force."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from strategies import lotteries, trees, utilities

from decisiontrees.analyses import plans as analysis
from decisiontrees.analyses.membership import contains
from decisiontrees.evidence.checks import check_flow
from decisiontrees.model.nodes import choice, leaf, postorder, unfolded_size


def brute_force_value(tree, utility):
    return max(analysis.expected_utility(row.lottery, utility) for row in analysis.plans(tree, 10**6))


@given(trees(), utilities())
def test_backward_induction_equals_the_best_enumerated_plan(tree, utility):
    assert analysis.value(tree, utility) == brute_force_value(tree, utility)


@given(trees())
def test_plan_counts_match_enumeration(tree):
    rows = analysis.plans(tree, 10**6)
    assert analysis.count_plans(tree) == len(rows)
    assert len({repr(row.plan) for row in rows}) == len(rows)
    for row in rows:
        assert analysis.lottery_of(tree, row.plan) == row.lottery
        assert sum(row.lottery.values()) == 1


@given(trees(positive=True), utilities())
def test_optimal_plans_are_exactly_the_plans_achieving_the_value(tree, utility):
    # With positive probabilities, optimal-at-every-node equals optimal overall.
    best = analysis.value(tree, utility)
    optimal = {repr(r.plan) for r in analysis.optimal_plans(tree, utility, 10**6)}
    achieving = {repr(r.plan) for r in analysis.plans(tree, 10**6)
                 if analysis.expected_utility(r.lottery, utility) == best}
    assert optimal == achieving
    assert analysis.count_plans(tree, utility) == len(optimal)
    assert repr(analysis.an_optimal_plan(tree, utility)) in optimal


@given(trees(), utilities(), st.fractions(min_value=Fraction(1, 7), max_value=7),
       st.fractions(min_value=-5, max_value=5))
def test_verdicts_are_unchanged_by_positive_affine_maps(tree, utility, scale, shift):
    moved = {o: scale * u + shift for o, u in utility.items()}
    assert analysis.value(tree, moved) == scale * analysis.value(tree, utility) + shift
    before = {repr(r.plan) for r in analysis.optimal_plans(tree, utility, 10**6)}
    after = {repr(r.plan) for r in analysis.optimal_plans(tree, moved, 10**6)}
    assert before == after


@given(trees())
def test_reachable_outcomes_are_those_some_plan_reaches(tree):
    reached = set()
    for row in analysis.plans(tree, 10**6):
        reached |= {o for o, q in row.lottery.items() if q > 0}
    assert analysis.reachable_outcomes(tree) == reached


@given(trees())
def test_normal_form_count_is_at_least_the_plan_count(tree):
    pure = analysis.count_pure_strategies(tree)
    assert pure >= analysis.count_plans(tree)
    choices = unfolded_choice_arities(tree)
    expected = 1
    for arity in choices:
        expected *= arity
    assert pure == expected


def unfolded_choice_arities(tree):
    stack, arities = [tree], []
    while stack:
        node = stack.pop()
        if isinstance(node, analysis.Choice):
            arities.append(len(node.children))
        stack.extend(node.children)
    return arities


@given(trees(max_leaves=8), st.data())
def test_membership_agrees_with_the_enumerated_lottery_set(tree, data):
    rows = analysis.plans(tree, 10**6)
    if data.draw(st.booleans()):
        # a mixture of plan lotteries is inside
        weights = data.draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows))
                            .filter(lambda w: sum(w) > 0))
        total = sum(weights)
        lottery: dict[str, Fraction] = {}
        for w, row in zip(weights, rows):
            for o, q in row.lottery.items():
                lottery[o] = lottery.get(o, Fraction(0)) + Fraction(w, total) * q
    else:
        lottery = data.draw(lotteries())
    verdict = contains(tree, lottery)
    assert verdict.contained is not None, verdict.reason
    if verdict.contained:
        assert check_flow(tree, lottery, verdict.flow) is None
        # no utility function separates it from the plan lotteries
        for utility in data.draw(st.lists(utilities(), min_size=1, max_size=5)):
            gain = analysis.expected_utility(lottery, utility)
            assert gain <= max(analysis.expected_utility(r.lottery, utility) for r in rows)
    else:
        u = verdict.witness
        gain = analysis.expected_utility(lottery, u)
        assert all(analysis.expected_utility(r.lottery, u) < gain for r in rows)
        assert verdict.witness_tree_value == analysis.value(tree, u) < gain


def test_a_subtree_referenced_a_thousand_times_is_stored_once():
    base = choice({"l": "a", "r": "b"})
    tree = base
    for _ in range(1000):
        tree = choice({"left": tree, "right": tree, "stop": leaf("c")})
    assert len(postorder(tree)) == 1000 + 4
    assert unfolded_size(tree) > 2**1000
    assert analysis.count_plans(tree) > 2**1000
    assert analysis.value(tree, {"a": Fraction(0), "b": Fraction(2), "c": Fraction(1)}) == 2
    wide = choice({f"copy{i}": base for i in range(1000)})
    assert len(postorder(wide)) == 4
    assert analysis.reachable_outcomes(wide) == {"a", "b"}


def test_plans_of_exponentially_unfolding_chance_trees_are_handled_on_the_dag():
    from decisiontrees.model.nodes import uniform

    tree = choice({"l": "a", "r": "b"})
    for _ in range(200):
        tree = uniform([tree, tree])
    utility = {"a": Fraction(1), "b": Fraction(0)}
    plan = analysis.an_optimal_plan(tree, utility)
    assert analysis.lottery_of(tree, plan) == {"a": Fraction(1)}
    text = analysis.describe_plan(tree, plan)
    assert text.endswith("…") and len(text) <= analysis.MAX_DESCRIPTION + 1
    assert len(analysis.plan_decisions(tree, plan)) == analysis.MAX_DECISIONS


def test_outcomes_with_probability_zero_need_not_be_in_the_tree():
    tree = choice({"x": "a", "y": "b"})
    assert contains(tree, {"a": Fraction(1), "c": Fraction(0)}).contained is True
    verdict = contains(tree, {"a": Fraction(1, 2), "c": Fraction(1, 2)})
    assert verdict.contained is False
    assert verdict.witness == {"a": 0, "b": 0, "c": 1}


@given(st.lists(st.tuples(st.fractions(min_value=0, max_value=1, max_denominator=50)
                          | st.integers(0, 1),
                          st.fractions(min_value=-3, max_value=3, max_denominator=1000)),
                max_size=12))
def test_the_whole_number_expectation_is_the_exact_sum(terms):
    """Chance nodes sum ``p·v`` in whole numbers over one running denominator: the same
    fraction, reduced, as Fraction's own arithmetic."""
    exact = sum((Fraction(p) * v for p, v in terms), Fraction(0))
    found = analysis._expectation([p for p, _ in terms], [v for _, v in terms])
    assert isinstance(found, Fraction) and found == exact
    assert (found.numerator, found.denominator) == (exact.numerator, exact.denominator)
