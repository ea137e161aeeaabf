"""Answer a spec's statements: every answer with its evidence, every claim judged.

A result's ``status`` is ``answer`` (a query), ``pass`` or ``fail`` (a claim), ``unknown``
(an engine gave up or a cross-check failed; the reason is in the evidence) or ``refused``
(over a limit). Refusals and failed cross-checks raised by any family become answers here,
in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from decisiontrees.errors import CrossCheckFailed, RefusedError
from decisiontrees.model.spec import Spec, Statement, StatementKind
from decisiontrees.questions.base import Answer, Context, Evidence, Status, refused, unknown
from decisiontrees.questions.claims import Judgement, judge
from decisiontrees.questions.registry import QUESTIONS


@dataclass(frozen=True)
class Result:
    """A statement, its answer, and for a claim the verdict."""

    statement: Statement
    status: Status
    answer: Answer
    expectation: str | None = None  # for a claim that did not pass: what was claimed
    judgement: Judgement | None = None  # for a claim over every parameter value

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The answer's evidence, then how the claim was judged (if that needed more)."""
        return (self.answer.evidence,) + ((self.judgement,) if self.judgement else ())

    def lines(self) -> tuple[str, ...]:
        return tuple(line for evidence in self.evidence for line in evidence.lines())


class Results(tuple[Result, ...]):
    """The results of a spec's statements, in order."""


def run(spec: Spec, timeout_seconds: int | None = None) -> Results:
    """Answer every statement of ``spec`` in order; ``timeout_seconds`` bounds each solver
    call unless a statement sets its own ``timeout``."""
    return Results(run_statement(s, spec, timeout_seconds) for s in spec.statements)


def answer(statement: Statement, spec: Spec, timeout_seconds: int | None = None) -> Answer:
    """The answer to a statement's question, whatever the claim says."""
    family = QUESTIONS[statement.name]
    try:
        return family.answer(statement.question, Context(spec, timeout_seconds))
    except RefusedError as refusal:
        return refused(str(refusal))
    except CrossCheckFailed as problem:
        return unknown(f"an internal cross-check failed ({problem}); no answer rather than a "
                       "wrong one")


def run_statement(statement: Statement, spec: Spec, timeout_seconds: int | None = None) -> Result:
    found = answer(statement, spec, timeout_seconds)
    if statement.kind == StatementKind.QUERY or found.status != Status.ANSWER:
        return Result(statement, found.status, found)
    verdict = judge(statement, found, spec, timeout_seconds)
    return Result(statement, verdict.status, found, verdict.expectation, verdict.judgement)
