"""Optimal values of an mdp's states without enumerating its policies (issue 16).

A state's visit distributions form the polytope of occupancy measures: ``x ≥ 0`` on
state–action pairs with the flow constraints ``Σ_a x(s, a) = (1 − γ)[s = s0] + γ Σ_{s', a}
P(s | s', a) x(s', a)``. Its vertices are the deterministic stationary policies, of which
there can be far too many to list; but its support function, the optimal value under a
reward, is found by Howard's policy iteration (Puterman §6.4) in exact rationals: evaluate
the current policy by one linear solve, switch every state to a strictly better action, stop
when none is. The result is checked by Bellman's optimality conditions, which pin the value
down uniquely for γ < 1:

    W(s) = max_a (1 − γ) r(s) + γ Σ_{s'} P(s' | s, a) W(s')     for every state s,

with W the normalised value ``(1 − γ) V*``. Every answer here passes that check exactly.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.analyses import farkas
from decisiontrees.analyses.farkas import Infeasibility
from decisiontrees.analyses.mdp import solve_fractions
from decisiontrees.errors import CrossCheckFailed, Unsupported
from decisiontrees.model.classes import Constraint
from decisiontrees.model.mdp import MDP
from decisiontrees.solvers import smt as solver

MAX_ITERATIONS = 1_000  # Howard's iteration takes a handful in practice


@dataclass(frozen=True)
class OptimalPolicy:
    """Normalised optimal values ``(1 − γ) V*`` of the states reachable from ``state``, an
    optimal action at each, and the number of policy-iteration rounds."""

    state: str
    values: Mapping[str, Fraction]
    actions: Mapping[str, str]
    rounds: int

    @property
    def value(self) -> Fraction:
        return self.values[self.state]

    def label(self, mdp: MDP) -> str:
        """The policy as the trees name it: the first action, then ``s:a`` at each later state
        it reaches where there is a choice, in the order it reaches them."""
        order, seen = [self.state], {self.state}
        for current in order:
            for name, transition in mdp.actions[current]:
                if name == self.actions[current]:
                    for _, target in transition:
                        if target not in seen:
                            seen.add(target)
                            order.append(target)
        rest = [f"{s}:{self.actions[s]}" for s in order[1:] if len(mdp.actions[s]) > 1]
        return self.actions[self.state] + (" > " + " ".join(rest) if rest else "")


def _numeric(mdp: MDP) -> Fraction:
    if not isinstance(mdp.gamma, Fraction) or not mdp.numeric_transitions():
        raise Unsupported(f"mdp `{mdp.name}` has parameters: optimal values without its "
                          "policies listed need numbers (give the parameters values)")
    if mdp.horizon is not None:
        raise Unsupported(f"mdp `{mdp.name}` has a finite horizon: its states are unrolled "
                          "trees, not solved by policy iteration")
    return mdp.gamma


def _q(mdp: MDP, gamma: Fraction, reward: Mapping[str, Fraction], values: Mapping[str, Fraction],
       state: str) -> Iterator[tuple[str, Fraction]]:
    """Each action's normalised value at ``state`` given the next states' values."""
    here = (1 - gamma) * reward.get(state, Fraction(0))
    for name, transition in mdp.actions[state]:
        yield name, here + gamma * sum((p * values[t] for p, t in transition), Fraction(0))


def optimal_policy(mdp: MDP, state: str, reward: Mapping[str, Fraction]) -> OptimalPolicy:
    """The optimal values and an optimal policy on the states reachable from ``state``,
    exactly, by policy iteration; checked against Bellman's optimality conditions."""
    gamma = _numeric(mdp)
    states = mdp.reachable(state)
    index = {s: i for i, s in enumerate(states)}
    # start from the action whose next state pays most at once
    actions = {s: max(mdp.actions[s], key=lambda act: sum(
        (p * reward.get(t, Fraction(0)) for p, t in act[1]), Fraction(0)))[0] for s in states}
    for rounds in range(1, MAX_ITERATIONS + 1):
        limits.check("policy iteration")
        rows = [[Fraction(int(i == j)) for j in range(len(states))] for i in range(len(states))]
        for s in states:
            for p, t in dict(mdp.actions[s])[actions[s]]:
                rows[index[s]][index[t]] -= gamma * p
        values = dict(zip(states, solve_fractions(
            rows, [(1 - gamma) * reward.get(s, Fraction(0)) for s in states])))
        switched = False
        for s in states:
            current = dict(_q(mdp, gamma, reward, values, s))
            best = max(current, key=lambda a: current[a])
            if current[best] > current[actions[s]]:  # strictly better only: no cycling
                actions[s] = best
                switched = True
        if not switched:
            found = OptimalPolicy(state, values, actions, rounds)
            check_optimal(mdp, reward, found)
            return found
    raise CrossCheckFailed(f"policy iteration did not settle in {MAX_ITERATIONS} rounds")


def optimal_actions(mdp: MDP, reward: Mapping[str, Fraction]
                    ) -> dict[str, tuple[Fraction, tuple[str, ...]]]:
    """Every state's normalised optimal value and all its optimal actions (those attaining
    Bellman's maximum), from one policy iteration per part of the mdp not yet solved."""
    gamma = _numeric(mdp)
    values: dict[str, Fraction] = {}
    for state in mdp.states:
        if state not in values:
            values.update(optimal_policy(mdp, state, reward).values)
    found = {}
    for state in mdp.states:
        q = dict(_q(mdp, gamma, reward, values, state))
        found[state] = (values[state], tuple(a for a in q if q[a] == values[state]))
    return found


def check_optimal(mdp: MDP, reward: Mapping[str, Fraction], found: OptimalPolicy) -> None:
    """Bellman's optimality conditions, exactly: the policy's action attains the maximum at
    every reachable state and the values are that maximum. Raises CrossCheckFailed."""
    gamma = _numeric(mdp)
    for s in mdp.reachable(found.state):
        q = dict(_q(mdp, gamma, reward, found.values, s))
        if found.values[s] != max(q.values()) or q[found.actions[s]] != found.values[s]:
            raise CrossCheckFailed(f"Bellman's optimality condition fails at `{s}`")


def rewards_to_try(states: list[str], count: int, seed: int) -> Iterator[dict[str, Fraction]]:
    """Rewards likely to separate two states, simplest first: one state pays 1, one state
    pays 0 and the rest 1, then seeded random tenths."""
    for s in states:
        yield {t: Fraction(int(t == s)) for t in states}
    for s in states:
        yield {t: Fraction(int(t != s)) for t in states}
    generator = random.Random(seed)
    for _ in range(count):
        yield {t: Fraction(generator.randint(0, 10), 10) for t in states}


@dataclass(frozen=True)
class Realisation:
    """A stationary randomised policy (action weights at each state it visits) whose visit
    distribution from ``state`` is the lottery asked about, checked exactly."""

    state: str
    mix: Mapping[str, Mapping[str, Fraction]]


def flow_rows(mdp: MDP, state: str, lottery: Mapping[str, Fraction]) -> list[Constraint]:
    """The occupancy polytope's constraints for the visit distribution ``lottery``: variables
    ``x(s, a) >= 0`` with ``Σ_a x(s, a) = f(s)`` and ``f(s) = (1 − γ)[s = state] + γ Σ_{s', a}
    P(s | s', a) x(s', a)`` at every state reachable from ``state``."""
    gamma = _numeric(mdp)
    states = mdp.reachable(state)
    inflow: dict[str, dict[str, Fraction]] = {s: {} for s in states}
    rows = []
    for s in states:
        for action, transition in mdp.actions[s]:
            name = f"x({s}, {action})"
            rows.append(Constraint(((name, Fraction(1)),), ">=", Fraction(0), f"{name} >= 0"))
            for p, t in transition:
                inflow[t][name] = inflow[t].get(name, Fraction(0)) + gamma * p
    for s in states:
        share = lottery.get(s, Fraction(0))
        names = tuple((f"x({s}, {a})", Fraction(1)) for a, _ in mdp.actions[s])
        rows.append(Constraint(names, "==", share, f"Σ_a x({s}, a) == {share}"))
        start = (1 - gamma) * int(s == state)
        rows.append(Constraint(tuple(sorted(inflow[s].items())), "==", share - start,
                               f"flow into {s}: γ Σ P(· → {s}) x == {share - start}"))
    return rows


def realise(mdp: MDP, state: str, lottery: Mapping[str, Fraction], timeout_ms: int
            ) -> Realisation | Infeasibility | None:
    """Whether ``lottery`` is a visit distribution of ``state``: a policy realising it, or
    multipliers proving the flow constraints infeasible; None if the solver gives up. Mass
    on a state ``state`` cannot reach makes the constraints infeasible too (its flow is 0)."""
    reachable = set(mdp.reachable(state))
    outside = sorted(o for o, q in lottery.items() if q and o not in reachable)
    if outside:  # no variable can carry it: the row ``0 == q`` is the contradiction
        return Infeasibility(((f"f({outside[0]}) == {lottery[outside[0]]} for a state "
                               f"`{state}` cannot reach", Fraction(1)),),
                             f"0 == {lottery[outside[0]]}")
    limits.check("solving the flow constraints")
    rows = flow_rows(mdp, state, lottery)
    found = solver.feasible_point(rows, timeout_ms)
    if isinstance(found, solver.Unknown):
        return None
    if found is None:
        return farkas.certificate(rows, timeout_ms,
                                  "the flow constraints have no solution")
    mix: dict[str, dict[str, Fraction]] = {}
    for s in mdp.reachable(state):
        share = lottery.get(s, Fraction(0))
        if share:
            mix[s] = {a: found[f"x({s}, {a})"] / share for a, _ in mdp.actions[s]
                      if found[f"x({s}, {a})"]}
    realised = Realisation(state, mix)
    if randomised_visits(mdp, state, mix) != {s: q for s, q in lottery.items() if q}:
        raise CrossCheckFailed("the policy read off the flow does not visit as asked")
    return realised


def randomised_visits(mdp: MDP, state: str, mix: Mapping[str, Mapping[str, Fraction]]
                      ) -> dict[str, Fraction]:
    """The visit distribution of a stationary randomised policy (states without weights take
    their first action: the policy never reaches them if the weights came from a flow)."""
    gamma = _numeric(mdp)
    states = mdp.reachable(state)
    index = {s: i for i, s in enumerate(states)}
    rows = [[Fraction(int(i == j)) for j in range(len(states))] for i in range(len(states))]
    for s in states:
        weights = mix.get(s) or {mdp.actions[s][0][0]: Fraction(1)}
        for action, transition in mdp.actions[s]:
            for p, t in transition:
                rows[index[t]][index[s]] -= gamma * weights.get(action, Fraction(0)) * p
    rhs = [(1 - gamma) * int(s == state) for s in states]
    return {s: q for s, q in zip(states, solve_fractions(rows, rhs)) if q}
