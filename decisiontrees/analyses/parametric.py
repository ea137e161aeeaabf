"""Claims over parameters (THEORY §7): decided for every value in the domains, and regions.

A claim about a parametric value without parameter values is a claim for all of them.
z3's nonlinear real arithmetic looks for values where it fails (a witness, re-checked by
exact substitution); when there are none, z3 vouched. sympy states the region where it
holds in closed form when there is one parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees import limits
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


NO_CLOSED_FORM = "sympy found no closed form for it"


def region(condition: Any, parameters: Mapping[str, Parameter],
           names: Sequence[str] | None = None) -> str | None:
    """Where ``condition`` holds, as intervals of its one parameter (None for several, or
    when sympy finds no closed form). ``names`` are the parameters of what it compares,
    when given: a comparison sympy decides outright (``Max(1/2, p) >= 1/2``) then holds on
    their whole domain or nowhere."""
    import sympy

    found_names = sorted(s.name for s in getattr(condition, "free_symbols", ()))
    if names is not None and not found_names and condition in (sympy.true, sympy.false):
        found_names = sorted(names)
    if len(found_names) != 1:
        return None
    (name,) = found_names
    domain = parameters[name]
    interval = sympy.Interval(to_sympy(domain.low), to_sympy(domain.high), domain.low_open,
                              domain.high_open)
    if condition in (sympy.true, sympy.false):
        return f"{name} ∈ {interval_text(interval if condition is sympy.true else sympy.S.EmptySet)}"
    symbol = next(iter(condition.free_symbols))
    try:
        found = sympy.solveset(condition, symbol, interval)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if not solved(found):
        return None
    return f"{name} ∈ {interval_text(found)}"


def solved(found: Any) -> bool:
    """Whether a solution set is spelled out: a union of intervals and finite sets of
    numbers (not a ConditionSet or a Complement sympy could not reduce, which would read
    as "no counterexample here")."""
    import sympy

    parts = found.args if isinstance(found, sympy.Union) else (found,)
    return all(part is sympy.S.EmptySet or isinstance(part, sympy.Interval)
               or (isinstance(part, sympy.FiniteSet) and all(x.is_number for x in part.args))
               for part in parts)


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
    failing = simplest(failing, parameter_candidates(parameters, failing),
                       lambda values: not bool(condition.subs(assignment_table(values))))
    return ForAll(False, failing, where, "these parameter values break it (checked exactly)")


SIMPLE_DENOMINATORS = 12  # candidates k/q for q up to this, simplest first
SIMPLE_VALUES = (Fraction(0), Fraction(1), Fraction(1, 2), Fraction(1, 4), Fraction(3, 4),
                 Fraction(1, 3), Fraction(2, 3), Fraction(1, 10), Fraction(-1))


SIMPLE_CANDIDATES = 200  # values tried per parameter (a wide domain has many k/q)


def simple_values(low: Fraction, high: Fraction, contains: Callable[[Fraction], bool]
                  ) -> list[Fraction]:
    """Rationals in ``[low, high]`` that ``contains`` accepts, simplest first (smaller
    denominator, then nearer 0): the ends and k/q for q up to SIMPLE_DENOMINATORS, numerators
    nearest 0 first, at most about SIMPLE_CANDIDATES."""
    found = dict.fromkeys(v for v in (low, high) if contains(v))
    for q in range(1, SIMPLE_DENOMINATORS + 1):
        lowest, highest = math.ceil(low * q), math.floor(high * q)
        centre = min(max(0, lowest), highest)  # numerators nearest 0 first: 0, 1, -1, 2, …
        for step in range(2 * SIMPLE_CANDIDATES):
            k = centre + (step + 1) // 2 * (1 if step % 2 else -1)
            if not lowest <= k <= highest:
                continue
            value = Fraction(k, q)
            if contains(value):
                found.setdefault(value)
            if len(found) >= SIMPLE_CANDIDATES:
                break
    return sorted(found, key=lambda v: (v.denominator, abs(v.numerator)))


def simplest(values: Mapping[str, Fraction], candidates: Mapping[str, Sequence[Fraction]],
             accept: Callable[[dict[str, Fraction]], bool]) -> dict[str, Fraction]:
    """``values`` with each entry in turn replaced by its first candidate that ``accept``
    still accepts (a witness as simple as the search finds: p = 1 rather than 3/4).
    ``accept(values)`` must hold."""
    found = dict(values)
    for name, options in candidates.items():
        for option in options:
            if option == found[name]:
                break
            limits.check("simplifying a witness")
            trial = {**found, name: option}
            if accept(trial):
                found = trial
                break
    return found


def parameter_candidates(parameters: Mapping[str, Parameter], names: Iterable[str]
                         ) -> dict[str, list[Fraction]]:
    """Simple values in each named parameter's domain."""
    return {name: simple_values(parameters[name].low, parameters[name].high,
                                parameters[name].contains) for name in names}


def _inside(parameter: Parameter) -> Fraction:
    return (parameter.low + parameter.high) / 2
