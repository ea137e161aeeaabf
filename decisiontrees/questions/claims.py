"""Judging a claim against an answer: exact comparisons, bounds that may not decide, and
claims over every parameter value (docs/theory.md §7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses import parametric
from decisiontrees.analyses.parametric_agents import PiecewiseAnswer, decide
from decisiontrees.model.spec import Spec, Statement
from decisiontrees.questions.base import JSON, Answer, Bounds, Evidence, Status, assignment_text

NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


@dataclass(frozen=True)
class Judgement(Evidence):
    """How a claim about every parameter value was decided; shown after the answer's evidence."""

    holds: bool | None
    region: str | None
    counterexample: Mapping[str, Fraction] | None
    reason: str
    solver: bool = True  # decided by a solver (for_all_parameters), not piece by piece

    def lines(self) -> tuple[str, ...]:
        shown = [f"holds where {self.region}"] if self.region is not None else []
        if self.counterexample is not None:
            shown.append(f"fails at {assignment_text(self.counterexample)}")
        return (*shown, self.reason)

    def to_json(self) -> dict[str, JSON]:
        document: dict[str, JSON] = {"region": self.region, "reason": self.reason}
        if self.solver:
            document = {"for_all_parameters": self.holds, **document}
        if self.counterexample is not None:
            document["counterexample"] = {k: str(v) for k, v in self.counterexample.items()}
        return document


@dataclass(frozen=True)
class Verdict:
    status: Status
    expectation: str | None = None  # for a claim that did not pass: what was claimed
    judgement: Judgement | None = None


def judge(statement: Statement, answer: Answer, spec: Spec) -> Verdict:
    """Whether the claim holds of the answer (which has status ANSWER)."""
    comparable = answer.comparable
    if isinstance(comparable, PiecewiseAnswer):
        return _piecewise(statement, comparable)
    if getattr(comparable, "free_symbols", None):
        return _for_all(statement, comparable, spec)
    holds = compare(comparable, statement.op, statement.expected)
    if holds is None:
        why = ("the claim cannot be decided without enumerating" if answer.exact else
               "only bounds or an estimate are known, and they do not decide the claim")
        return Verdict(Status.UNKNOWN, why)
    if statement.negated:
        holds = not holds
    return Verdict(Status.PASS) if holds else Verdict(Status.FAIL, claimed(statement))


def compare(actual: Any, op: str | None, expected: Any) -> bool | None:
    """``actual op expected``; None when ``actual`` is unknown or bounds do not decide it."""
    if op is None:
        return bool(actual)
    if actual is None:
        return None
    if isinstance(actual, Bounds):
        return actual.compare(op, expected)
    if op == "==":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    if op == ">":
        return bool(actual > expected)
    return bool(actual >= expected)


def claimed(statement: Statement) -> str:
    """What a claim said, for the report of one that did not pass."""
    expected = statement.expected
    if statement.op is None:
        return f"claimed {'false' if statement.negated else 'true'}"
    shown = "{" + ", ".join(sorted(expected)) + "}" if isinstance(expected, frozenset) \
        else str(expected)
    return f"claimed {'not ' if statement.negated else ''}{statement.op} {shown}"


def _for_all(statement: Statement, value: Any, spec: Spec) -> Verdict:
    """A claim about a parametric number, for every parameter value in the domains."""
    op = statement.op or "=="
    if statement.negated:
        op = NEGATED[op]
    condition = parametric.relation(value, op, statement.expected)
    decided = parametric.for_all(condition, spec.parameters, limits.remaining_ms())
    judgement = Judgement(decided.holds, decided.region,
                          dict(decided.witness) if decided.witness is not None else None,
                          decided.reason)
    if decided.holds is None:
        return Verdict(Status.UNKNOWN, f"undecided for all parameter values: {decided.reason}",
                       judgement)
    if decided.holds:
        return Verdict(Status.PASS, None, judgement)
    return Verdict(Status.FAIL, claimed(statement) + " for every parameter value", judgement)


def _piecewise(statement: Statement, function: PiecewiseAnswer) -> Verdict:
    """A claim about an exact piecewise function of a parameter, for all its values."""
    op = statement.op or "=="
    if statement.negated:
        op = NEGATED[op]
    decided = decide(function, op, statement.expected)
    counterexample = {function.parameter: decided.witness} if decided.witness is not None else None
    judgement = Judgement(decided.holds, decided.region, counterexample, decided.reason,
                          solver=False)
    if decided.holds is None:
        return Verdict(Status.UNKNOWN, decided.reason, judgement)
    if decided.holds:
        return Verdict(Status.PASS, None, judgement)
    return Verdict(Status.FAIL, claimed(statement) + " for every parameter value", judgement)
