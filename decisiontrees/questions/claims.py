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
from decisiontrees.model.spec import OtherAnswer, Spec, Statement
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

    def witness(self) -> str | None:
        return None if self.counterexample is None else \
            f"fails at {assignment_text(self.counterexample)}"

    def to_json(self) -> dict[str, JSON]:
        document: dict[str, JSON] = {"region": self.region, "reason": self.reason}
        if self.solver:
            document = {"for_all_parameters": self.holds, **document}
        if self.counterexample is not None:
            document["counterexample"] = {k: str(v) for k, v in self.counterexample.items()}
        return document


@dataclass(frozen=True)
class ComparedAnswer(Evidence):
    """The right side of a claim comparing two answers, with its own evidence."""

    text: str
    answer: Answer

    def lines(self) -> tuple[str, ...]:
        return (f"right side: {self.text} = {self.answer.summary}",
                *(f"  {line}" for line in self.answer.evidence.lines()))

    def to_json(self) -> dict[str, JSON]:
        return {"right_side": {"question": self.text, "status": str(self.answer.status),
                               "answer": self.answer.value,
                               "evidence": self.answer.evidence.to_json()}}


@dataclass(frozen=True)
class Verdict:
    status: Status
    expectation: str | None = None  # for a claim that did not pass: what was claimed
    judgement: Judgement | None = None
    compared: ComparedAnswer | None = None  # the other answer, for `claim q1(…) op q2(…)`


FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
PIECEWISE_PAIR = ("comparing two answers that are piecewise in a parameter is not supported; "
                  "give the parameter a value on both sides (e.g. p = 1/2)")


def judge(statement: Statement, answer: Answer, spec: Spec, expected: Any = None) -> Verdict:
    """Whether the claim holds of the answer (which has status ANSWER), against
    ``statement.expected`` or, for a claim comparing two answers, the other ``expected``."""
    comparable = answer.comparable
    if expected is None:
        expected = statement.expected
    if isinstance(expected, PiecewiseAnswer) or (
            isinstance(comparable, PiecewiseAnswer) and not isinstance(expected, Fraction)):
        return Verdict(Status.UNKNOWN, PIECEWISE_PAIR)
    if isinstance(comparable, PiecewiseAnswer):
        return _piecewise(statement, comparable, expected)
    if getattr(comparable, "free_symbols", None) or getattr(expected, "free_symbols", None):
        if isinstance(comparable, Bounds) or isinstance(expected, Bounds):
            return Verdict(Status.UNKNOWN, "only bounds are known on one side, and the other "
                           "depends on the parameters")
        return _for_all(statement, comparable, spec, expected)
    if isinstance(expected, Bounds) and not isinstance(comparable, Bounds):
        holds = None if comparable is None or statement.op is None else \
            expected.compare(FLIPPED[statement.op], comparable)
    elif isinstance(expected, Bounds):
        holds = _both_bounds(comparable, statement.op or "==", expected)
    else:
        holds = compare(comparable, statement.op, expected)
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


def _both_bounds(left: Bounds, op: str, right: Bounds) -> bool | None:
    """``a op b`` for every ``a`` in ``left`` and ``b`` in ``right`` (True), for none (False),
    or None when the bounds do not decide it."""
    if op in ("<", "<="):
        return _both_bounds(right, FLIPPED[op], left)
    disjoint_above = right.upper is not None and left.lower > right.upper
    disjoint_below = left.upper is not None and left.upper < right.lower
    touching_above = right.upper is not None and left.lower >= right.upper
    touching_below = left.upper is not None and left.upper <= right.lower
    if op == ">":
        return True if disjoint_above else False if touching_below else None
    if op == ">=":
        return True if touching_above else False if disjoint_below else None
    if disjoint_above or disjoint_below:
        return op == "!="
    return None


def claimed(statement: Statement) -> str:
    """What a claim said, for the report of one that did not pass."""
    expected = statement.expected
    if statement.op is None:
        return f"claimed {'false' if statement.negated else 'true'}"
    shown = "{" + ", ".join(sorted(expected)) + "}" if isinstance(expected, frozenset) \
        else expected.text if isinstance(expected, OtherAnswer) else str(expected)
    return f"claimed {'not ' if statement.negated else ''}{statement.op} {shown}"


def _for_all(statement: Statement, value: Any, spec: Spec, expected: Any) -> Verdict:
    """A claim about a parametric number, for every parameter value in the domains."""
    op = statement.op or "=="
    if statement.negated:
        op = NEGATED[op]
    condition = parametric.relation(value, op, expected)
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


def _piecewise(statement: Statement, function: PiecewiseAnswer, expected: Fraction) -> Verdict:
    """A claim about an exact piecewise function of a parameter, for all its values."""
    op = statement.op or "=="
    if statement.negated:
        op = NEGATED[op]
    decided = decide(function, op, expected)
    counterexample = {function.parameter: decided.witness} if decided.witness is not None else None
    judgement = Judgement(decided.holds, decided.region, counterexample, decided.reason,
                          solver=False)
    if decided.holds is None:
        return Verdict(Status.UNKNOWN, decided.reason, judgement)
    if decided.holds:
        return Verdict(Status.PASS, None, judgement)
    return Verdict(Status.FAIL, claimed(statement) + " for every parameter value", judgement)
