"""Parameters as sympy symbols, in one place, and exact numbers that may mention them.

sympy is imported only when a parameter appears: numeric specs never load it. Nothing here
parses a string; expressions are built node by node by the checker.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from decisiontrees.model.nodes import Chance, Node, Probability, make_chance, postorder, rebuild


def symbol(name: str) -> Any:
    """The sympy symbol of the parameter ``name`` (real, so comparisons are defined)."""
    import sympy

    return sympy.Symbol(name, real=True)


def rational(value: Fraction | int) -> Any:
    """An exact number as a sympy Rational."""
    import sympy

    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def to_sympy(value: Any) -> Any:
    """A Fraction as a sympy Rational; anything else unchanged."""
    return rational(value) if isinstance(value, (Fraction, int)) else value


def is_zero(value: Any) -> bool:
    if isinstance(value, Fraction):
        return value == 0
    import sympy

    return bool(sympy.simplify(value) == 0)


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


MAX_DEGREE = 100
MAX_TERMS = 1_000
MAX_COEFFICIENT_BITS = 13_000  # about 4,000 digits, as for numbers (language/syntax.py)
LARGE = (f"degree over {MAX_DEGREE}, over {MAX_TERMS:,} terms or coefficients over 4,000 "
         "digits")


def too_large(value: Any) -> bool:
    """Whether a rational function of parameters is past what exact arithmetic on it stays
    quick with: a numerator or denominator of degree over MAX_DEGREE, more than MAX_TERMS
    terms, or a coefficient over MAX_COEFFICIENT_BITS. Check after each operation, so an
    expression is refused soon after it passes a bound."""
    if isinstance(value, (Fraction, int)):
        return False
    import sympy

    symbols = sorted(value.free_symbols, key=str)
    for part in sympy.fraction(value):
        polynomial = sympy.Poly(part, *symbols)
        if polynomial.total_degree() > MAX_DEGREE or len(polynomial.terms()) > MAX_TERMS:
            return True
        if any(max(int(c.p).bit_length(), int(c.q).bit_length()) > MAX_COEFFICIENT_BITS
               for c in polynomial.coeffs()):
            return True
    return False


def degree(value: Any) -> int:
    """The larger total degree of a rational function's numerator and denominator (0 for a
    number); for values within :func:`too_large`'s bounds, so quick."""
    if isinstance(value, (Fraction, int)):
        return 0
    import sympy

    symbols = sorted(value.free_symbols, key=str)
    return max(int(sympy.Poly(part, *symbols).total_degree()) for part in sympy.fraction(value))


def to_fraction(value: Any) -> Fraction | None:
    """``value`` as a Fraction when it is a rational constant, else None."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    return None


def assignment_table(values: Mapping[str, Fraction]) -> dict[Any, Any]:
    """``{symbol: Rational}`` for substituting parameter values into sympy expressions."""
    return {symbol(name): rational(v) for name, v in values.items()}


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
    table = assignment_table(values)

    def change(node: Node, children: tuple[Node, ...]) -> Node | None:
        if not (isinstance(node, Chance) and node.symbolic):
            return None
        probabilities = tuple(p if isinstance(p, Fraction) else simplify(p.subs(table))
                              for p in node.probabilities)
        return make_chance(probabilities, children)

    return rebuild(tree, change)


def solve_linear(rows: list[list[Any]], rhs: list[Any]) -> list[Any]:
    """The solution of a regular square system whose entries are numbers or rational
    functions of parameters, in sympy's field of fractions (DomainMatrix): every entry stays
    a reduced fraction of polynomials, so a zero is always recognised as one (elimination on
    expressions can divide by an unsimplified zero, or let entries grow without bound)."""
    import sympy
    from sympy.polys.matrices import DomainMatrix

    entries = [[to_sympy(x) for x in row] for row in rows]
    vector = [[to_sympy(x)] for x in rhs]
    names = sorted({s for row in entries + vector for x in row for s in x.free_symbols},
                   key=str)
    field = sympy.QQ.frac_field(*names) if names else sympy.QQ
    n = len(rows)
    matrix = DomainMatrix.from_list_sympy(n, n, entries).convert_to(field)
    solution = matrix.lu_solve(DomainMatrix.from_list_sympy(n, 1, vector).convert_to(field))
    return [sympy.cancel(x) for x in solution.to_Matrix()]

