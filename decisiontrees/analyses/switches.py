"""Where the optimal first action of a tree with one parameter changes (docs/theory.md §7).

For a fixed utility every plan lottery's value is a rational function of the parameter, so
the set of optimal first actions is constant between the points where a lottery under one
action and a lottery under another have equal values. Those points are the real roots of
the numerators of the differences; between consecutive roots the set is found exactly at a
rational point, and at each root exactly (at an irrational root by minimal polynomials). Above
the last point where the set changes it never changes again: for a
discount γ this is the Blackwell threshold γ* (Blackwell 1962), above which the optimal
choice is the one that results for "γ close enough to 1" assume (Turner et al. 2021;
Krakovna & Kramar 2023).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses.agents import lottery_points
from decisiontrees.analyses.parametric_agents import rational_between, roots_in_domain
from decisiontrees.analyses.plans import node_values, reachable_outcomes
from decisiontrees.errors import Unsupported
from decisiontrees.model.nodes import Choice, Parameter
from decisiontrees.model.symbols import simplify, substitute
from decisiontrees.model.symbols import symbol as parameter_symbol

MAX_PAIRS = 20_000  # pairs of lotteries under different actions compared


@dataclass(frozen=True)
class Span:
    """The optimal first actions on the open interval ``(low, high)`` of the parameter."""

    low: Any
    high: Any
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Switches:
    parameter: str
    spans: tuple[Span, ...]
    points: tuple[tuple[Any, tuple[str, ...], bool], ...]  # (point, optimal there, exactly?)

    @property
    def threshold(self) -> Any | None:
        """The last point inside the domain where the optimal first actions change; None if
        they never do (a closed upper end where they differ is :attr:`changed_at_end`)."""
        return self.spans[-1].low if len(self.spans) > 1 else None  # no spans: one value

    @property
    def changed_at_end(self) -> tuple[Any, tuple[str, ...]] | None:
        """The closed upper end of the domain and the optimal first actions there, when
        they differ from those just below it."""
        if self.spans and self.points and self.points[-1][0] == self.spans[-1].high:
            return self.points[-1][0], self.points[-1][1]
        return None

    def text(self) -> str:
        parts = [f"{{{', '.join(s.actions)}}} for {self.parameter} ∈ ({s.low}, {s.high})"
                 for s in self.spans]
        for point, actions, exact in self.points:
            parts.append(f"{{{', '.join(actions)}}}{'' if exact else ' (at least)'} at "
                         f"{self.parameter} = {point}")
        return "; ".join(parts)


def _values(root: Choice, utility: Mapping[str, Fraction]) -> list[list[Any]]:
    """Each first action's lottery values, as rational functions of the parameter."""
    found = []
    for child in root.children:
        order = sorted(reachable_outcomes(child))
        values = {simplify(sum((q * utility[o] for o, q in zip(order, z)), Fraction(0)))
                  for z in lottery_points(child, order)}
        found.append(sorted(values, key=str))
    return found


def _optimal_at(root: Choice, utility: Mapping[str, Fraction], parameter: Parameter,
                value: Fraction) -> tuple[str, ...]:
    tree = substitute(root, {parameter.name: value})
    assert isinstance(tree, Choice)
    values = node_values(tree, utility)
    best = values[id(tree)]
    return tuple(a for a, c in zip(tree.actions, tree.children) if values[id(c)] == best)


def switches(root: Choice, utility: Mapping[str, Fraction], parameter: Parameter) -> Switches:
    """The optimal first actions of ``root`` on each interval of ``parameter``'s domain
    where they do not change, and at the points between. Raises Unsupported past
    MAX_PAIRS comparisons or when two points cannot be separated by a rational."""
    import sympy

    symbol = parameter_symbol(parameter.name)
    if parameter.low == parameter.high:  # `[1/2, 1/2]`: one value, nothing to switch between
        return Switches(parameter.name, (), ((sympy.Rational(str(parameter.low)), _optimal_at(
            root, utility, parameter, parameter.low), True),))
    per_action = _values(root, utility)
    points: set[Any] = set()
    pairs = 0
    for i, mine in enumerate(per_action):
        for theirs in per_action[i + 1:]:
            for a in mine:
                for b in theirs:
                    pairs += 1
                    if pairs > MAX_PAIRS:
                        raise Unsupported(f"more than {MAX_PAIRS:,} pairs of plan values")
                    if pairs % 64 == 0:
                        limits.check("comparing plan values as functions of the parameter")
                    points |= roots_in_domain(sympy.sympify(a - b), symbol, parameter)
    ordered = sorted(points, key=lambda r: sympy.N(r, 50))
    low, high = sympy.Rational(str(parameter.low)), sympy.Rational(str(parameter.high))
    edges = [low, *ordered, high]
    spans = [Span(a, b, _optimal_at(root, utility, parameter, rational_between(a, b)))
             for a, b in zip(edges, edges[1:])]
    kept: list[Span] = [spans[0]]
    at: list[tuple[Any, tuple[str, ...], bool]] = []
    for point, span in zip(ordered, spans[1:]):
        exact = True
        if point.is_Rational:
            there = _optimal_at(root, utility, parameter, Fraction(int(point.p), int(point.q)))
        else:
            decided = _optimal_at_algebraic(root.actions, per_action, symbol, point)
            exact = decided is not None
            # without a decision: the actions optimal on either side tie there (continuity)
            there = decided if decided is not None else tuple(
                a for a in root.actions if a in kept[-1].actions or a in span.actions)
        if exact and span.actions == kept[-1].actions and there == span.actions:
            kept[-1] = Span(kept[-1].low, span.high, span.actions)  # nothing changes here
            continue
        at.append((point, there, exact))
        kept.append(span)
    # a closed end of the domain is a value too: report it when it differs from its span
    for end, is_open, span, first in ((low, parameter.low_open, kept[0], True),
                                      (high, parameter.high_open, kept[-1], False)):
        if not is_open:
            there = _optimal_at(root, utility, parameter, Fraction(int(end.p), int(end.q)))
            if there != span.actions:
                at.insert(0 if first else len(at), (end, there, True))
    return Switches(parameter.name, tuple(kept), tuple(at))


def _optimal_at_algebraic(actions: tuple[str, ...], per_action: list[list[Any]], symbol: Any,
                          point: Any) -> tuple[str, ...] | None:
    """The optimal first actions at an irrational ``point``: candidates by 60-digit values,
    equality decided exactly (the minimal polynomial of the difference is the variable);
    None when sympy cannot decide it."""
    import sympy

    try:
        best_values = []
        for values in per_action:
            at_point = [sympy.sympify(v).subs(symbol, point) for v in values]
            numeric = [sympy.N(v, 60) for v in at_point]
            k = max(range(len(numeric)), key=lambda i: numeric[i])
            best_values.append((numeric[k], at_point[k]))
        top_numeric, top_exact = max(best_values, key=lambda pair: pair[0])
        variable = sympy.Dummy("x")
        optimal = []
        for action, (numeric, exact) in zip(actions, best_values):
            if abs(numeric - top_numeric) > sympy.Float("1e-40", 60):
                continue  # clearly below the best
            difference = exact - top_exact
            if sympy.minimal_polynomial(difference, variable) == variable:
                optimal.append(action)
            else:
                return None  # within 1e-40 of the best yet not equal: do not guess
        return tuple(optimal)
    except (NotImplementedError, ValueError, TypeError, sympy.PolynomialError):
        return None
