"""Utility classes: sets of utility functions given by linear constraints.

A class is the set of ``u`` satisfying every constraint. Constraints are over the values
``u(o)`` and, in a feature model, over weights ``w_k`` with ``u(o) = Σ_k w_k f_k(o)``
(the model adds one equality per outcome). Classes written with constraints on ``u``
also keep Tarsney's box ``0 <= u(o) <= 1``; a pure feature model has no box, since its
weights determine ``u``. Strict constraints are kept strict: ``a > b`` excludes ties.

A constraint is ``Σ coefficients[v] · v  op  constant`` with ``op`` one of ``>=``, ``>``,
``==``; variables are outcome names, or ``w:feature`` for a weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees.errors import Span

WEIGHT = "w:"


@dataclass(frozen=True, slots=True)
class Constraint:
    coefficients: tuple[tuple[str, Fraction], ...]
    op: str  # ">=", ">" or "=="
    constant: Fraction
    source: str  # how the user wrote it, for messages
    span: Span | None = None

    def holds(self, values: Mapping[str, Fraction]) -> bool:
        total = sum((c * values[v] for v, c in self.coefficients), Fraction(0))
        if self.op == ">=":
            return total >= self.constant
        if self.op == ">":
            return total > self.constant
        return total == self.constant


@dataclass(frozen=True, slots=True)
class UtilityClass:
    """A set of utility functions over ``outcomes``."""

    name: str
    outcomes: tuple[str, ...]
    constraints: tuple[Constraint, ...]
    box: bool = True
    features: tuple[str, ...] = ()  # weight names of a feature model, if any
    source: str = ""  # the declaration's right-hand side as written, for export

    def all_constraints(self) -> tuple[Constraint, ...]:
        """Every constraint, the box and the feature-model equalities included."""
        extra: list[Constraint] = []
        if self.box:
            for o in self.outcomes:
                extra.append(Constraint(((o, Fraction(1)),), ">=", Fraction(0), f"{o} >= 0"))
                extra.append(Constraint(((o, Fraction(-1)),), ">=", Fraction(-1), f"{o} <= 1"))
        return tuple(extra) + self.constraints

    def contains(self, utility: Mapping[str, Fraction], weights: Mapping[str, Fraction] | None = None
                 ) -> bool:
        """Whether ``utility`` (with the feature weights, for a feature model) is in the class."""
        values = dict(utility)
        for name, w in (weights or {}).items():
            values[WEIGHT + name] = w
        return all(c.holds(values) for c in self.all_constraints())

    def intersect(self, other: UtilityClass, name: str) -> UtilityClass:
        return UtilityClass(
            name, self.outcomes, self.constraints + other.constraints, self.box or other.box,
            tuple(dict.fromkeys(self.features + other.features)),
        )


def unit_box(outcomes: tuple[str, ...]) -> UtilityClass:
    """Tarsney's default class ``[0,1]^O``."""
    return UtilityClass("[0,1]^O", outcomes, (), True)


def feature_model(outcomes: tuple[str, ...], features: Mapping[str, Mapping[str, Fraction]],
                  names: tuple[str, ...]) -> tuple[Constraint, ...]:
    """The equalities ``u(o) - Σ_k w_k f_k(o) = 0``; a missing feature counts as 0."""
    rows = []
    for o in outcomes:
        terms = [(o, Fraction(1))] + [(WEIGHT + k, -features[o].get(k, Fraction(0))) for k in names
                                       if features[o].get(k, Fraction(0)) != 0]
        shown = " + ".join(f"{features[o].get(k, 0)}·w_{k}" for k in names) or "0"
        rows.append(Constraint(tuple(terms), "==", Fraction(0), f"u({o}) = {shown}"))
    return tuple(rows)
