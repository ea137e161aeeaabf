"""Exact evaluation of parsed arithmetic: rationals, or sympy expressions over parameters.

Expressions come from the grammar, so nothing here ever parses a string: sympy objects are
built node by node, and only when a parameter appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from decisiontrees.diagnostics import Reporter
from decisiontrees.model import Chance, Node, Parameter, Probability, make_chance, postorder, rebuild
from decisiontrees.syntax import BinOp, Expr, Neg, Number, Var


class _Invalid(Exception):
    """Evaluation stopped at a reported problem."""


def evaluate(
    expr: Expr,
    reporter: Reporter,
    parameters: Mapping[str, Parameter] | None = None,
    what: str = "a number",
) -> Probability | None:
    """The exact value of ``expr``; None after reporting a problem.

    With ``parameters`` None, any name is an error (``what`` says what was expected there).
    """
    try:
        return _evaluate(expr, reporter, parameters, what)
    except _Invalid:
        return None


def _evaluate(expr: Expr, reporter: Reporter, parameters: Mapping[str, Parameter] | None,
              what: str) -> Any:
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Var):
        if parameters is None:
            reporter.error(expr.span, f"expected {what}, found the name `{expr.name}`",
                           "parameters may appear only in chance probabilities")
            raise _Invalid
        parameter = parameters.get(expr.name)
        if parameter is None and reporter.first_time(("undeclared", expr.name)):
            from decisiontrees.diagnostics import suggest

            hint = suggest(expr.name, parameters) or f"declare it: `param {expr.name} in (0, 1)`"
            reporter.error(expr.span, f"undeclared parameter `{expr.name}`", hint)
        if parameter is None:
            raise _Invalid
        return symbol(parameter)
    if isinstance(expr, Neg):
        return -_evaluate(expr.operand, reporter, parameters, what)
    assert isinstance(expr, BinOp)
    left = _evaluate(expr.left, reporter, parameters, what)
    right = _evaluate(expr.right, reporter, parameters, what)
    if expr.op == "+":
        return simplify(left + right)
    if expr.op == "-":
        return simplify(left - right)
    if expr.op == "*":
        return simplify(left * right)
    if is_zero(right):
        reporter.error(expr.right.span, "division by zero")
        raise _Invalid
    return simplify(left / right)


def symbol(parameter: Parameter) -> Any:
    import sympy

    return sympy.Symbol(parameter.name, real=True)


def is_zero(value: Any) -> bool:
    if isinstance(value, Fraction):
        return value == 0
    import sympy

    return sympy.simplify(value) == 0


def simplify(value: Any) -> Probability:
    """Fractions stay Fractions; a sympy result without symbols becomes a Fraction."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    import sympy

    # cancel() is canonical for rational functions: equal ones print and compare equal
    value = sympy.cancel(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return value


def to_fraction(value: Any) -> Fraction | None:
    """``value`` as a Fraction when it is a rational constant, else None."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    return None


def free_parameters(tree: Node) -> set[str]:
    """Names of the parameters the tree's probabilities mention."""
    names: set[str] = set()
    for node in postorder(tree):
        if isinstance(node, Chance) and node.symbolic:
            for p in node.probabilities:
                if not isinstance(p, Fraction):
                    names.update(s.name for s in p.free_symbols)
    return names


def substitute(tree: Node, values: Mapping[str, Fraction]) -> Node:
    """The tree with parameters replaced by exact values (shared subtrees stay shared)."""
    import sympy

    table = {sympy.Symbol(k, real=True): sympy.Rational(v.numerator, v.denominator)
             for k, v in values.items()}
    def change(node: Node, children: tuple[Node, ...]) -> Node | None:
        if not (isinstance(node, Chance) and node.symbolic):
            return None
        probabilities = tuple(p if isinstance(p, Fraction) else simplify(p.subs(table))
                              for p in node.probabilities)
        return make_chance(probabilities, children)

    return rebuild(tree, change)
