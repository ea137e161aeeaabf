"""Farsighted agents in mdps (issue 16): recurrent state distributions against the limit of
the visit distributions computed by sympy, `farsighted` against a float solver at a discount
close to 1 written here, Turner's and Krakovna & Kramar's n/(n+1) on shutdown mdps, and
`spec.tree("m.s")`."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_mdp import mdps

import decisiontrees as dt
from decisiontrees import parse, run
from decisiontrees.analyses import mdp as analysis
from decisiontrees.analyses.orbits import largest_compatible_set
from decisiontrees.errors import ArgumentError


def _limit_by_sympy(states, table, policy, start):
    """lim_{g → 1} (1 − g) e_start (I − g P)^-1, on the states the policy reaches."""
    g = sympy.Symbol("g")
    index = {s: i for i, s in enumerate(states)}
    matrix = sympy.zeros(len(states))
    for s in states:
        for t, p in table[s][policy[s]].items():
            matrix[index[s], index[t]] += sympy.Rational(p.numerator, p.denominator)
    row = sympy.zeros(1, len(states))
    row[0, index[start]] = 1
    visits = (1 - g) * row * (sympy.eye(len(states)) - g * matrix).inv()
    found = {}
    for s in states:
        value = sympy.limit(sympy.cancel(visits[0, index[s]]), g, 1)
        if value != 0:
            found[s] = Fraction(int(sympy.numer(value)), int(sympy.denom(value)))
    return found


@settings(max_examples=25, deadline=None)
@given(mdps(max_states=4, max_actions=2))
def test_recurrent_distributions_are_the_limit_of_the_visit_distributions(generated):
    text, states, table, _ = generated
    mdp = parse(text).mdps["m"]
    for policy in itertools.islice(analysis.closed_policies(mdp, "s0"), 6):
        reached = [s for s in states if s in policy]
        got = analysis.recurrent_distribution(mdp, "s0", policy)
        assert got == _limit_by_sympy(reached, table, policy, "s0")
        assert sum(got.values()) == 1


def _first_action_frequencies(states, table, gamma, samples, seed):
    """How often each first action at s0 is optimal at discount ``gamma`` for U[0,1] state
    rewards, by enumerating every deterministic stationary policy of the whole mdp (floats)."""
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    rng = np.random.default_rng(seed)
    rewards = rng.random((samples, n))
    choices = [list(table[s]) for s in states]
    best = np.full(samples, -np.inf)
    first = np.empty(samples, dtype=object)
    for assignment in itertools.product(*choices):
        matrix = np.zeros((n, n))
        for s, action in zip(states, assignment):
            for t, p in table[s][action].items():
                matrix[index[s], index[t]] += float(p)
        occupancy = np.linalg.solve(np.eye(n) - gamma * matrix.T, np.eye(n)[:, index["s0"]])
        values = rewards @ occupancy
        better = values > best + 1e-12
        best = np.where(better, values, best)
        first[better] = assignment[0]
    return {a: float(np.mean(first == a)) for a in table["s0"]}


@settings(max_examples=12, deadline=None)
@given(mdps(max_states=4, max_actions=2, first_actions=2), st.integers(0, 1000))
def test_farsighted_agrees_with_optimal_policies_at_a_discount_close_to_1(generated, seed):
    text, states, table, _ = generated
    found = dt.farsighted(parse(text).mdps["m"], "s0")
    frequencies = _first_action_frequencies(states, table, 1 - 1e-7, 4000, seed)
    for action, number in zip(table["s0"], found.chosen):
        # 5 standard errors of a proportion estimated from 4,000 samples are below 0.04; a tie
        # of long-run shares is decided by the rewards on the way, not uniformly (documented)
        assert abs(float(number.value) - frequencies[action]) < 0.04 + float(found.tie.value)


def _shutdown(n: int) -> str:
    rooms = ", ".join(f"r{k}" for k in range(1, n + 1))
    lines = "\n".join(f"    r{k}: absorbing" for k in range(1, n + 1))
    return (f"mdp m {{\n    gamma = 1/2\n    start = s\n    s: choice {{ off: dead, on: hub }}\n"
            f"    dead: absorbing\n    hub: choice {{ {rooms} }}\n{lines}\n}}\n")


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_avoiding_shutdown_with_n_rooms_is_n_over_n_plus_1(n):
    """Turner et al. (2021) / Krakovna & Kramar (2023): shutting down ends in one absorbing
    state, staying on keeps n reachable; as γ → 1 exactly n/(n+1) avoid shutdown under
    i.i.d. rewards, and n involutions (dead r_k) prove the orbit-level bound."""
    spec = parse(_shutdown(n) + "query farsighted(m.s, on)\nquery farsighted(m.s, off)\n")
    on, off = run(spec, isolate=False)
    assert on.answer.comparable == Fraction(n, n + 1)
    assert off.answer.comparable == Fraction(1, n + 1)
    shown = on.answer.evidence.to_json()
    assert shown["orbit_share_lower"] == str(Fraction(n, n + 1))
    if n > 1:
        assert sorted(shown["involutions"]) == sorted(f"(dead r{k})" for k in range(1, n + 1))
    # at γ = 1/2 the rooms are two steps away, shutdown one: with n = 1 the sides are
    # symmetric (½ u(hub) + ½ u(r1) against u(dead)), with more rooms fewer avoid shutdown than
    # in the limit
    at_half = Fraction(shown["chosen_at_gamma"])
    assert at_half == Fraction(1, 2) if n == 1 else Fraction(1, 2) < at_half < Fraction(n, n + 1)


def test_a_shared_long_run_is_reported_as_a_tie():
    text = """mdp m {
    gamma = 1/2
    start = s
    s: choice { off: dead, wait: w }
    w: choice { off: dead, on: r1 }
    dead: absorbing
    r1: absorbing
}
query farsighted(m.s, wait)
"""
    (result,) = run(parse(text), isolate=False)
    assert result.answer.evidence.to_json()["tie"] == "1/2"
    assert result.answer.comparable == Fraction(3, 4)
    assert any("rewards on the way" in line for line in result.answer.evidence.lines())


@pytest.mark.parametrize("text, message", [
    ("outcomes a, b\ntree t = choice { a, b }\nquery farsighted(t, a)\n",
     "asks about a state of an mdp"),
    ("mdp m {\n    gamma = 1/2\n    start = s\n    horizon = 3\n    s: choice { a: s, b: t }\n"
     "    t: absorbing\n}\nquery farsighted(m.s, a)\n", "infinite horizon"),
    ("mdp m {\n    gamma = 1/2\n    start = s\n    s: choice { a: s, b: t }\n"
     "    t: absorbing\n}\nquery farsighted(m.s, c)\n", "no first action `c`"),
])
def test_bad_farsighted_questions_are_located_errors(text, message):
    with pytest.raises(dt.SpecError) as raised:
        parse(text)
    assert message in str(raised.value)


def test_spec_tree_names_states_of_mdps():
    spec = parse(_shutdown(2))
    tree = spec.tree("m.s")
    assert tree == dt.mdp_state_tree(spec.mdps["m"], "s")
    assert tree.actions == ("off", "on")
    with pytest.raises(ArgumentError, match="no state `hubb`; did you mean `hub`"):
        spec.tree("m.hubb")
    with pytest.raises(ArgumentError, match="no tree or outcome `n.s`"):
        spec.tree("n.s")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 7), st.data())
def test_largest_compatible_set_is_a_largest_clique(count, data):
    edges = {(a, b) for a in range(count) for b in range(a + 1, count)
             if data.draw(st.booleans())}

    def compatible(a: int, b: int) -> bool:
        return (min(a, b), max(a, b)) in edges

    found = largest_compatible_set(count, compatible)
    assert all(compatible(a, b) for a, b in itertools.combinations(found, 2))
    best = max((len(c) for r in range(count + 1) for c in itertools.combinations(range(count), r)
                if all(compatible(a, b) for a, b in itertools.combinations(c, 2))), default=0)
    assert len(found) == best


def test_largest_compatible_set_of_many_compatible_members_is_found_at_once():
    """Every pair compatible: a search without a bound would try all 2^40 subsets."""
    assert largest_compatible_set(40, lambda a, b: True) == list(range(40))


def test_the_answer_stands_when_the_discounted_side_line_is_too_large_to_compute():
    """The line "at the mdp's discount γ" integrates over every outcome the discounted tree
    reaches (15 here, past the exact limit); its refusal refused the whole answer, though
    the long-run tree is small and its answer exact."""
    from decisiontrees import parse, run

    chain = "\n".join(f"    t{k}: t{k + 1}" for k in range(1, 10))
    [result] = run(parse("mdp m {\n    gamma = 1/2\n    start = s0\n"
                         "    s0: choice { off: dead, on: t1 }\n" + chain + "\n"
                         "    t10: hub\n    hub: choice { r1, r2 }\n    dead: absorbing\n"
                         "    r1: absorbing\n    r2: absorbing\n}\n"
                         "claim farsighted(m.s0, on) == 2/3\n"))
    assert str(result.status) == "pass"
