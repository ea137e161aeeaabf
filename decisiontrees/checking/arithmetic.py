"""Exact values of the arithmetic in a spec: rationals, or sympy expressions over parameters.

Expressions come from the grammar, so nothing here ever parses a string: sympy objects are
built node by node, and only when a parameter appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, TypeGuard, TypeVar

from decisiontrees.errors import AlreadyReported, Span
from decisiontrees.language.diagnostics import Reporter, suggest
from decisiontrees.language.syntax import MAX_VALUE_BITS, Argument, BinOp, Expr, Neg, Number, Var
from decisiontrees.model.nodes import Parameter, Probability
from decisiontrees.model.symbols import LARGE, is_zero, simplify, symbol, too_large

_T = TypeVar("_T")


def all_present(items: list[_T | None]) -> TypeGuard[list[_T]]:
    """Whether no item is None (None stands for a part whose problem was reported)."""
    return all(item is not None for item in items)


def is_expression(value: Argument) -> TypeGuard[Expr]:
    """Whether a value in a statement is arithmetic (not a mapping or set literal)."""
    return isinstance(value, (Number, Var, BinOp, Neg))


def evaluate(
    expr: Expr,
    reporter: Reporter,
    parameters: Mapping[str, Parameter] | None = None,
    what: str = "a number",
    divisors: list[tuple[Any, Span]] | None = None,
) -> Probability | None:
    """The exact value of ``expr``; None after reporting a problem.

    With ``parameters`` None, any name is an error (``what`` says what was expected there).
    Each divisor that depends on parameters is appended to ``divisors`` with its place: the
    value is simplified (``p/p`` is 1), so only the caller can still check that no divisor
    is 0 somewhere in the parameters' domain.
    """
    try:
        return _evaluate(expr, reporter, parameters, what, divisors)
    except AlreadyReported:
        return None


def _evaluate(expr: Expr, reporter: Reporter, parameters: Mapping[str, Parameter] | None,
              what: str, divisors: list[tuple[Any, Span]] | None) -> Any:
    """Bottom-up with an explicit stack, so a sum of 100,000 terms needs no deep recursion."""
    values: list[Any] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if isinstance(node, Number):
            values.append(node.value)
        elif isinstance(node, Var):
            values.append(_parameter(node, reporter, parameters, what))
        elif not expanded:
            stack.append((node, True))
            if isinstance(node, Neg):
                stack.append((node.operand, False))
            else:
                stack.append((node.right, False))
                stack.append((node.left, False))
        elif isinstance(node, Neg):
            values.append(-values.pop())
        else:
            right, left = values.pop(), values.pop()
            if node.op == "/" and divisors is not None and not isinstance(right, Fraction):
                divisors.append((right, node.right.span))
            values.append(_combine(node, left, right, reporter))
    (result,) = values
    return result


def _parameter(expr: Var, reporter: Reporter, parameters: Mapping[str, Parameter] | None,
               what: str) -> Any:
    if parameters is None:
        reporter.error(expr.span, f"expected {what}, found the name `{expr.name}`",
                       "parameters may appear only in chance probabilities")
        raise AlreadyReported
    parameter = parameters.get(expr.name)
    if parameter is None and reporter.first_time(("undeclared", expr.name)):
        hint = suggest(expr.name, parameters) or f"declare it: `param {expr.name} in (0, 1)`"
        reporter.error(expr.span, f"undeclared parameter `{expr.name}`", hint)
    if parameter is None:
        raise AlreadyReported
    return symbol(parameter.name)


def _combine(expr: BinOp, left: Any, right: Any, reporter: Reporter) -> Any:
    if expr.op == "+":
        value = simplify(left + right)
    elif expr.op == "-":
        value = simplify(left - right)
    elif expr.op == "*":
        value = simplify(left * right)
    elif is_zero(right):
        reporter.error(expr.right.span, "division by zero", "this divisor is 0")
        raise AlreadyReported
    else:
        value = simplify(left / right)
    if isinstance(value, Fraction) and max(value.numerator.bit_length(),
                                           value.denominator.bit_length()) > MAX_VALUE_BITS:
        reporter.error(expr.span, "this number is too large to be exact here (over 4,000 digits)",
                       "numbers in a spec have at most about 4,000 digits")
        raise AlreadyReported
    if not isinstance(value, Fraction) and too_large(value):
        reporter.error(expr.span, f"this expression in the parameters is too large here ({LARGE})",
                       "each step of such arithmetic gets slower as the expression grows")
        raise AlreadyReported
    return value

