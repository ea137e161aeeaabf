"""The only module that talks to z3. In: model nodes and exact numbers. Out: plain values.

A solver that gives up yields :class:`Unknown` with its reason; it is never read as yes or no.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from decisiontrees.certificates import EdgeKey, topological_order
from decisiontrees.model import Choice, Leaf, Node, Parameter

SOLVER_NAME = f"z3 {z3.get_version_string()}"


@dataclass(frozen=True, slots=True)
class Unknown:
    """The solver gave up."""

    reason: str


def _fraction(value: Any) -> Fraction:
    value = z3.simplify(value)
    if z3.is_rational_value(value):
        return Fraction(value.numerator_as_long(), value.denominator_as_long())
    if z3.is_int_value(value):
        return Fraction(value.as_long())
    raise ValueError(f"solver returned a non-rational value {value}")


def _z3_number(value: Fraction) -> z3.ArithRef:
    return z3.RealVal(f"{value.numerator}/{value.denominator}")


def _check(solver: z3.Solver) -> Any:
    result = solver.check()
    if result == z3.unknown:
        return Unknown(solver.reason_unknown() or "the solver gave up")
    return result


def find_flow(tree: Node, lottery: Mapping[str, Fraction], timeout_ms: int
              ) -> dict[EdgeKey, Fraction] | None | Unknown:
    """A sequence-form flow of ``tree`` inducing ``lottery``, None if there is none."""
    order = topological_order(tree)
    index = {id(node): i for i, node in enumerate(order)}
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    incoming: list[list[Any]] = [[] for _ in order]
    incoming[0].append(z3.RealVal(1))
    edges: dict[EdgeKey, Any] = {}
    reached: dict[str, list[Any]] = {}
    for i, node in enumerate(order):
        received = z3.Sum(incoming[i]) if incoming[i] else z3.RealVal(0)
        if isinstance(node, Leaf):
            reached.setdefault(node.outcome, []).append(received)
        elif isinstance(node, Choice):
            parts = []
            for k, child in enumerate(node.children):
                edge = z3.Real(f"f_{i}_{k}")
                edges[(i, k)] = edge
                solver.add(edge >= 0)
                parts.append(edge)
                incoming[index[id(child)]].append(edge)
            solver.add(z3.Sum(parts) == received)
        else:
            for p, child in zip(node.probabilities, node.children):
                if p != 0:
                    incoming[index[id(child)]].append(_z3_number(p) * received)
    for outcome in set(reached) | set(lottery):
        wanted = _z3_number(Fraction(lottery.get(outcome, 0)))
        terms = reached.get(outcome)
        if terms is None:
            if lottery.get(outcome, 0) == 0:
                continue
            return None
        solver.add(z3.Sum(terms) == wanted)
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    if result == z3.unsat:
        return None
    model = solver.model()
    return {key: _fraction(model.eval(edge, model_completion=True)) for key, edge in edges.items()}


def find_separating_utility(tree: Node, lottery: Mapping[str, Fraction], outcomes: list[str],
                            timeout_ms: int) -> dict[str, Fraction] | None | Unknown:
    """Some ``u`` in [0,1]^outcomes with ``u·lottery > V_u(tree)``, None if there is none."""
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    utility = {o: z3.Real(f"u_{n}") for n, o in enumerate(outcomes)}
    for u in utility.values():
        solver.add(u >= 0, u <= 1)
    bound: dict[int, Any] = {}
    for n, node in enumerate(reversed(topological_order(tree))):
        if isinstance(node, Leaf):
            bound[id(node)] = utility[node.outcome]
            continue
        v = z3.Real(f"v_{n}")
        if isinstance(node, Choice):
            for child in node.children:
                solver.add(v >= bound[id(child)])
        else:
            solver.add(v == z3.Sum([_z3_number(p) * bound[id(c)]
                                    for p, c in zip(node.probabilities, node.children)]))
        bound[id(node)] = v
    gain = z3.Sum([_z3_number(Fraction(q)) * utility[o] for o, q in lottery.items()])
    solver.add(gain > bound[id(tree)])
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    if result == z3.unsat:
        return None
    model = solver.model()
    return {o: _fraction(model.eval(u, model_completion=True)) for o, u in utility.items()}


def find_parameter_values(condition: Any, parameters: Mapping[str, Parameter], timeout_ms: int
                          ) -> dict[str, Fraction] | None | Unknown:
    """Parameter values in their domains where the sympy relation ``condition`` holds.

    Nonlinear real arithmetic: z3's nlsat decides polynomial constraints; for anything it
    cannot, the answer is Unknown.
    """
    symbols = {s.name: z3.Real(s.name) for s in condition.free_symbols}
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    for name, variable in symbols.items():
        domain = parameters[name]
        low, high = _z3_number(domain.low), _z3_number(domain.high)
        solver.add(variable > low if domain.low_open else variable >= low)
        solver.add(variable < high if domain.high_open else variable <= high)
    solver.add(_from_sympy(condition, symbols))
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    if result == z3.unsat:
        return None
    model = solver.model()
    values = {}
    for name, variable in symbols.items():
        raw = model.eval(variable, model_completion=True)
        if not z3.is_rational_value(raw):
            return Unknown("the solver's point is irrational")
        values[name] = _fraction(raw)
    return values


def _from_sympy(expr: Any, symbols: Mapping[str, Any]) -> Any:
    """Translate a sympy expression built by decisiontrees.expressions (no strings involved)."""
    import sympy

    if expr.is_Symbol:
        return symbols[expr.name]
    if expr.is_Rational:
        return _z3_number(Fraction(int(expr.p), int(expr.q)))
    args = [_from_sympy(a, symbols) for a in expr.args]
    if isinstance(expr, sympy.Add):
        return z3.Sum(args)
    if isinstance(expr, sympy.Mul):
        product = args[0]
        for a in args[1:]:
            product = product * a
        return product
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer:
        base = args[0]
        power = int(expr.exp)
        result = base
        for _ in range(abs(power) - 1):
            result = result * base
        return 1 / result if power < 0 else result
    if isinstance(expr, sympy.core.relational.StrictLessThan):
        return args[0] < args[1]
    if isinstance(expr, sympy.core.relational.LessThan):
        return args[0] <= args[1]
    if isinstance(expr, sympy.core.relational.StrictGreaterThan):
        return args[0] > args[1]
    if isinstance(expr, sympy.core.relational.GreaterThan):
        return args[0] >= args[1]
    raise ValueError(f"cannot translate {type(expr).__name__} for the solver")
