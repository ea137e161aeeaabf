"""Markov decision processes (issue 16): states as trees over states, checked against exact
policy evaluation written here, Monte Carlo for Turner's POWER, hand-unrolled finite-horizon
trees, and located errors."""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from decisiontrees import load, parse, run
from decisiontrees.analyses import mdp as analysis
from decisiontrees.analyses import occupancy, plans
from decisiontrees.errors import CrossCheckFailed, SpecError, Unsupported

GAMMAS = (Fraction(1, 2), Fraction(2, 3), Fraction(9, 10))


# -- random small MDPs, as spec text and as plain dictionaries ------------------------------


@st.composite
def mdps(draw, max_states: int = 4, max_actions: int = 2, first_actions: int = 1):
    """(text of an mdp block `m`, states, {state: {action: {next: p}}}, gamma). Every state is
    reachable from s0: the first action of s_{i-1} may lead to s_i; s0 has at least
    ``first_actions`` actions."""
    n = draw(st.integers(1, max_states))
    states = [f"s{i}" for i in range(n)]
    gamma = draw(st.sampled_from(GAMMAS))
    table: dict[str, dict[str, dict[str, Fraction]]] = {}
    for i, s in enumerate(states):
        if i > 0 and draw(st.booleans()) and draw(st.booleans()):
            table[s] = {"stay": {s: Fraction(1)}}  # absorbing
            continue
        actions = {}
        for k in range(draw(st.integers(first_actions if i == 0 else 1, max_actions))):
            weights = {t: draw(st.integers(0, 2)) for t in states}
            if k == 0 and i + 1 < n:
                weights[states[i + 1]] += 1
            if sum(weights.values()) == 0:
                weights[s] = 1
            total = sum(weights.values())
            actions[f"a{k}"] = {t: Fraction(w, total) for t, w in weights.items() if w}
        table[s] = actions
    # an absorbing state blocks the chain: keep only what s0 reaches
    reached, frontier = {"s0"}, ["s0"]
    while frontier:
        s = frontier.pop()
        for transition in table[s].values():
            for t in transition:
                if t not in reached:
                    reached.add(t)
                    frontier.append(t)
    states = [s for s in states if s in reached]
    return _text(states, table, gamma), states, {s: table[s] for s in states}, gamma


def _text(states, table, gamma, name="m", horizon=None):
    lines = [f"mdp {name} {{", f"    gamma = {gamma}", "    start = s0"]
    if horizon is not None:
        lines.append(f"    horizon = {horizon}")
    for s in states:
        if list(table[s]) == ["stay"] and table[s]["stay"] == {s: 1}:
            lines.append(f"    {s}: absorbing")
            continue
        parts = []
        for action, transition in table[s].items():
            if len(transition) == 1:
                (target,) = transition
                parts.append(f"{action}: {target}")
            else:
                inner = ", ".join(f"{p}: {t}" for t, p in transition.items())
                parts.append(f"{action}: chance {{ {inner} }}")
        lines.append(f"    {s}: choice {{ {', '.join(parts)} }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _evaluate(states, table, gamma, policy, reward):
    """V_π = r + γ P_π V_π, solved exactly with sympy's rational matrices (independent of the
    package's own elimination)."""
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    matrix = sympy.eye(n)
    for s in states:
        for t, p in table[s][policy[s]].items():
            matrix[index[s], index[t]] -= sympy.Rational(gamma) * sympy.Rational(p)
    vector = sympy.Matrix([sympy.Rational(reward[s]) for s in states])
    solution = matrix.LUsolve(vector)
    return {s: Fraction(int(solution[index[s]].p), int(solution[index[s]].q)) for s in states}


def _optimal(states, table, gamma, reward):
    """V* by enumerating every deterministic stationary policy (the maximum is attained by
    one policy at every state at once)."""
    best = None
    for choice in itertools.product(*(list(table[s]) for s in states)):
        values = _evaluate(states, table, gamma, dict(zip(states, choice)), reward)
        best = values if best is None else {s: max(best[s], values[s]) for s in states}
    assert best is not None
    return best


def _rewards(states, seed):
    rng = random.Random(seed)
    return {s: Fraction(rng.randint(0, 4)) for s in states}


def _reward_text(reward):
    return "{" + ", ".join(f"{s}: {v}" for s, v in reward.items()) + "}"


# -- values and optimal policies against exact policy evaluation ----------------------------


@settings(max_examples=40, deadline=None)
@given(mdps(), st.integers(0, 10**6))
def test_values_and_optimal_first_actions_equal_exact_policy_evaluation(generated, seed):
    text, states, table, gamma = generated
    reward = _rewards(states, seed)
    spec = parse(text + "".join(f"query value(m.{s}, {_reward_text(reward)})\n"
                                f"query optimal(m.{s}, {_reward_text(reward)})\n"
                                for s in states))
    best = _optimal(states, table, gamma, reward)
    results = run(spec, isolate=False)
    for k, s in enumerate(states):
        value, optimal = results[2 * k], results[2 * k + 1]
        # the tree's value is the normalised one: (1 − γ) V*(s)
        assert value.answer.comparable == (1 - gamma) * best[s]
        q = {a: reward[s] + gamma * sum(p * best[t] for t, p in table[s][a].items())
             for a in table[s]}
        first = {a for a in table[s] if q[a] == best[s]}
        assert {plan.split(" > ")[0] for plan in optimal.answer.comparable} == first


@settings(max_examples=40, deadline=None)
@given(mdps(), st.integers(0, 10**6))
def test_visit_distributions_sum_to_one_and_give_each_policy_its_value(generated, seed):
    _, states, table, gamma = generated
    spec = parse(_text(states, table, gamma))
    mdp = spec.mdps["m"]
    reward = _rewards(states, seed)
    for s in states:
        found = analysis.policies(mdp, s)
        assert found
        for policy in found:
            assert sum(policy.visits.values()) == 1
            assert all(q > 0 for q in policy.visits.values())
            full = {x: dict(policy.actions).get(x, next(iter(table[x])))
                    for x in states}
            values = _evaluate(states, table, gamma, full, reward)
            assert sum(q * reward[x] for x, q in policy.visits.items()) == (1 - gamma) * values[s]
        # every deterministic stationary policy's distribution is among them
        listed = {tuple(sorted(p.visits.items())) for p in found}
        reach = mdp.reachable(s)
        for choice in itertools.product(*(list(table[x]) for x in reach)):
            policy = dict(zip(reach, choice))
            visits = analysis.visit_distribution(mdp, s, policy)
            assert tuple(sorted(visits.items())) in listed


# -- Turner's POWER ---------------------------------------------------------------------------

FIGURE_1 = """
# Turner et al. (2021), Figure 1 in spirit: from `start`, `left` leads to a dead end and
# `right` to a hub with three absorbing rooms.
mdp turner {
    gamma = 9/10
    start = start
    start: choice { left: dead, right: hub }
    dead: absorbing
    hub: choice { r1, r2, r3 }
    r1: absorbing
    r2: absorbing
    r3: absorbing
}
"""


def _monte_carlo_power(states, table, gamma, state, samples, seed):
    """Turner's definition with float value iteration: (1 − γ)/γ · E[V*(s) − R(s)]."""
    import numpy as np

    rng = np.random.default_rng(seed)
    index = {s: i for i, s in enumerate(states)}
    rewards = rng.random((samples, len(states)))
    values = np.zeros_like(rewards)
    for _ in range(400):
        best = np.full_like(rewards, -np.inf)
        for s in states:
            for transition in table[s].values():
                expected = sum(float(p) * values[:, index[t]] for t, p in transition.items())
                best[:, index[s]] = np.maximum(best[:, index[s]], expected)
        values = rewards + float(gamma) * best
    g = float(gamma)
    estimates = (1 - g) / g * (values[:, index[state]] - rewards[:, index[state]])
    return estimates.mean(), estimates.std() / samples ** 0.5


def _table_of(mdp):
    return {s: {a: {t: p for p, t in transition} for a, transition in mdp.actions[s]}
            for s in mdp.states}


def test_turner_power_is_exact_and_agrees_with_monte_carlo():
    spec = parse(FIGURE_1 + "".join(f"query mdp_power(turner.{s})\n"
                                    for s in ("start", "dead", "hub")))
    answers = {r.statement.text.split("(")[1].rstrip(")"): r.answer.comparable
               for r in run(spec, isolate=False)}
    mdp = spec.mdps["turner"]
    table = _table_of(mdp)
    # a dead end: POWER = E[r] = 1/2; the hub: E[max of 3] = 3/4, for any γ
    assert answers["turner.dead"] == Fraction(1, 2)
    assert answers["turner.hub"] == Fraction(3, 4)
    assert answers["turner.start"] > answers["turner.dead"]
    for state in ("start", "dead", "hub"):
        mean, error = _monte_carlo_power(mdp.states, table, mdp.gamma, state, 20_000, seed=7)
        assert abs(float(answers[f"turner.{state}"]) - mean) < 5 * error + 1e-9


@settings(max_examples=10, deadline=None)
@given(mdps(max_states=3), st.integers(0, 1000))
def test_power_of_random_mdps_agrees_with_monte_carlo(generated, seed):
    text, states, table, gamma = generated
    spec = parse(text + "query mdp_power(m.s0)\n")
    (result,) = run(spec, isolate=False)
    mean, error = _monte_carlo_power(states, table, gamma, "s0", 4000, seed)
    assert abs(float(result.answer.comparable) - mean) < 5 * error + 1e-3


def test_power_of_a_state_is_turner_power_shifted():
    """power(m.s) = (1 − γ) E[r(s)] + γ mdp_power(m.s)."""
    spec = parse(FIGURE_1 + "query power(turner.start)\nquery mdp_power(turner.start)\n")
    power, turner = (r.answer.comparable for r in run(spec, isolate=False))
    gamma = Fraction(9, 10)
    assert power == (1 - gamma) / 2 + gamma * turner


# -- finite horizons: the same answers as the tree unrolled by hand -----------------------------


def _unrolled(states, table, gamma, horizon):
    """Trees `u_<s>_<k>` written out as a researcher would: at each step a choice of action,
    then stop here with the share (1 − γ)/(1 − γ^k) of the remaining weight, or move on."""
    lines = []
    for k in range(1, horizon + 1):
        for s in states:
            if k == 1:
                lines.append(f"tree u_{s}_1 = choice {{ {s} }}")
                continue
            stop = (1 - gamma) / (1 - gamma ** k)
            edges = []
            for action, transition in table[s].items():
                branches = [f"{stop}: {s}"] + [f"{(1 - stop) * p}: u_{t}_{k - 1}"
                                               for t, p in transition.items()]
                edges.append(f"{action}: chance {{ {', '.join(branches)} }}")
            lines.append(f"tree u_{s}_{k} = choice {{ {', '.join(edges)} }}")
    return "\n".join(lines) + "\n"


def _finite_values(states, table, gamma, horizon, reward):
    """Backward induction over the unnormalised sum Σ_{t<H} γ^t r(s_t), normalised."""
    values = {s: Fraction(0) for s in states}
    for _ in range(horizon):
        values = {s: reward[s] + gamma * max(sum(p * values[t] for t, p in tr.items())
                                             for tr in table[s].values()) for s in states}
    scale = (1 - gamma) / (1 - gamma ** horizon)
    return {s: scale * v for s, v in values.items()}


@settings(max_examples=12, deadline=None)
@given(mdps(max_states=3), st.integers(2, 3), st.integers(0, 10**6))
def test_finite_horizon_gives_the_answers_of_the_hand_unrolled_tree(generated, horizon, seed):
    _, states, table, gamma = generated
    reward = _rewards(states, seed)
    shown = _reward_text(reward)
    text = _text(states, table, gamma, horizon=horizon) + _unrolled(states, table, gamma, horizon)
    tree = f"u_s0_{horizon}"
    text += (f"query value(m.s0, {shown})\nquery value({tree}, {shown})\n"
             f"query dominates(m.s0, {tree})\nquery dominates({tree}, m.s0)\n"
             f"query power(m.s0)\nquery power({tree})\n")
    spec = parse(text)
    results = [r.answer.comparable for r in run(spec, isolate=False)]
    assert results[0] == results[1] == _finite_values(states, table, gamma, horizon, reward)["s0"]
    assert results[2] is True and results[3] is True
    assert results[4] == results[5]


def test_a_horizon_of_one_step_is_the_state_itself():
    spec = parse(_text(["s0", "s1"], {"s0": {"go": {"s1": Fraction(1)}},
                                      "s1": {"stay": {"s1": Fraction(1)}}},
                       Fraction(1, 2), horizon=1) + "query lotteries(m.s0)\nquery mdp_power(m.s0)\n")
    lotteries, power = run(spec, isolate=False)
    assert "{s0: 1}" in "\n".join(lotteries.answer.evidence_lines)
    assert power.status == "refused"


# -- parametric discount -------------------------------------------------------------------------

DISCOUNTED = """
param g in (0, 1)
mdp m {
    gamma = g
    start = s0
    s0: choice { left: s1, right: s2 }
    s1: choice { back: s0, on: s3 }
    s2: absorbing
    s3: absorbing
}
utility r = {s2: 1/2, s3: 1, *: 0}
query region(m.s0, m.s2, r)
query mdp_power(m.s0)
"""


def test_a_parametric_discount_gives_regions_and_functions_of_gamma():
    region, power = run(parse(DISCOUNTED), isolate=False)
    # going on pays g^2 against g/2 for the sure 1/2
    assert region.answer.value["region"] == "g ∈ (sqrt(2)/2, 1)"
    g = sympy.Symbol("g", real=True)
    for value in (Fraction(1, 3), Fraction(1, 2), Fraction(9, 10)):
        spec = parse(DISCOUNTED.replace("gamma = g", f"gamma = {value}"))
        (_, exact) = run(spec, isolate=False)
        assert sympy.Rational(exact.answer.comparable) == sympy.nsimplify(
            sympy.sympify(power.answer.summary.split(" for ")[0], locals={"g": g}).subs(
                g, sympy.Rational(value)))


# -- the refusal over the policy limit -------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(mdps(), st.integers(0, 10**6))
def test_optimal_actions_by_policy_iteration_equal_exact_policy_evaluation(generated, seed):
    text, states, table, gamma = generated
    reward = _rewards(states, seed)
    found = occupancy.optimal_actions(parse(text).mdps["m"], reward)
    best = _optimal(states, table, gamma, reward)
    for s in states:
        q = {a: reward[s] + gamma * sum(p * best[t] for t, p in table[s][a].items())
             for a in table[s]}
        assert found[s] == ((1 - gamma) * best[s], tuple(a for a in table[s] if q[a] == best[s]))


def test_policy_iteration_refuses_a_parametric_mdp_and_catches_a_wrong_value():
    spec = parse(FIGURE_1.replace("gamma = 9/10", "gamma = g") + "param g in (0, 1)\n")
    with pytest.raises(Unsupported, match="has parameters"):
        occupancy.optimal_policy(spec.mdps["turner"], "start", {"r1": Fraction(1)})
    mdp = parse(FIGURE_1).mdps["turner"]
    found = occupancy.optimal_policy(mdp, "start", {"r1": Fraction(1)})
    assert found.value == Fraction(81, 100) and found.label(mdp) == "right > hub:r1"
    wrong = dataclasses.replace(found, values={**found.values, "hub": Fraction(1, 2)})
    with pytest.raises(CrossCheckFailed, match="at `"):
        occupancy.check_optimal(mdp, {"r1": Fraction(1)}, wrong)


def test_too_many_policies_are_refused_with_the_limit(monkeypatch):
    monkeypatch.setattr(analysis, "MAX_POLICIES", 3)
    states = ["s0", "s1", "s2"]
    table = {s: {"a": {t: Fraction(1, 3) for t in states}, "b": {s: Fraction(1)}}
             for s in states}
    (result,) = run(parse(_text(states, table, Fraction(1, 2)) + "query power(m.s0)\n",
                          "x.dtree"), isolate=False)
    assert result.status == "refused"
    assert "more than 3 deterministic stationary policies" in " ".join(result.lines())


@settings(max_examples=30, deadline=None)
@given(mdps(), st.integers(0, 10**6))
def test_unlisted_states_get_values_by_policy_iteration_equal_to_policy_evaluation(generated,
                                                                                    seed):
    """With no policies listed, value() solves the mdp (policy iteration) and refutations of
    dominance use those values; both agree with exact evaluation of every policy, and a
    refutation never contradicts the listed engine's proof."""
    text, states, table, gamma = generated
    reward = _rewards(states, seed)
    asked = "".join(f"query value(m.{s}, {_reward_text(reward)})\n" for s in states)
    pairs = [(a, b) for a in states for b in states if a != b]
    asked += "".join(f"query dominates(m.{a}, m.{b})\n" for a, b in pairs)
    listed = run(parse(text + asked), isolate=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis, "MAX_POLICIES", 0)
        solved = run(parse(text + asked), isolate=False)
    best = _optimal(states, table, gamma, reward)
    for k, s in enumerate(states):
        assert solved[k].answer.comparable == (1 - gamma) * best[s]
        assert "policy iteration" in " ".join(solved[k].lines())
    for (a, b), proven, refuted in zip(pairs, listed[len(states):], solved[len(states):]):
        assert refuted.status in ("answer", "unknown")
        if refuted.answer.comparable is False:
            assert proven.answer.comparable is False
            witness = refuted.answer.evidence.to_json()["witness"]
            utility = {s: Fraction(witness["utility"].get(s, "0")) for s in states}
            exact = _optimal(states, table, gamma, utility)
            assert Fraction(witness["left_value"]) == (1 - gamma) * exact[a]
            assert Fraction(witness["right_value"]) == (1 - gamma) * exact[b]
            assert exact[b] > exact[a]


# -- located errors ---------------------------------------------------------------------------------

BAD = [
    ("mdp m {\n    gamma = 1/2\n    s0: absorbing\n}\n", "1:5", "has no start state"),
    ("mdp m {\n    start = s0\n    s0: absorbing\n}\n", "1:5", "has no discount"),
    ("mdp m {\n    gamma = 1\n    start = s0\n    s0: absorbing\n}\n", "2:13",
     "the discount must lie in (0, 1)"),
    ("mdp m {\n    gamma = 1/2\n    start = s0\n    s0: choice { go: s9 }\n}\n", "4:22",
     "unknown state `s9`"),
    ("mdp m {\n    gamma = 1/2\n    start = s0\n    s0: chance { 1/2: s0, 1/3: s1 }\n"
     "    s1: absorbing\n}\n", "4:9", "probabilities sum to 5/6, not 1"),
    ("mdp m {\n    gamma = 1/2\n    start = s0\n    s0: absorbing\n    s1: absorbing\n}\n", "5:5",
     "cannot be reached from the start state"),
    ("mdp m {\n    gamma = 1/2\n    start = s3\n    s0: absorbing\n}\n", "3:13",
     "the start must be a state"),
    ("param p in [0, 1]\nmdp m {\n    gamma = p\n    start = s0\n    s0: absorbing\n}\n", "3:13",
     "leaves (0, 1)"),
    ("mdp m {\n    gamma = 1/2\n    start = s0\n    s0: absorbing\n}\nquery power(m.s1)\n", "6:13",
     "mdp `m` has no state `s1`"),
    ("tree t = choice { a }\noutcomes a\nquery power(t.s1)\n", "3:13", "`t` is a tree, not an mdp"),
    ("mdp m {\n    gamma = 1/2\n    start = s0\n    s0: choice { a: choice { b: s0 } }\n}\n",
     "4:21", "not to another choice"),
    ("tree s0 = choice { a }\noutcomes a\nmdp m {\n    gamma = 1/2\n    start = s0\n"
     "    s0: absorbing\n}\n", "6:5", "is a tree, not a state"),
    ("outcomes a\ntree t = choice { a }\nquery mdp_power(t)\n", "3:7", "asks about a state of an mdp"),
]


@pytest.mark.parametrize(("text", "place", "message"), BAD)
def test_bad_mdp_blocks_are_located(text, place, message):
    with pytest.raises(SpecError) as error:
        parse(text, "bad.dtree")
    shown = str(error.value)
    assert f"bad.dtree:{place}: error:" in shown and message in shown, shown


def test_states_of_two_mdps_may_be_shared_outcomes():
    smaller = FIGURE_1.replace("mdp turner", "mdp other").replace(
        "hub: choice { r1, r2, r3 }", "hub: choice { r1, r2 }").replace("    r3: absorbing\n", "")
    spec = parse(FIGURE_1 + smaller + "claim dominates(turner.start, other.start)\n"
        "claim not dominates(other.start, turner.start)\n")
    assert all(r.status == "pass" for r in run(spec, isolate=False))
    assert set(spec.outcomes) == {"start", "dead", "hub", "r1", "r2", "r3"}


def test_the_tree_of_a_state_starts_with_its_actions():
    spec = parse(FIGURE_1)
    tree = analysis.state_tree(spec.mdps["turner"], "start")
    assert tree.actions == ("left", "right")
    utility = {s: Fraction(s == "dead") for s in spec.outcomes}
    assert plans.value(tree, utility) == Fraction(9, 10)


def test_the_python_api_gives_the_state_tree_and_turner_power():
    import decisiontrees as dt

    spec = parse(FIGURE_1)
    mdp = spec.mdps["turner"]
    assert dt.mdp_power(mdp, "hub").power.value == Fraction(3, 4)
    tree = dt.mdp_state_tree(mdp, "start")
    assert dt.value(tree, {s: Fraction(s == "dead") for s in spec.outcomes}) == Fraction(9, 10)
    with pytest.raises(dt.ArgumentError, match="has no state 'nowhere'"):
        dt.mdp_power(mdp, "nowhere")
    with pytest.raises(dt.ArgumentError, match="mdp must be an MDP"):
        dt.mdp_state_tree("turner", "start")


def test_show_and_render_take_a_state_of_an_mdp(tmp_path, capsys):
    from decisiontrees.cli import main

    path = tmp_path / "m.dtree"
    path.write_text(FIGURE_1)
    assert main(["show", str(path), "turner.hub"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("tree turner.hub: choice") and "9/10: r3" in shown
    assert main(["render", str(path), "turner.start", "-o", str(tmp_path / "s.dot")]) == 0
    assert "hub" in (tmp_path / "s.dot").read_text()


def test_parametric_transitions_and_json_round_trip(tmp_path):
    import json

    from decisiontrees.formats.json_spec import export

    text = """
    param p in (0, 1)
    mdp a {
        gamma = 1/2
        start = s0
        s0: choice { safe: s1, risky: chance { p: s2, 1 - p: s1 } }
        s1: absorbing
        s2: absorbing
    }
    claim value(a.s0, {s2: 1, *: 0}, p = 1/3) == 1/6
    """
    discounted = DISCOUNTED.replace("mdp m", "mdp n").replace("m.s", "n.s")
    spec = parse(text + discounted.replace("query mdp_power(n.s0)\n", ""))
    target = tmp_path / "spec.json"
    target.write_text(json.dumps(export(spec)))
    again = load(target)
    assert dict(again.mdps) == dict(spec.mdps)
    assert [r.status for r in run(again, isolate=False)] == \
        [r.status for r in run(spec, isolate=False)] == ["pass", "answer"]


# -- gridworlds ---------------------------------------------------------------------------------


def test_a_map_expands_to_cells_with_moves_and_equals_the_mdp_written_out():
    spec = parse("""
    mdp room {
        gamma = 1/2
        map = "S . ."
              ". # ."
        r1c2: absorbing
    }
    """)
    room = spec.mdps["room"]
    assert room.states == ("r0c0", "r0c1", "r0c2", "r1c0", "r1c2")
    assert room.start == "r0c0"
    written = parse("""
    mdp room {
        gamma = 1/2
        start = r0c0
        r0c0: choice { down: r1c0, right: r0c1, stay: r0c0 }
        r0c1: choice { left: r0c0, right: r0c2, stay: r0c1 }
        r0c2: choice { down: r1c2, left: r0c1, stay: r0c2 }
        r1c0: choice { up: r0c0, stay: r1c0 }
        r1c2: absorbing
    }
    """).mdps["room"]
    assert written == room
    assert analysis.state_tree(written, "r0c0") is analysis.state_tree(room, "r0c0")


def test_maps_are_formatted_one_row_a_line():
    from decisiontrees.language.formatter import format_text

    text = 'mdp g { gamma = 1/2 map = "S ." ". ." }\n'
    assert format_text(text) == ('mdp g {\n    gamma = 1/2\n    map = "S ."\n          ". ."\n}\n')


MAP_ERRORS = [
    ('mdp g {\n    gamma = 1/2\n    map = "S x"\n}\n', "3:11", "not `x`"),
    ('mdp g {\n    gamma = 1/2\n    map = "S S"\n}\n', "3:11", "one start `S`, not 2"),
    ('mdp g {\n    gamma = 1/2\n    map = "S # ."\n}\n', "3:11",
     "state `r0c2` cannot be reached"),
    ('mdp g {\n    gamma = 1/2\n    map = 3\n}\n', "3:11", "`map` takes rows of quoted cells"),
    ('mdp g {\n    gamma = "S"\n    map = "S"\n}\n', "2:13", "`gamma` takes a number"),
]


@pytest.mark.parametrize(("text", "place", "message"), MAP_ERRORS)
def test_bad_maps_are_located(text, place, message):
    with pytest.raises(SpecError) as error:
        parse(text, "bad.dtree")
    shown = str(error.value)
    assert f"bad.dtree:{place}: error:" in shown and message in shown, shown


def test_render_draws_an_mdp_with_values_and_optimal_actions(tmp_path, capsys):
    from decisiontrees.cli import main

    spec = tmp_path / "m.dtree"
    spec.write_text("mdp turner {\n    gamma = 9/10\n    start = start\n"
                    "    start: choice { left: dead, right: hub, risky: chance { 1/2: hub, "
                    "1/2: dead } }\n    dead: absorbing\n    hub: choice { r1, r2 }\n"
                    "    r1: absorbing\n    r2: absorbing\n}\n"
                    "utility pay = {r2: 1, dead: 1/2, *: 0}\n")
    assert main(["render", str(spec), "turner", "--to", "dot"]) == 0
    plain = capsys.readouterr().out
    assert 's0 [shape=doublecircle, label="start"];' in plain
    assert 's0a2 -> s1 [label="1/2", style=dashed];' in plain and "penwidth" not in plain
    assert main(["render", str(spec), "turner", "--utility", "pay", "--to", "dot"]) == 0
    valued = capsys.readouterr().out
    assert 'label="start\\nr = 0, V = 81/100"' in valued
    assert 's0 -> s2 [label="right", penwidth=2.5];' in valued  # right is optimal
    assert 's0 -> s1 [label="left"];' in valued  # left is not
    assert main(["render", str(spec), "turner", "--power", "--to", "dot"]) == 0
    powered = capsys.readouterr()
    assert 'label="hub\\nPOWER = 2/3"' in powered.out  # E[max(r(r1), r(r2))]
    assert "POWER of start (1 of 5)" in powered.err  # progress, on standard error


def test_powers_of_every_state_are_each_state_s_power():
    import decisiontrees as dt

    mdp = parse(FIGURE_1).mdps["turner"]
    found = dt.mdp_powers(mdp)
    assert set(found) == set(mdp.states)
    for state, answer in found.items():
        assert answer.power.value == dt.mdp_power(mdp, state).power.value
    told: list[str] = []
    parallel = dt.mdp_powers(mdp, workers=2, progress=told.append)
    assert {s: a.power.value for s, a in parallel.items()} == \
        {s: a.power.value for s, a in found.items()}
    assert told == [f"POWER of {s} ({k} of 6)" for k, s in enumerate(mdp.states, 1)]
    with pytest.raises(dt.ArgumentError, match="workers must be"):
        dt.mdp_powers(mdp, workers=0)


# -- orbit counts against brute force over permutations of the states ----------------------


@settings(max_examples=30, deadline=None)
@given(mdps(max_states=4), st.integers(0, 10**6))
def test_orbit_counts_equal_brute_force_over_state_permutations(generated, seed):
    """For a generic reward r, how many of its permutations σ·r make state s worth more than,
    as much as, or less than state t: the orbit engine on the states' trees against V* by
    policy enumeration for every permutation of the states."""
    from hypothesis import assume

    from decisiontrees.analyses.orbits import _Orbits

    text, states, table, gamma = generated
    assume(len(states) >= 2)
    rng = random.Random(seed)
    s, t = rng.sample(states, 2)
    values = [Fraction(v, 97) for v in rng.sample(range(98), len(states))]
    mdp = parse(text).mdps["m"]
    orbits = _Orbits(analysis.state_tree(mdp, s), analysis.state_tree(mdp, t), states)
    by_name = dict(zip(states, values))
    found = orbits.orbit([by_name[name] for name in orbits.names])
    assume(found is not None)  # r must be generic for the engine's counts
    better = tied = worse = 0
    for image in itertools.permutations(values):
        best = _optimal(states, table, gamma, dict(zip(states, image)))
        better += best[s] > best[t]
        tied += best[s] == best[t]
        worse += best[s] < best[t]
    assert (found.better, found.tied, found.worse) == (better, tied, worse)


# -- where the optimal first action switches as the discount varies ------------------------


@settings(max_examples=25, deadline=None)
@given(mdps(max_states=4), st.integers(0, 10**6))
def test_switches_agree_with_policy_evaluation_at_sampled_discounts(generated, seed):
    """``switches(m.s0, r)`` with γ a parameter: at rational γ inside each span (and at each
    rational switching point) the optimal first actions are those of exact value iteration
    by policy enumeration at that γ."""
    from hypothesis import assume

    from decisiontrees.analyses.switches import switches

    text, states, table, _ = generated
    assume(len(table["s0"]) > 1)
    reward = _rewards(states, seed)
    parametric = parse("param g in (0, 1)\n" + text.replace(
        next(line for line in text.splitlines() if "gamma" in line), "    gamma = g"))
    root = analysis.state_tree(parametric.mdps["m"], "s0")
    found = switches(root, reward, parametric.parameters["g"])

    def first_actions(gamma):
        best = _optimal(states, table, gamma, reward)
        q = {a: reward["s0"] + gamma * sum(p * best[t] for t, p in table["s0"][a].items())
             for a in table["s0"]}
        return {a for a in table["s0"] if q[a] == best["s0"]}

    for span in found.spans:
        low, high = float(span.low), float(span.high)
        for share in (Fraction(1, 7), Fraction(1, 2), Fraction(6, 7)):
            gamma = Fraction(low + (high - low) * share).limit_denominator(10**6)
            if span.low < gamma < span.high:
                assert set(span.actions) == first_actions(gamma), (gamma, span)
    for point, actions, exact in found.points:
        if point.is_Rational:  # irrational points are checked by the touch test below
            assert exact
            assert set(actions) == first_actions(Fraction(int(point.p), int(point.q)))


def test_switches_find_an_irrational_threshold_and_say_so():
    spec = parse("param g in (0, 1)\n"
                 "mdp m {\n    gamma = g\n    start = s0\n"
                 "    s0: choice { near: s1, far: s2 }\n    s1: absorbing\n"
                 "    s2: choice { on: s3 }\n    s3: absorbing\n}\n"
                 "utility r = {s1: 1/2, s2: 0, s3: 1, *: 0}\n"
                 "query switches(m.s0, r)\n")
    (result,) = run(spec, isolate=False)
    # near: g/2 (from step 1 on); far: g² (from step 2 on): equal at g = 1/2
    assert result.answer.value["threshold"] == "1/2"
    spec = parse("param g in (0, 1)\n"
                 "mdp m {\n    gamma = g\n    start = s0\n"
                 "    s0: choice { near: s1, far: s2 }\n    s1: absorbing\n"
                 "    s2: choice { on: s4 }\n    s4: choice { on: s3 }\n    s3: absorbing\n}\n"
                 "utility r = {s1: 1/2, s3: 1, *: 0}\n"
                 "query switches(m.s0, r)\n")
    (result,) = run(spec, isolate=False)
    # near: g/2; far: g³ (s3 from step 3 on): equal at g = 1/√2
    assert result.answer.value["threshold"] == "sqrt(2)/2"
    assert "{near, far} at g = sqrt(2)/2" in result.answer.summary  # decided exactly
    assert "{far} for g ∈ (sqrt(2)/2, 1)" in result.answer.summary


def test_switches_report_a_touch_at_an_irrational_point():
    """V(a) = 1 − (2p² − 1)² touches V(b) = 1 at p = 1/√2 without crossing: the same action
    on both sides, yet both are optimal there (found in review: it used to be merged away)."""
    spec = parse("outcomes x, y\nparam p in (0, 1)\n"
                 "tree t = choice { a: chance { 4*p*p - 4*p*p*p*p: x, "
                 "1 - 4*p*p + 4*p*p*p*p: y }, b: chance { 1: x } }\n"
                 "utility u = {x: 1, y: 0}\nquery switches(t, u)\n")
    (result,) = run(spec, isolate=False)
    assert "{a, b} at p = sqrt(2)/2" in result.answer.summary
    assert result.answer.value["threshold"] == "sqrt(2)/2"


@settings(max_examples=15, deadline=None)
@given(st.integers(40, 60), st.integers(0, 10**6))
def test_large_systems_solved_over_the_integers_equal_elimination_in_fractions(n, seed):
    rng = random.Random(seed)
    rows = [[Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(n)]
            for _ in range(n)]
    for i in range(n):
        rows[i][i] += 3 * n  # diagonally dominant: non-singular
    rhs = [Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(n)]
    fraction_free = analysis.solve_fractions(rows, rhs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis, "FRACTION_FREE_FROM", 10**9)
        assert analysis.solve_fractions(rows, rhs) == fraction_free
    assert all(sum(a * x for a, x in zip(row, fraction_free)) == b for row, b in zip(rows, rhs))


def _lottery_text(lottery):
    return "{" + ", ".join(f"{s}: {q}" for s, q in lottery.items() if q) + "}"


@settings(max_examples=25, deadline=None)
@given(mdps(max_states=3), st.data())
def test_membership_by_flow_constraints_agrees_with_the_listed_policies(generated, data):
    """contains(m.s, f) from the occupancy-measure flow constraints (no policies listed)
    against the tree of listed policies, on mixtures of two policies' visit distributions
    and on the same nudged (mass moved between two states)."""
    text, states, table, gamma = generated
    mdp = parse(text).mdps["m"]
    found = analysis.policies(mdp, "s0")
    first, second = data.draw(st.sampled_from(found)), data.draw(st.sampled_from(found))
    weight = data.draw(st.sampled_from([Fraction(0), Fraction(1, 3), Fraction(1, 2)]))
    mixed = {s: weight * first.visits.get(s, 0) + (1 - weight) * second.visits.get(s, 0)
             for s in states}
    asked = [mixed]
    if len(states) > 1:
        a, b = data.draw(st.sampled_from([(a, b) for a in states for b in states if a != b]))
        moved = min(mixed[a], Fraction(1, 7))
        if moved:
            asked.append({**mixed, a: mixed[a] - moved, b: mixed[b] + moved})
    queries = "".join(f"query contains(m.s0, {_lottery_text(f)})\n" for f in asked)
    listed = run(parse(text + queries), isolate=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis, "MAX_POLICIES", 0)
        by_flow = run(parse(text + queries), isolate=False)
    assert by_flow[0].answer.comparable is True  # a mixture of visit distributions is one
    for lottery, expected, got in zip(asked, listed, by_flow):
        assert got.answer.comparable == expected.answer.comparable, lottery
        certificate = got.answer.evidence.to_json()["certificate"]
        if got.answer.comparable:
            policy = {s: {a: Fraction(w) for a, w in mix.items()}
                      for s, mix in certificate["policy"].items()}
            assert occupancy.randomised_visits(mdp, "s0", policy) == \
                {s: q for s, q in lottery.items() if q}
        else:
            assert certificate["contradiction"].startswith("0 >")


def test_unlisted_states_are_refused_by_answers_not_rejected_as_spec_errors():
    """Found by review: a question checking its tree's shape (chosen, switches, farsighted)
    saw the placeholder of a state whose policies were not listed and called the file
    invalid; now the statement is refused and the rest of the file is answered. Dominance
    against a tree with parameters is refused too (it crashed)."""
    text = ("param p in (0, 1)\n" + FIGURE_1
            + "tree coin = chance { p: r1, 1 - p: r2 }\n"
            "query chosen(turner.start, right)\nquery switches(turner.start, {r1: 1, *: 0})\n"
            "query farsighted(turner.start, right)\nquery value(turner.start, {r1: 1, *: 0})\n"
            "query dominates(turner.start, coin)\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis, "MAX_POLICIES", 0)
        results = run(parse(text), isolate=False)
    assert [r.status for r in results] == ["refused"] * 3 + ["answer", "refused"]
    assert results[3].answer.comparable == Fraction(81, 100)
    assert "needs the parameters' values" in " ".join(results[4].lines())


def test_a_branch_given_probability_zero_is_no_edge_of_the_long_run():
    text = ("param p in [0, 1]\nmdp m {\n    gamma = 1/2\n    start = s\n"
            "    s: choice { go: a, other: b }\n    a: chance { p: b, 1 - p: a }\n"
            "    b: absorbing\n}\nquery farsighted(m.s, go, p = 0)\n"
            "query farsighted(m.s, go, p = 1/2)\n")
    at_zero, at_half = run(parse(text), isolate=False)
    # p = 0: `go` stays at a for ever, `other` at b: each is best half the time
    assert at_zero.answer.comparable == Fraction(1, 2)
    # p = 1/2: both end at b for sure: a tie, split evenly
    assert at_half.answer.comparable == Fraction(1, 2)
    assert at_half.answer.evidence.to_json()["tie"] == "1"


def test_switches_report_a_closed_end_of_the_domain_that_differs():
    text = ("outcomes a, b\nparam p in [0, 1]\ntree t = choice { x: chance { p: b, 1 - p: a }, "
            "y: a }\nquery switches(t, {a: 1, b: 0})\n")
    (result,) = run(parse(text), isolate=False)
    shown = result.answer.evidence.to_json()
    assert [s["actions"] for s in shown["spans"]] == [["y"]]
    assert shown["points"] == [{"at": "0", "actions": ["x", "y"], "exact": True}]
    assert "the same at every other value" in result.lines()


def test_policies_too_costly_to_solve_at_load_are_not_listed(monkeypatch):
    """Listing happens when the file is loaded, before any statement's deadline: 16,384
    policies over 54 states took minutes past --timeout. Past a bound on the solving work
    the state's tree is not listed: value() still answers (policy iteration), POWER is
    refused with the reason."""
    from decisiontrees import parse, run
    from decisiontrees.analyses import mdp as mdp_analysis

    monkeypatch.setattr(mdp_analysis, "MAX_POLICY_WORK", 100)
    results = run(parse("mdp m {\n    gamma = 1/2\n    start = s0\n"
                        "    s0: choice { a: s1, b: s2 }\n    s1: choice { c: s0, d: s2 }\n"
                        "    s2: choice { e: s0, f: s1 }\n}\n"
                        "query value(m.s0, {s1: 1, *: 0})\nquery mdp_power(m.s0)\n"))
    assert [str(r.status) for r in results] == ["answer", "refused"]
    assert "policy iteration" in "\n".join(results[0].answer.evidence.lines())
    assert "solving one linear system" in results[1].answer.summary + str(
        results[1].answer.evidence.lines())


def test_power_with_a_horizon_says_its_own_normalisation_and_the_weights_add_up():
    """With a horizon H, mdp_power normalises the H − 1 steps left: the evidence said
    (1 − γ)/γ · E[V* − R], true only without a horizon. power(m.s) = w·E[r(s)] +
    (1 − w)·mdp_power(m.s) with w = (1 − γ)/(1 − γ^H)."""
    from decisiontrees import parse, run

    results = run(parse(
        "mdp line {\n    gamma = 1/2\n    start = middle\n    horizon = 3\n"
        "    middle: choice { west, east, wait: middle }\n"
        "    west: choice { back: middle, stay: west }\n"
        "    east: chance { 1/2: middle, 1/2: east }\n}\n"
        "query mdp_power(line.middle)\nquery power(line.middle)\n"))
    successor, whole = (r.answer.comparable for r in results)
    gamma, horizon = Fraction(1, 2), 3
    weight = (1 - gamma) / (1 - gamma ** horizon)
    assert whole == weight * Fraction(1, 2) + (1 - weight) * successor
    assert "(1 − γ)/(γ(1 − γ^2))" in results[0].answer.evidence.lines()[0]


@pytest.mark.parametrize("body, message", [
    ("    gamma = g\n    horizon = 10000\n", "with a discount that is a parameter, 2 states "
     "reached × 10,000 steps is more than 100 to unroll"),
    ("    gamma = 9/10\n    horizon = 10001\n", "the horizon is a whole number of steps"),
    ("    gamma = 99/100\n    horizon = 10000\n    map = \"S . .\"\n", "3 states reached × "
     "10,000 steps is more than 20,000 to unroll"),
])
def test_a_horizon_too_long_to_unroll_is_a_located_error(body, message):
    """Unrolled when the spec loads, before any statement's limits: a parametric discount
    with 10,000 steps ran for minutes, a 25-cell grid with 10,000 steps ran out of memory
    and was an internal error (review)."""
    states = "" if "map" in body else "    a: choice { x: b, y: a }\n    b: choice { x: a, y: b }\n"
    start = "" if "map" in body else "    start = a\n"
    text = f"param g in (0, 1)\nmdp m {{\n{body}{start}{states}}}\n"
    with pytest.raises(SpecError, match=re.escape(message)):
        parse(text)


def test_a_choice_question_at_horizon_one_says_no_action_is_taken():
    """It said the state "does not start with a choice" although it has actions (review)."""
    text = ("mdp h1 {\n    gamma = 1/2\n    start = a\n    horizon = 1\n"
            "    a: choice { x: b, y: a }\n    b: absorbing\n}\nquery chosen(h1.a, x)\n")
    with pytest.raises(SpecError, match="with `horizon = 1` only `h1.a` itself counts"):
        parse(text)


@given(st.lists(st.tuples(st.sampled_from([Fraction(9, 10), Fraction(1, 3), Fraction(5, 7)]),
                          st.integers(0, 40)), max_size=30))
def test_discount_powers_kept_from_the_last_one_are_the_powers(asked):
    """state_tree asks for γ^1, γ^2, … in turn and gets each from the one before."""
    from decisiontrees.analyses.mdp import _power

    for gamma, steps in asked:
        for k in (steps, steps + 1, steps + 1, steps + 2):
            assert _power(gamma, k) == gamma ** k
