"""States of a Markov decision process as decision trees over its states (issue 16).

The normalised discounted visit distribution of a policy π from a state s is
``f = (1 − γ) Σ_t γ^t P(s_t = ·)``: a lottery over states. Over all policies (history-dependent
and randomised) these form a polytope, the convex hull of those of the deterministic
stationary policies (Puterman, *Markov Decision Processes*, §6.9: for every reward vector r
some deterministic stationary policy maximises ``f·r``, so the two closed convex sets have the
same support function). Every engine of the toolkit depends on a tree only through the convex
hull of its strategy lotteries, so a state is the tree

    choice over the first actions a at s
      → choice over the deterministic stationary policies π with π(s) = a
        → chance node with the probabilities f_π over leaves, one per visited state

and values, dominance, P1–P4, random-agent probabilities, POWER and orbits apply unchanged.
Only the actions of π at states it visits matter, so policies are enumerated as assignments
to the states they reach from s (distinct assignments give distinct lotteries' labels).

Turner et al. (2021) define ``POWER(s, γ) = (1 − γ)/γ · E[V*(s, γ) − R(s)]`` for i.i.d. state
rewards. As ``f_π = (1 − γ) e_s + γ f'_π`` with ``f'_π`` the visit distribution from the next
step on, ``POWER(s) = E[max_π f'_π · r]``: the POWER of the *successor tree*, built the same way
from the ``f'_π``.

A finite horizon H counts the steps t = 0 … H−1 with weights ``γ^t`` normalised to sum to 1;
optimal policies are then not stationary, so the state is the unrolled tree itself: at a state
with k steps left, a choice over actions, then a chance node that stops at the state with
probability ``(1 − γ)/(1 − γ^k)`` (the state's share of the remaining weight) and otherwise
moves on with the transition probabilities. Its lotteries are exactly the finite-horizon visit
distributions of all (non-stationary) policies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.errors import CrossCheckFailed, TooManyLotteries
from decisiontrees.model.mdp import MDP
from decisiontrees.model.nodes import Node, Probability, leaf, make_chance, make_choice
from decisiontrees.model.symbols import simplify, solve_linear, to_sympy

MAX_POLICIES = 20_000  # deterministic stationary policies enumerated for one state
# the sum over those policies of (states reached)³: solving them all at ~1.3e-7 s per unit
# (measured: 0.02 s a policy over 54 states) stays within about 7 s
MAX_POLICY_WORK = 50_000_000


@dataclass(frozen=True)
class Policy:
    """A deterministic stationary policy from ``state``: an action at each state it reaches,
    in the order they are first reached, and its normalised discounted visit distribution."""

    state: str
    actions: tuple[tuple[str, str], ...]  # (state, action)
    visits: Mapping[str, Probability]

    def label(self, mdp: MDP) -> str:
        """The policy's actions at the states after the first where it has a choice:
        ``s1:back s3:left`` (policies with one first action and one lottery differ there)."""
        rest = [f"{s}:{a}" for s, a in self.actions[1:] if len(mdp.actions[s]) > 1]
        return " ".join(rest) if rest else "as forced"


def closed_policies(mdp: MDP, state: str, limit: int | None = None) -> Iterator[dict[str, str]]:
    """Every assignment of actions to the states it reaches from ``state`` (a deterministic
    stationary policy up to its actions at unvisited states), the first action first.
    Raises TooManyLotteries past ``limit``."""
    limit = MAX_POLICIES if limit is None else limit
    count = 0
    stack: list[tuple[dict[str, str], tuple[str, ...]]] = [({}, (state,))]
    while stack:
        policy, pending = stack.pop()
        if not pending:
            count += 1
            if count > limit:
                raise TooManyLotteries(
                    f"more than {limit:,} deterministic stationary policies from `{state}` "
                    f"in mdp `{mdp.name}`")
            if count % 256 == 0:
                limits.check("enumerating policies")
            yield policy
            continue
        current, rest = pending[0], pending[1:]
        choices = []
        for action, transition in mdp.actions[current]:
            chosen = dict(policy)
            chosen[current] = action
            new = list(rest)
            for _, target in transition:
                if target not in chosen and target not in new:
                    new.append(target)
            choices.append((chosen, tuple(new)))
        stack.extend(reversed(choices))  # the first action's policies come out first


def visit_distribution(mdp: MDP, state: str, policy: Mapping[str, str]) -> dict[str, Probability]:
    """``(1 − γ) Σ_t γ^t P(s_t = ·)`` for the stationary ``policy`` (defined on every state it
    reaches from ``state``), from ``(I − γ P_π^T) f = (1 − γ) e_state``; zero entries left out."""
    deterministic = _deterministic_visits(mdp, state, policy)
    if deterministic is not None:
        return deterministic
    visited = [s for s in mdp.states if s in policy]
    index = {s: i for i, s in enumerate(visited)}
    n = len(visited)
    gamma = mdp.gamma
    numeric = isinstance(gamma, Fraction) and all(
        isinstance(p, Fraction) for s in visited for p, _ in _transition(mdp, s, policy[s]))
    # column j of P^T is the transition out of visited[j]
    rows: list[list[Any]] = [[Fraction(0)] * n for _ in range(n)]
    for j, s in enumerate(visited):
        for p, target in _transition(mdp, s, policy[s]):
            rows[index[target]][j] -= gamma * p if numeric else to_sympy(gamma) * to_sympy(p)
    for i in range(n):
        rows[i][i] += 1
    rhs: list[Any] = [Fraction(0)] * n
    rhs[index[state]] = 1 - gamma
    solution = solve_fractions(rows, rhs) if numeric else solve_linear(rows, rhs)
    result: dict[str, Probability] = {}
    for s, value in zip(visited, solution):
        value = simplify(value)
        if not (isinstance(value, Fraction) and value == 0):
            result[s] = value
    return result


def _deterministic_visits(mdp: MDP, state: str, policy: Mapping[str, str]
                          ) -> dict[str, Probability] | None:
    """The closed form when every transition of the policy is certain: the walk
    from ``state`` runs into a cycle of length L after c steps; a state first visited at time
    k gets ``(1 − γ) γ^k`` before the cycle and ``(1 − γ) γ^k / (1 − γ^L)`` on it. None when
    some transition is random (then the linear system is solved)."""
    gamma = mdp.gamma
    walk: list[str] = []
    seen: dict[str, int] = {}
    current = state
    while current not in seen:
        transition = _transition(mdp, current, policy[current])
        if len(transition) != 1:
            return None
        seen[current] = len(walk)
        walk.append(current)
        current = transition[0][1]
    cycle_start = seen[current]
    length = len(walk) - cycle_start
    visits: dict[str, Probability] = {}
    if isinstance(gamma, Fraction):
        # (1 − γ)γ^k, shared by every policy of the mdp: one object per k, computed once
        weights = _discounted_weights(gamma.numerator, gamma.denominator, len(walk))
        on_cycle: Any = 1 / (1 - gamma ** length)
        for k, visited in enumerate(walk):
            visits[visited] = weights[k] * on_cycle if k >= cycle_start else weights[k]
        return {s: visits[s] for s in mdp.states if s in visits}
    g = to_sympy(gamma)
    on_cycle, weight = 1 / (1 - g ** length), 1 - g
    for k, visited in enumerate(walk):
        visits[visited] = simplify(weight * on_cycle if k >= cycle_start else weight)
        weight = weight * g
    return {s: visits[s] for s in mdp.states if s in visits}


_WEIGHTS: dict[tuple[int, int], list[Fraction]] = {}


def _discounted_weights(numerator: int, denominator: int, count: int) -> list[Fraction]:
    """``[(1 − γ)γ^k for k < count]`` for γ = numerator/denominator, extended on demand."""
    found = _WEIGHTS.setdefault((numerator, denominator), [])
    gamma = Fraction(numerator, denominator)
    if not found:
        found.append(1 - gamma)
    while len(found) < count:
        found.append(found[-1] * gamma)
    return found


def _transition(mdp: MDP, state: str, action: str) -> tuple[tuple[Probability, str], ...]:
    for name, transition in mdp.actions[state]:
        if name == action:
            return transition
    raise KeyError(action)


FRACTION_FREE_FROM = 40  # unknowns; larger systems are solved over the integers


def solve_fractions(rows: list[list[Any]], rhs: list[Any]) -> list[Fraction]:
    """Gaussian elimination in exact rationals (the matrix is non-singular: γ < 1); from
    ``FRACTION_FREE_FROM`` unknowns on, sympy's fraction-free elimination over the integers
    (4–5 times faster there: no gcd at every step)."""
    n = len(rows)
    if n >= FRACTION_FREE_FROM:
        return _solve_fraction_free(rows, rhs)
    a = [list(row) + [b] for row, b in zip(rows, rhs)]
    for column in range(n):
        if column % 32 == 31:
            limits.check("solving a linear system exactly")
        pivot = next((r for r in range(column, n) if a[r][column] != 0), None)
        if pivot is None:
            raise CrossCheckFailed("a linear system expected to be regular is singular")
        a[column], a[pivot] = a[pivot], a[column]
        head = a[column]
        inverse = 1 / head[column]
        for r in range(n):
            if r != column and a[r][column] != 0:
                factor = a[r][column] * inverse
                row = a[r]
                for k in range(column, n + 1):
                    if head[k] != 0:
                        row[k] -= factor * head[k]
    return [Fraction(a[i][n]) / a[i][i] for i in range(n)]


def _solve_fraction_free(rows: list[list[Any]], rhs: list[Any]) -> list[Fraction]:
    """Each equation scaled to whole numbers, then ``A x = d b`` solved over the integers."""
    import sympy
    from sympy.polys.matrices import DomainMatrix

    limits.check("solving a linear system exactly")
    n = len(rows)
    whole_rows, whole_rhs = [], []
    for row, b in zip(rows, rhs):
        equation = [Fraction(x) for x in row] + [Fraction(b)]
        scale = math.lcm(*(x.denominator for x in equation))
        whole = [int(x * scale) for x in equation]
        whole_rows.append([sympy.ZZ(x) for x in whole[:n]])
        whole_rhs.append([sympy.ZZ(whole[n])])
    matrix = DomainMatrix(whole_rows, (n, n), sympy.ZZ)
    numerators, denominator = matrix.solve_den(DomainMatrix(whole_rhs, (n, 1), sympy.ZZ))
    return [Fraction(int(numerators[i, 0].element), int(denominator)) for i in range(n)]


def policies(mdp: MDP, state: str, limit: int | None = None) -> list[Policy]:
    """The deterministic stationary policies from ``state`` with their visit distributions
    (infinite horizon), one per distinct assignment to the states they reach."""
    assignments = list(closed_policies(mdp, state, limit))  # refuse before solving any
    work = sum(len(p) ** 3 for p in assignments)  # one linear solve over the states reached
    if work > MAX_POLICY_WORK:
        raise TooManyLotteries(
            f"listing the {len(assignments):,} deterministic stationary policies from `{state}` "
            f"in mdp `{mdp.name}` means solving one linear system over up to "
            f"{max(len(p) for p in assignments)} states for each (work {work:.2g} against a "
            f"limit of {MAX_POLICY_WORK:.0e}; the tree is built when the file is loaded, "
            "before any statement's time limit)")
    return [Policy(state, tuple(p.items()), visit_distribution(mdp, state, p))
            for p in assignments]


def _lottery_node(mdp: MDP, visits: Mapping[str, Probability]) -> Node:
    states = [s for s in mdp.states if s in visits]
    if len(states) == 1:
        return leaf(states[0])
    return make_chance(tuple(visits[s] for s in states), tuple(leaf(s) for s in states))


def _successor_visits(mdp: MDP, policy: Policy) -> dict[str, Probability]:
    """``f' = (f − (1 − γ) e_s)/γ``: the visit distribution from the next step on."""
    gamma = mdp.gamma
    result: dict[str, Probability] = {}
    for s, value in policy.visits.items():
        shifted = value - (1 - gamma) if s == policy.state else value
        shifted = simplify(shifted / gamma if isinstance(shifted, Fraction) and
                           isinstance(gamma, Fraction) else to_sympy(shifted) / to_sympy(gamma))
        if not (isinstance(shifted, Fraction) and shifted == 0):
            result[s] = shifted
    return result


def _policy_tree(mdp: MDP, state: str, successor: bool, limit: int | None) -> Node:
    lotteries = ((p, _successor_visits(mdp, p) if successor else p.visits)
                 for p in policies(mdp, state, limit))
    return _tree_of(mdp, state, lotteries)


def _tree_of(mdp: MDP, state: str,
             lotteries: Iterable[tuple[Policy, Mapping[str, Probability]]]) -> Node:
    """A choice over the first actions, then over the policies taking each (one per distinct
    lottery, named by the first such policy), each a chance node over states."""
    by_action: dict[str, dict[int, tuple[str, Node]]] = {a: {} for a, _ in mdp.actions[state]}
    for policy, visits in lotteries:
        node = _lottery_node(mdp, visits)
        by_action[policy.actions[0][1]].setdefault(id(node), (policy.label(mdp), node))
    actions, children = [], []
    for action, found in by_action.items():
        options = list(found.values())
        actions.append(action)
        if len(options) == 1:
            children.append(options[0][1])
        else:
            children.append(make_choice(tuple(label for label, _ in options),
                                        tuple(node for _, node in options)))
    return make_choice(tuple(actions), tuple(children))


def recurrent_distribution(mdp: MDP, state: str, policy: Mapping[str, str]
                           ) -> dict[str, Fraction]:
    """Turner's recurrent state distribution of a stationary ``policy`` from ``state``: the
    limit of its visit distribution as γ → 1, the long-run share of time in each state
    (Cesàro limit). It is ``Σ_C P(the walk ends in C) · π_C`` over the closed classes ``C`` of
    the policy's chain, ``π_C`` the stationary distribution of ``C``; zero entries left out.
    The transitions must be numbers."""
    reached = [s for s in mdp.states if s in policy]
    step: dict[str, dict[str, Fraction]] = {}
    for s in reached:
        row: dict[str, Fraction] = {}
        for p, target in _transition(mdp, s, policy[s]):
            if not isinstance(p, Fraction):
                raise ValueError(f"the transition from `{s}` by `{policy[s]}` is symbolic")
            if p:  # a branch given probability 0 (a parameter's value) is no edge
                row[target] = row.get(target, Fraction(0)) + p
        step[s] = row
    closed = _closed_classes(reached, step)
    in_class = {s: k for k, members in enumerate(closed) for s in members}
    transient = [s for s in reached if s not in in_class]
    result: dict[str, Fraction] = {}
    for k, members in enumerate(closed):
        if state in in_class:
            reach = Fraction(int(in_class[state] == k))
        else:  # P(end in C) from every transient state: (I − P_TT) x = P_TC 1
            index = {s: i for i, s in enumerate(transient)}
            rows = [[Fraction(int(i == j)) for j in range(len(transient))] for i in
                    range(len(transient))]
            rhs = [Fraction(0)] * len(transient)
            for s in transient:
                for target, p in step[s].items():
                    if target in index:
                        rows[index[s]][index[target]] -= p
                    elif in_class[target] == k:
                        rhs[index[s]] += p
            reach = solve_fractions(rows, rhs)[index[state]]
        if reach:
            for s, share in _stationary(members, step).items():
                result[s] = result.get(s, Fraction(0)) + reach * share
    return {s: result[s] for s in mdp.states if result.get(s)}


def _closed_classes(states: list[str], step: Mapping[str, Mapping[str, Fraction]]
                    ) -> list[list[str]]:
    """The strongly connected components that no transition leaves (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in states:
        if root in index:
            continue
        work = [(root, iter(step[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for target in successors:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(step[target])))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    closed = []
    for component in components:
        members = set(component)
        if all(target in members for s in component for target in step[s]):
            closed.append([s for s in states if s in members])
    return closed


def _stationary(members: list[str], step: Mapping[str, Mapping[str, Fraction]]
                ) -> dict[str, Fraction]:
    """The stationary distribution of a closed communicating class: ``π (P − I) = 0`` with
    one equation replaced by ``Σ π = 1`` (the class is irreducible, so the system is regular)."""
    if len(members) == 1:
        return {members[0]: Fraction(1)}
    index = {s: i for i, s in enumerate(members)}
    n = len(members)
    rows = [[Fraction(0)] * n for _ in range(n)]  # row i: the balance equation of members[i]
    for s in members:
        for target, p in step[s].items():
            rows[index[target]][index[s]] += p
    for i in range(n):
        rows[i][i] -= 1
    rows[0] = [Fraction(1)] * n
    rhs = [Fraction(0)] * n
    rhs[0] = Fraction(1)
    return dict(zip(members, solve_fractions(rows, rhs)))


def limit_tree(mdp: MDP, state: str, limit: int | None = None) -> Node:
    """The tree of recurrent state distributions from ``state`` (γ → 1): its lotteries are
    the long-run visit shares of the deterministic stationary policies, so its optimal
    choices are the average-optimal ones Turner et al. (2021, §6.3) reason about when the
    agent is farsighted. The transitions must be numbers."""
    assignments = list(closed_policies(mdp, state, limit))  # refuse before solving any
    lotteries = ((Policy(state, tuple(p.items()), {}), recurrent_distribution(mdp, state, p))
                 for p in assignments)
    return _tree_of(mdp, state, lotteries)


def _stop_share(gamma: Probability, steps: int) -> Probability:
    """``(1 − γ)/(1 − γ^k)``: the weight of the current step among the ``k`` left."""
    if isinstance(gamma, Fraction):
        return (1 - gamma) / (1 - _power(gamma, steps))
    return simplify(1 / sum((to_sympy(gamma) ** t for t in range(steps)), to_sympy(0)))


_LAST_POWER: dict[Fraction, tuple[int, Fraction]] = {}  # γ -> the last (k, γ^k) asked for


def _power(gamma: Fraction, steps: int) -> Fraction:
    """``γ^k``, from the last one asked for when ``k`` is one more: state_tree asks for every
    k in turn, and ``γ**k`` afresh each time took 7.8 of the 12 s a 10,000-step horizon took
    to unroll."""
    last = _LAST_POWER.get(gamma)
    power = last[1] * gamma if last is not None and last[0] == steps - 1 else \
        last[1] if last is not None and last[0] == steps else gamma ** steps
    _LAST_POWER.clear()  # one entry: a 10,000-step power has 10,000 digits
    _LAST_POWER[gamma] = (steps, power)
    return power


def _horizon_tree(mdp: MDP, state: str, steps: int, memo: dict[tuple[str, int], Node]) -> Node:
    """The state with ``steps`` steps left (steps ≥ 1), unrolled."""
    key = (state, steps)
    if key in memo:
        return memo[key]
    if steps == 1:
        memo[key] = leaf(state)
        return memo[key]
    memo[key] = make_choice(tuple(a for a, _ in mdp.actions[state]),
                            tuple(_horizon_step(mdp, state, transition, steps, memo)
                                  for _, transition in mdp.actions[state]))
    return memo[key]


def _horizon_step(mdp: MDP, state: str, transition: tuple[tuple[Probability, str], ...],
                  steps: int, memo: dict[tuple[str, int], Node]) -> Node:
    stop = _stop_share(mdp.gamma, steps)
    go = simplify(1 - stop) if isinstance(stop, Fraction) else simplify(1 - to_sympy(stop))
    probabilities: list[Probability] = [stop]
    children: list[Node] = [leaf(state)]
    for p, target in transition:
        probabilities.append(go * p if isinstance(go, Fraction) and isinstance(p, Fraction)
                             else simplify(to_sympy(go) * to_sympy(p)))
        children.append(_horizon_tree(mdp, target, steps - 1, memo))
    return make_chance(tuple(probabilities), tuple(children))


def state_tree(mdp: MDP, state: str, limit: int | None = None) -> Node:
    """The tree whose lottery set is the set of visit distributions from ``state``; its first
    choice is over the actions at ``state``. Raises TooManyLotteries past ``limit``
    stationary policies (infinite horizon)."""
    if mdp.horizon is not None:
        memo: dict[tuple[str, int], Node] = {}
        for steps in range(1, mdp.horizon):  # bottom up: no deep recursion
            for s in mdp.reachable(state):
                _horizon_tree(mdp, s, steps, memo)
        return _horizon_tree(mdp, state, mdp.horizon, memo)
    return _policy_tree(mdp, state, False, limit)


def successor_tree(mdp: MDP, state: str, limit: int | None = None) -> Node | None:
    """The tree of the visit distributions from the step after ``state`` (the first choice
    is still over the actions at ``state``): Turner's POWER of ``state`` is its POWER. None
    for a horizon of one step (there is no next step)."""
    if mdp.horizon is not None:
        if mdp.horizon == 1:
            return None
        memo: dict[tuple[str, int], Node] = {}
        for steps in range(1, mdp.horizon):  # bottom up: no deep recursion
            for s in mdp.reachable(state):
                _horizon_tree(mdp, s, steps, memo)
        return make_choice(
            tuple(a for a, _ in mdp.actions[state]),
            tuple(_weighted(mdp, transition, memo) for _, transition in mdp.actions[state]))
    return _policy_tree(mdp, state, True, limit)


def _weighted(mdp: MDP, transition: tuple[tuple[Probability, str], ...],
              memo: dict[tuple[str, int], Node]) -> Node:
    assert mdp.horizon is not None
    if len(transition) == 1:
        return memo[(transition[0][1], mdp.horizon - 1)]
    return make_chance(tuple(p for p, _ in transition),
                       tuple(memo[(t, mdp.horizon - 1)] for _, t in transition))
