"""A finite Markov decision process with exact (or parametric) probabilities and discount.

Its states are outcomes of the spec, so a state's set of discounted visit distributions is a
lottery set over outcomes (decisiontrees.analyses.mdp turns a state into an equivalent tree).
An absorbing state has the one action ``stay`` back to itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees.model.nodes import Probability
from decisiontrees.model.symbols import assignment_table, simplify

ABSORBING_ACTION = "stay"

# One action: its name and the distribution over next states, as (probability, state) pairs
# (each next state once, probabilities positive or parametric, summing to 1).
Transition = tuple[tuple[Probability, str], ...]


@dataclass(frozen=True)
class MDP:
    """States in declaration order, each with its actions in order; ``gamma`` a Fraction in
    (0, 1) or a sympy expression of parameters; ``horizon`` None for an infinite horizon, else
    the number of time steps counted (``horizon = 1``: only the start state)."""

    name: str
    states: tuple[str, ...]
    actions: Mapping[str, tuple[tuple[str, Transition], ...]]
    start: str
    gamma: Probability
    horizon: int | None = None
    absorbing: frozenset[str] = frozenset()

    def __hash__(self) -> int:  # ``actions`` is a dict: hash what identifies the process
        return hash((self.name, self.states, self.start, self.horizon))

    def successors(self, state: str) -> set[str]:
        """The states one step from ``state`` under some action with positive probability."""
        return {target for _, transition in self.actions[state] for _, target in transition}

    def reachable(self, state: str) -> list[str]:
        """Every state reachable from ``state`` (itself first), in breadth-first order."""
        order, seen = [state], {state}
        for current in order:
            for _, transition in self.actions[current]:
                for _, target in transition:
                    if target not in seen:
                        seen.add(target)
                        order.append(target)
        return order

    def substitute(self, values: Mapping[str, Fraction]) -> MDP:
        """The MDP with parameters given values (a no-op on numeric MDPs)."""
        if not values:
            return self
        table = assignment_table(values)

        def one(p: Probability) -> Probability:
            return p if isinstance(p, Fraction) else simplify(p.subs(table))

        actions = {s: tuple((a, tuple((one(p), t) for p, t in tr)) for a, tr in acts)
                   for s, acts in self.actions.items()}
        return MDP(self.name, self.states, actions, self.start, one(self.gamma), self.horizon,
                   self.absorbing)
