"""Utility classes: linear constraints on u (or on feature weights) to a checked class.

Constraints are linear, convex (`!=` is refused) and named where they conflict: an empty
class reports the constraints z3 found in an unsatisfiable core.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

from decisiontrees.checking.declarations import KIND_NAMES, Declarations
from decisiontrees.errors import Span
from decisiontrees.language.diagnostics import source_lines, span_text, suggest
from decisiontrees.language.syntax import BinOp, ClassRef, Constraints, Expr, Neg, Number, Var
from decisiontrees.model.classes import WEIGHT, Constraint, UtilityClass, feature_model
from decisiontrees.solvers import smt

SOLVER_TIMEOUT_MS = 10_000


class ClassBuilder:
    """Builds every declared class once; a class named inside another is built on demand."""

    def __init__(self, names: Declarations) -> None:
        self.names = names
        self.reporter = names.reporter
        self.building: list[str] = []

    def build_class(self, name: str) -> UtilityClass | None:
        if name in self.names.classes:
            return self.names.classes[name]
        self.building.append(name)
        declaration = self.names.class_syntax[name]
        parts = [self.class_term(term, name) for term in declaration.terms]
        self.building.pop()
        result: UtilityClass | None = None
        if all(part is not None for part in parts):
            combined = parts[0]
            for part in parts[1:]:
                assert combined is not None and part is not None
                combined = combined.intersect(part, name)
            assert combined is not None
            # class declarations hold no quoted text, so every '#' starts a comment
            uncommented = "\n".join(re.sub(r"#.*", "", line) for line in
                                    source_lines(self.reporter.text(declaration.span.path)))
            source = span_text(uncommented, declaration.span).split("=", 1)[1].strip()
            result = UtilityClass(name, combined.outcomes, combined.constraints, combined.box,
                                  combined.features, source)
            if not self.class_nonempty(result, declaration.name_span):
                result = None
        self.names.classes[name] = result
        return result

    def class_term(self, term: Constraints | ClassRef, owner: str) -> UtilityClass | None:
        outcomes = tuple(self.names.outcomes)
        if isinstance(term, ClassRef):
            kind = self.names.kind(term.name)
            if kind == "class":
                if term.name in self.building:
                    cycle = self.building[self.building.index(term.name):] + [term.name]
                    self.reporter.error(term.span, "class cycle: " + " → ".join(cycle))
                    return None
                return self.build_class(term.name)
            if kind is not None:
                self.reporter.error(term.span, f"`{term.name}` is {KIND_NAMES[kind]}, not a utility class")
            else:
                names = self.names.names("class")
                self.reporter.error(term.span, f"unknown utility class `{term.name}`",
                                    suggest(term.name, names))
            return None
        feature_names = self.names.features()
        if term.on_features:
            variables = {f: WEIGHT + f for f in feature_names}
            what = "a feature"
        else:
            variables = {o: o for o in outcomes}
            what = "an outcome"
        constraints: list[Constraint] = []
        valid = True
        for chain in term.chains:
            for left, op, right in zip(chain.operands, chain.ops, chain.operands[1:]):
                row = self.linear_constraint(left, op, right, variables, what)
                if row is None:
                    valid = False
                else:
                    constraints.append(row)
        if not valid:
            return None
        if term.on_features:
            used = tuple(feature_names)
            model = feature_model(outcomes, self.names.outcomes, used)
            return UtilityClass(owner, outcomes, model + tuple(constraints), False, used)
        return UtilityClass(owner, outcomes, tuple(constraints), True)

    def linear_constraint(self, left: Expr, op: str, right: Expr, variables: Mapping[str, str],
                          what: str) -> Constraint | None:
        span = Span(left.span.path, left.span.line, left.span.column, right.span.end_line,
                    right.span.end_column)
        if op == "!=":
            self.reporter.error(span, "`!=` cannot be part of a utility class",
                                "a class is convex: use <, <=, ==, >= or >")
            return None
        a = self.linear(left, variables, what)
        b = self.linear(right, variables, what)
        if a is None or b is None:
            return None
        # left op right  ->  (left - right) op' 0, with op' in >=, >, ==
        sign = -1 if op in ("<", "<=") else 1
        coefficients: dict[str, Fraction] = {}
        for v, c in a[0].items():
            coefficients[v] = coefficients.get(v, Fraction(0)) + sign * c
        for v, c in b[0].items():
            coefficients[v] = coefficients.get(v, Fraction(0)) - sign * c
        constant = sign * (b[1] - a[1])
        normalized = {"<": ">", "<=": ">=", ">": ">", ">=": ">=", "==": "=="}[op]
        source = self.reporter.text_at(span)
        terms = tuple((v, c) for v, c in coefficients.items() if c != 0)
        return Constraint(terms, normalized, constant, source, span)

    def linear(self, expr: Expr, variables: Mapping[str, str], what: str
               ) -> tuple[dict[str, Fraction], Fraction] | None:
        """``expr`` as (coefficients, constant), or None after reporting why it is not linear."""
        if isinstance(expr, Number):
            return {}, expr.value
        if isinstance(expr, Var):
            if expr.name in variables:
                return {variables[expr.name]: Fraction(1)}, Fraction(0)
            hint = suggest(expr.name, variables)
            if what == "a feature" and not variables:
                hint = "declare features on outcomes, e.g. `outcomes a { resources: 1 }`"
            self.reporter.error(expr.span, f"`{expr.name}` is not {what}", hint)
            return None
        if isinstance(expr, Neg):
            inner = self.linear(expr.operand, variables, what)
            if inner is None:
                return None
            return {v: -c for v, c in inner[0].items()}, -inner[1]
        assert isinstance(expr, BinOp)
        left = self.linear(expr.left, variables, what)
        right = self.linear(expr.right, variables, what)
        if left is None or right is None:
            return None
        if expr.op in "+-":
            sign = 1 if expr.op == "+" else -1
            merged = dict(left[0])
            for v, c in right[0].items():
                merged[v] = merged.get(v, Fraction(0)) + sign * c
            return merged, left[1] + sign * right[1]
        if expr.op == "*":
            if left[0] and right[0]:
                self.reporter.error(expr.span, "a constraint must be linear",
                                    "multiply by numbers only")
                return None
            factor, (terms, constant) = (left[1], right) if not left[0] else (right[1], left)
            return {v: factor * c for v, c in terms.items()}, factor * constant
        if right[0]:
            self.reporter.error(expr.span, "a constraint must be linear", "divide by numbers only")
            return None
        if right[1] == 0:
            self.reporter.error(expr.right.span, "division by zero", "this divisor is 0")
            return None
        return {v: c / right[1] for v, c in left[0].items()}, left[1] / right[1]

    def class_nonempty(self, utility_class: UtilityClass, span: Span) -> bool:
        core = smt.empty_class_core(utility_class, SOLVER_TIMEOUT_MS)
        if isinstance(core, smt.Unknown):
            self.reporter.error(span, f"cannot decide whether class `{utility_class.name}` is empty "
                                f"({core.reason})")
            return False
        if core is None:
            return True
        listed = ", ".join(f"`{c.source}`" + (f" ({c.span.line}:{c.span.column})" if c.span else "")
                           for c in core)
        self.reporter.error(span, f"the utility class `{utility_class.name}` is empty",
                            f"these constraints conflict: {listed}")
        return False
