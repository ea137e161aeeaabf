"""The only module that talks to HiGHS (through ``scipy.optimize.milp``): a floating-point
integer program that proposes P3/P4's ``σ``. A proposal decides nothing: the caller checks
it exactly, and only z3 (:class:`decisiontrees.solvers.smt.InjectionProgram`) or the exact
search may conclude that there is no ``σ``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees.evidence.checks import topological_order
from decisiontrees.model.nodes import Choice, Leaf, Node

Row = dict[int, float]  # variable index → coefficient


@dataclass(frozen=True, slots=True)
class Proposal:
    """A map the program allows (None if it found none), and whether it found the program
    infeasible — in floating point, so a hint only."""

    mapping: dict[str, str] | None
    infeasible: bool = False


def _plan_rows(tree: Node) -> tuple[int, list[tuple[Row, float]], dict[str, tuple[Row, float]]]:
    """The sequence form of ``tree`` in floats: how many flow variables (one per choice
    edge), the rows ``flow out = flow in`` at each choice (as ``row · x = constant``), and
    each outcome's probability as ``row · x + constant``."""
    order = topological_order(tree)
    index = {id(node): i for i, node in enumerate(order)}
    inflow: list[Row] = [{} for _ in order]
    constant = [0.0] * len(order)
    constant[0] = 1.0
    edges = 0
    rows: list[tuple[Row, float]] = []
    reached: dict[str, tuple[Row, float]] = {}
    for i, node in enumerate(order):
        if isinstance(node, Leaf):
            row, fixed = reached.get(node.outcome, ({}, 0.0))
            for k, c in inflow[i].items():
                row[k] = row.get(k, 0.0) + c
            reached[node.outcome] = (row, fixed + constant[i])
        elif isinstance(node, Choice):
            row = {k: -c for k, c in inflow[i].items()}
            for child in node.children:
                row[edges] = row.get(edges, 0.0) + 1.0
                into = inflow[index[id(child)]]
                into[edges] = into.get(edges, 0.0) + 1.0
                edges += 1
            rows.append((row, constant[i]))
        else:
            for p, child in zip(node.probabilities, node.children):
                j, share = index[id(child)], float(p)
                for k, c in inflow[i].items():
                    inflow[j][k] = inflow[j].get(k, 0.0) + share * c
                constant[j] += share * constant[i]
    return edges, rows, reached


def load() -> None:
    """Import the solver's modules now, so that processes forked from here have them: a
    forked proposal would import them again (0.26 s, against 0.015 s to solve a small one)."""
    import scipy.optimize  # noqa: F401
    import scipy.sparse  # noqa: F401


def propose_injection(tree: Node, lotteries: Sequence[Sequence[tuple[str, Fraction]]],
                      candidates: Mapping[str, Sequence[str]], forced: frozenset[str],
                      excluded: Sequence[Mapping[str, str]],
                      bounds: Sequence[tuple[Mapping[str, Fraction], Fraction]],
                      seconds: float) -> Proposal:
    """An injective map sending each source to one of its ``candidates`` (every ``forced``
    target hit, none of the ``excluded`` maps) under which each listed lottery, moved, is
    reached by a plan of ``tree`` and is worth at most ``bound`` to each bounding utility."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    edges, plan_rows, reached = _plan_rows(tree)
    sends = {(s, t): n for n, (s, t) in enumerate((s, t) for s in candidates for t in candidates[s])}
    count = len(sends) + edges * len(lotteries)
    rows: list[tuple[Row, float, float]] = []
    for s in candidates:
        rows.append(({sends[s, t]: 1.0 for t in candidates[s]}, 1.0, 1.0))
    targets = sorted({t for found in candidates.values() for t in found} | forced)
    for t in targets:
        into = {n: 1.0 for (_, image), n in sends.items() if image == t}
        rows.append((into, 1.0 if t in forced else 0.0, 1.0))
    for j, lottery in enumerate(lotteries):
        offset = len(sends) + j * edges
        for row, constant in plan_rows:
            rows.append(({offset + k: c for k, c in row.items()}, constant, constant))
        for t in sorted(set(reached) | set(targets)):
            row, constant = reached.get(t, ({}, 0.0))
            moved = {offset + k: c for k, c in row.items()}
            for s, q in lottery:
                if (s, t) in sends:
                    moved[sends[s, t]] = moved.get(sends[s, t], 0.0) - float(q)
            rows.append((moved, -constant, -constant))
        for utility, bound in bounds:
            worth = {n: float(q * utility.get(t, Fraction(0)))
                     for s, q in lottery for (source, t), n in sends.items() if source == s}
            rows.append((worth, -np.inf, float(bound)))
    for mapping in excluded:
        if all(pair in sends for pair in mapping.items()):  # others are out already
            rows.append(({sends[pair]: 1.0 for pair in mapping.items()}, -np.inf,
                         float(len(mapping) - 1)))
    entries = [(r, k, c) for r, (row, _, _) in enumerate(rows) for k, c in row.items() if c]
    matrix = coo_matrix(([c for _, _, c in entries], ([r for r, _, _ in entries],
                                                      [k for _, k, _ in entries])),
                        shape=(len(rows), count)).tocsr()
    integrality = np.zeros(count)
    integrality[:len(sends)] = 1
    upper = np.full(count, np.inf)
    upper[:len(sends)] = 1
    # presolve off: on some small degenerate programs HiGHS's presolve (scipy 1.17) spins
    # past its time limit, and nothing here could stop it; without it, speed is the same
    result = milp(np.zeros(count), integrality=integrality, bounds=Bounds(np.zeros(count), upper),
                  constraints=LinearConstraint(matrix, [lo for _, lo, _ in rows],
                                               [hi for _, _, hi in rows]),
                  options={"time_limit": max(seconds, 0.01), "presolve": False})
    if result.status == 2:
        return Proposal(None, infeasible=True)
    if result.x is None:
        return Proposal(None)
    chosen = [(s, t) for (s, t), n in sends.items() if result.x[n] > 0.5]
    mapping = dict(chosen)
    if len(chosen) != len(candidates) or len(set(mapping.values())) != len(mapping):
        return Proposal(None)  # not an injective map after rounding: numerical trouble
    return Proposal(mapping)
