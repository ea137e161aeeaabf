"""Choice under a utility class: the four rules against an independent LP per plan (scipy,
in floating point, used only where it is far from a tie), their known inclusions, and
backward induction where it is valid (Huntley & Troffaes 2012)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import trees

from decisiontrees.analyses import choice_sets
from decisiontrees.analyses.plans import plans
from decisiontrees.model.classes import Constraint, UtilityClass
from decisiontrees.model.nodes import Choice
from decisiontrees.model.rules import CLASS_RULES

OUTCOMES = ("a", "b", "c")
slow = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _row(coefficients, op, constant):
    terms = tuple((o, Fraction(c)) for o, c in coefficients.items() if c)
    return Constraint(terms, op, Fraction(constant), f"{terms} {op} {constant}")


@st.composite
def classes(draw):
    """Normalised classes (utilities summing to 1, so no constant utility) with up to two
    random extra constraints, kept only when non-empty."""
    rows = [_row({o: 1 for o in OUTCOMES}, "==", 1)]
    for _ in range(draw(st.integers(0, 2))):
        coefficients = {o: draw(st.integers(-2, 2)) for o in OUTCOMES}
        rows.append(_row(coefficients, ">=", Fraction(draw(st.integers(-2, 1)), 2)))
    return UtilityClass("C", OUTCOMES, tuple(rows), True)


def _linprog(objective, rows_ub, bounds_ub, rows_eq, bounds_eq):
    from scipy.optimize import linprog

    return linprog(objective, A_ub=rows_ub or None, b_ub=bounds_ub or None, A_eq=rows_eq or None,
                   b_eq=bounds_eq or None, bounds=[(0, 1)] * len(OUTCOMES), method="highs")


def _class_rows(cls):
    rows_ub, bounds_ub, rows_eq, bounds_eq = [], [], [], []
    for row in cls.constraints:
        vector = [float(dict(row.coefficients).get(o, 0)) for o in OUTCOMES]
        if row.op == "==":
            rows_eq.append(vector)
            bounds_eq.append(float(row.constant))
        else:  # sum >= constant  ->  -sum <= -constant
            rows_ub.append([-x for x in vector])
            bounds_ub.append(-float(row.constant))
    return rows_ub, bounds_ub, rows_eq, bounds_eq


def _vector(lottery):
    return [float(dict(lottery).get(o, 0)) for o in OUTCOMES]


def oracle_lower(cls, lottery):
    rows_ub, bounds_ub, rows_eq, bounds_eq = _class_rows(cls)
    found = _linprog(_vector(lottery), rows_ub, bounds_ub, rows_eq, bounds_eq)
    return found.fun if found.status == 0 else None


def oracle_optimality_margin(cls, lottery, others):
    """max t over u in the class with u·z >= u·q + t for every other q: positive when z is
    strictly optimal somewhere, negative when it is optimal nowhere."""
    rows_ub, bounds_ub, rows_eq, bounds_eq = _class_rows(cls)
    z = _vector(lottery)
    extended_ub = [row + [0.0] for row in rows_ub]
    for q in others:  # t + u·q - u·z <= 0
        extended_ub.append([a - b for a, b in zip(_vector(q), z)] + [1.0])
        bounds_ub.append(0.0)
    from scipy.optimize import linprog

    found = linprog([0.0] * len(OUTCOMES) + [-1.0], A_ub=extended_ub or None, b_ub=bounds_ub or None,
                    A_eq=[row + [0.0] for row in rows_eq] or None, b_eq=bounds_eq or None,
                    bounds=[(0, 1)] * len(OUTCOMES) + [(-2, 2)], method="highs")
    return -found.fun if found.status == 0 else None


choice_trees = trees(OUTCOMES, max_leaves=6).filter(lambda t: isinstance(t, Choice))


def _allowed(tree, cls, rule):
    found = choice_sets.choose(tree, cls, rule, 20_000)
    return {o.lottery for o in found.options if o.allowed}, found


@slow
@given(choice_trees, classes())
def test_rules_agree_with_a_linear_program_per_plan(tree, cls):
    assume(oracle_lower(cls, (("a", Fraction(1)),)) is not None)  # the class is not empty
    allowed, found = _allowed(tree, cls, "e_admissibility")
    lotteries = [o.lottery for o in found.options]
    for option in found.options:
        margin = oracle_optimality_margin(cls, option.lottery,
                                          [q for q in lotteries if q != option.lottery])
        if margin is not None and margin > 1e-7:
            assert option.allowed
        if margin is not None and margin < -1e-7:
            assert not option.allowed
        if option.allowed:  # the witness is in the class and makes the plan optimal
            assert option.witness is not None and cls.contains(option.witness)
            value = sum(q * option.witness[o] for o, q in option.lottery)
            assert all(value >= sum(p * option.witness[o] for o, p in q) for q in lotteries)
    _, gamma = _allowed(tree, cls, "gamma_maximin")
    for option in gamma.options:
        assert option.lower is not None
        assert abs(float(option.lower) - oracle_lower(cls, option.lottery)) < 1e-7


@slow
@given(choice_trees, classes())
def test_e_admissible_within_maximal_within_interval_dominance(tree, cls):
    assume(oracle_lower(cls, (("a", Fraction(1)),)) is not None)
    e_admissible, _ = _allowed(tree, cls, "e_admissibility")
    maximal, _ = _allowed(tree, cls, "maximality")
    undominated, _ = _allowed(tree, cls, "interval_dominance")
    gamma, _ = _allowed(tree, cls, "gamma_maximin")
    assert e_admissible and e_admissible <= maximal <= undominated
    assert gamma and gamma <= maximal  # the class is closed, so a maximin plan is maximal


@slow
@given(trees(OUTCOMES, max_leaves=6, positive=True).filter(lambda t: isinstance(t, Choice)),
       classes(), st.sampled_from(["maximality", "e_admissibility"]))
def test_backward_induction_agrees_with_the_normal_form_where_it_is_valid(tree, cls, rule):
    assume(oracle_lower(cls, (("a", Fraction(1)),)) is not None)
    allowed, _ = _allowed(tree, cls, rule)
    judge = choice_sets._Judge(cls, 20_000)
    kept = {z for _, z in choice_sets.backward_induction(tree, judge, rule)}
    assert kept == allowed


def test_gamma_maximin_disagrees_with_backward_induction_on_the_example():
    from paths import EXAMPLES

    from decisiontrees import load, run

    spec = load(EXAMPLES / "choice_under_a_class.dtree")
    results = run(spec)
    assert all(str(r.status) in ("pass", "answer") for r in results)
    evidence = results[0].answer.evidence
    assert evidence.found.backward == ("right",) and evidence.found.actions == ("left",)


def test_every_plan_counts_even_when_plans_share_a_lottery():
    from decisiontrees.model.nodes import choice, leaf

    tree = choice({"x": leaf("a"), "y": choice({"p": leaf("a"), "q": leaf("b")})})
    cls = UtilityClass("C", OUTCOMES, (_row({"a": 1, "b": -1}, ">", 0),), True)
    found = choice_sets.choose(tree, cls, "maximality", 20_000)
    assert found.actions == ("x", "y")  # y > p is the same lottery as x
    assert len(plans(tree)) == 3 and len(found.options) == 2


@pytest.mark.parametrize("rule", CLASS_RULES)
def test_a_tree_of_one_plan_allows_it(rule):
    from decisiontrees.model.nodes import choice, leaf

    tree = choice({"only": leaf("a")})
    cls = UtilityClass("C", OUTCOMES, (), True)
    assert choice_sets.choose(tree, cls, rule, 20_000).actions == ("only",)


def test_maximality_excludes_only_what_is_worse_for_every_utility():
    """With a >= b in the class, b is never better than a but ties with it where a = b, so
    b is E-admissible, hence maximal (Troffaes' maximality: strictly better everywhere)."""
    from decisiontrees.model.nodes import choice, leaf

    tree = choice({"x": leaf("a"), "y": leaf("b"), "z": leaf("c")})
    cls = UtilityClass("C", OUTCOMES, (_row({o: 1 for o in OUTCOMES}, "==", 1),
                                       _row({"a": 1, "b": -1}, ">=", 0),
                                       _row({"b": 1, "c": -1}, ">", 0)), True)
    for rule in ("maximality", "e_admissibility"):
        assert choice_sets.choose(tree, cls, rule, 20_000).actions == ("x", "y"), rule
    # sup u(c) = 1/3 = inf u(a) over the closure: the intervals touch, so c stays
    assert choice_sets.choose(tree, cls, "interval_dominance", 20_000).actions == ("x", "y", "z")
    assert choice_sets.choose(tree, cls, "gamma_maximin", 20_000).actions == ("x",)


def _replay(cls, option, lotteries, beaten=None):
    """Re-check an exclusion's multipliers from the class and the plan lotteries alone: the
    rows are rebuilt here and matched to the certificate by their text."""
    rows = {}
    for row in cls.all_constraints():
        rows.setdefault(row.source, []).append((dict(row.coefficients), row.op, row.constant))
    shown = choice_sets._show
    others = [beaten] if beaten is not None else [q for q in lotteries if q != option.lottery]
    for q in others:
        difference = {o: Fraction(0) for o in OUTCOMES}
        for o, p in option.lottery:
            difference[o] += p
        for o, p in q:
            difference[o] -= p
        rows.setdefault(f"u·{shown(option.lottery)} >= u·{shown(q)}", []).append(
            ({o: c for o, c in difference.items() if c}, ">=", Fraction(0)))
    weighted = option.certificate.multipliers
    combined = {o: Fraction(0) for o in OUTCOMES}
    total, strict = Fraction(0), False
    for source, multiplier in weighted:
        # the certificate names a row of this system (rows written alike are alike)
        assert len(set(map(repr, rows[source]))) == 1, source
        coefficients, op, constant = rows[source][0]
        assert op == "==" or multiplier > 0
        strict |= op == ">"
        for o, c in coefficients.items():
            combined[o] += multiplier * c
        total += multiplier * constant
    assert all(v == 0 for v in combined.values())
    assert total > 0 or (total == 0 and strict)


@slow
@given(choice_trees, classes(), st.sampled_from(["maximality", "e_admissibility"]))
def test_every_exclusion_carries_a_certificate_that_replays(tree, cls, rule):
    assume(oracle_lower(cls, (("a", Fraction(1)),)) is not None)
    _, found = _allowed(tree, cls, rule)
    lotteries = [o.lottery for o in found.options]
    for option in found.options:
        if option.allowed:
            assert option.certificate is None
            continue
        assert option.certificate is not None
        beaten = None
        if rule == "maximality":
            beaten = next(q for q in lotteries
                          if option.reason.startswith(f"dominated by {choice_sets._show(q)}:"))
        _replay(cls, option, lotteries, beaten)


def test_the_infeasibility_check_rejects_tampered_multipliers():
    from decisiontrees.evidence.checks import check_infeasible

    rows = [({"a": Fraction(1)}, ">=", Fraction(1, 2)), ({"a": Fraction(-1)}, ">=", Fraction(0))]
    assert check_infeasible(rows, [Fraction(1), Fraction(1)]) is None  # a >= 1/2 and a <= 0
    assert check_infeasible(rows, [Fraction(1), Fraction(2)]) is not None  # leaves -a
    assert check_infeasible(rows, [Fraction(-1), Fraction(-1)]) is not None  # negative
    assert check_infeasible(rows, [Fraction(1)]) is not None
    touching = [({"a": Fraction(1)}, ">=", Fraction(0)), ({"a": Fraction(-1)}, ">=", Fraction(0))]
    assert check_infeasible(touching, [Fraction(1), Fraction(1)]) is not None  # a = 0 works
    strict = [({"a": Fraction(1)}, ">", Fraction(0)), ({"a": Fraction(-1)}, ">=", Fraction(0))]
    assert check_infeasible(strict, [Fraction(1), Fraction(1)]) is None  # a > 0 and a <= 0


def test_admissible_takes_parameter_values_as_its_hint_says():
    """The hint for a parametric tree suggested `admissible(…, p = 1/2)`, which the family
    then refused; it takes parameter values now (p = 1/2 makes x worth 1/2, y unbounded)."""
    from decisiontrees import SpecError, parse, run

    head = ("outcomes a, b, c\nparam p in (0, 1)\nclass k = {a + b == 1}\n"
            "tree t = choice { x: chance { p: a, 1 - p: b }, y: c }\n")
    [result] = run(parse(head + "query admissible(t, k, p = 1/2)\n"))
    assert result.answer.comparable == frozenset({"x", "y"})
    with pytest.raises(SpecError) as error:
        parse(head + "query admissible(t, k)\n")
    assert error.value.diagnostics[0].hint == "e.g. admissible(…, p = 1/2)"
