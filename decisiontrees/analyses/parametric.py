"""Claims over parameters (THEORY §7): decided for every value in the domains, and regions.

A claim about a parametric value without parameter values is a claim for all of them.
z3's nonlinear real arithmetic looks for values where it fails (a witness, re-checked by
exact substitution); when there are none, z3 vouched. sympy states the region where it
holds in closed form when there is one parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees.model.nodes import Parameter
from decisiontrees.model.symbols import assignment_table, to_sympy
from decisiontrees.solvers import smt as solver

OPERATORS = {"==": "Eq", "!=": "Ne", "<": "Lt", "<=": "Le", ">": "Gt", ">=": "Ge"}


@dataclass(frozen=True)
class ForAll:
    """Whether a condition holds for every parameter value, with the evidence."""

    holds: bool | None
    witness: Mapping[str, Fraction] | None  # values where it fails
    region: str | None  # where it holds, in closed form
    reason: str


def relation(left: Any, op: str, right: Any) -> Any:
    import sympy

    return getattr(sympy, OPERATORS[op])(to_sympy(left), to_sympy(right))


def region(condition: Any, parameters: Mapping[str, Parameter]) -> str | None:
    """Where ``condition`` holds, as intervals of its one parameter (None for several)."""
    import sympy

    names = sorted(s.name for s in getattr(condition, "free_symbols", ()))
    if len(names) != 1:
        return None
    (name,) = names
    domain = parameters[name]
    interval = sympy.Interval(to_sympy(domain.low), to_sympy(domain.high), domain.low_open,
                              domain.high_open)
    symbol = next(iter(condition.free_symbols))
    try:
        found = sympy.solveset(condition, symbol, interval)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if isinstance(found, sympy.ConditionSet):
        return None
    return f"{name} ∈ {interval_text(found)}"


def interval_text(found: Any) -> str:
    import sympy

    if found is sympy.S.EmptySet:
        return "∅"
    if isinstance(found, sympy.Union):
        return " ∪ ".join(interval_text(part) for part in found.args)
    if isinstance(found, sympy.Interval):
        left = "(" if found.left_open else "["
        right = ")" if found.right_open else "]"
        return f"{left}{found.start}, {found.end}{right}"
    if isinstance(found, sympy.FiniteSet):
        return "{" + ", ".join(str(x) for x in found.args) + "}"
    return str(found)


def for_all(condition: Any, parameters: Mapping[str, Parameter], timeout_ms: int) -> ForAll:
    """Decide ``condition`` for every parameter value in the domains."""
    import sympy

    where = region(condition, parameters)
    if condition is sympy.true:
        return ForAll(True, None, where, "it holds identically")
    if condition is sympy.false:
        values = {name: _inside(p) for name, p in parameters.items()}
        return ForAll(False, values, where, "it fails identically")
    failing = solver.find_parameter_values(sympy.Not(condition), parameters, timeout_ms)
    if isinstance(failing, solver.Unknown):
        return ForAll(None, None, where, failing.reason)
    if failing is None:
        return ForAll(True, None, where, f"{solver.SOLVER_NAME} (nonlinear real arithmetic) "
                      "found no parameter values where it fails")
    table = assignment_table(failing)
    if bool(condition.subs(table)):  # the solver's point must really break the claim
        return ForAll(None, None, where, "the solver's counterexample did not check exactly")
    return ForAll(False, failing, where, "these parameter values break it (checked exactly)")


def _inside(parameter: Parameter) -> Fraction:
    return (parameter.low + parameter.high) / 2
