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

    def numeric_transitions(self) -> bool:
        """Whether every transition probability is a number (no parameters)."""
        return all(isinstance(p, Fraction) for acts in self.actions.values()
                   for _, transition in acts for p, _ in transition)

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


# Gridworlds: `map = "S . #" ". . ."` draws cells `.` (free), `#` (wall) and `S` (the start,
# free); spaces separate cells for the eye and are ignored. Free cells are the states
# r<row>c<column>, counted from 0 at the top left.
GRID_MOVES = (("up", -1, 0), ("down", 1, 0), ("left", 0, -1), ("right", 0, 1))
GRID_CELLS = ".#S"


def grid_cells(rows: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """The free cells of a map by state name, in reading order (bad cells are skipped: see
    :func:`grid_problems`)."""
    cells: dict[str, tuple[int, int]] = {}
    for i, row in enumerate(rows):
        for j, cell in enumerate(row.replace(" ", "")):
            if cell in ".S":
                cells[f"r{i}c{j}"] = (i, j)
    return cells


def grid_problems(rows: tuple[str, ...]) -> list[str]:
    """What is wrong with a map, as messages."""
    problems = []
    bad = sorted({c for row in rows for c in row.replace(" ", "") if c not in GRID_CELLS})
    if bad:
        problems.append("a map has cells . (free), # (wall) and S (start), not "
                        + ", ".join(f"`{c}`" for c in bad))
    starts = sum(row.count("S") for row in rows)
    if starts > 1:
        problems.append(f"a map has one start `S`, not {starts}")
    if not grid_cells(rows):
        problems.append("a map needs a free cell")
    return problems


def grid_start(rows: tuple[str, ...]) -> str | None:
    for i, row in enumerate(rows):
        j = row.replace(" ", "").find("S")
        if j >= 0:
            return f"r{i}c{j}"
    return None


def grid_actions(rows: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """Each free cell's moves to free neighbours, then `stay`: (action, next state)."""
    cells = grid_cells(rows)
    at = {position: name for name, position in cells.items()}
    moves: dict[str, list[tuple[str, str]]] = {}
    for name, (i, j) in cells.items():
        moves[name] = [(move, at[(i + di, j + dj)]) for move, di, dj in GRID_MOVES
                       if (i + di, j + dj) in at] + [(ABSORBING_ACTION, name)]
    return moves
