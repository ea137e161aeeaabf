"""Answer a spec's statements: every answer with its evidence, every claim judged.

A result's ``status`` is ``answer`` (a query), ``pass`` or ``fail`` (a claim), ``unknown``
(an engine gave up, ran out of time or memory, or a cross-check failed; the reason is in the
evidence) or ``refused`` (over a limit). Refusals, failed cross-checks and timeouts raised by
any family become answers here, in one place.

Each statement has a time limit (its own ``timeout =``, else the run's, else
``limits.DEFAULT_TIMEOUT_SECONDS``) and, when isolated (the default where the system can
fork), a memory limit enforced from outside.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from decisiontrees import limits
from decisiontrees.errors import (
    ArgumentError,
    CrossCheckFailed,
    InternalError,
    RefusedError,
    SolverFailed,
    TimedOut,
)
from decisiontrees.model.spec import OtherAnswer, Question, Spec, Statement, StatementKind
from decisiontrees.questions.base import (
    Answer,
    Context,
    Evidence,
    Status,
    refused,
    unknown,
    unlisted_state,
)
from decisiontrees.questions.claims import ComparedAnswer, Judgement, Verdict, judge
from decisiontrees.questions.registry import QUESTIONS
from decisiontrees.questions.search import SearchQuestion, run_search


@dataclass(frozen=True)
class Result:
    """A statement, its answer, and for a claim the verdict."""

    statement: Statement
    status: Status
    answer: Answer
    expectation: str | None = None  # for a claim that did not pass: what was claimed
    judgement: Judgement | None = None  # for a claim over every parameter value
    compared: ComparedAnswer | None = None  # for a claim comparing two answers: the other

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The answer's evidence, the other answer's (for a claim comparing two), then how
        the claim was judged (if that needed more)."""
        return (self.answer.evidence,) + ((self.compared,) if self.compared else ()) \
            + ((self.judgement,) if self.judgement else ())

    def lines(self) -> tuple[str, ...]:
        return tuple(line for evidence in self.evidence for line in evidence.lines())

    def witness(self) -> str | None:
        """The first witness the evidence names (see :meth:`Evidence.witness`)."""
        return next((text for evidence in self.evidence
                     if (text := evidence.witness()) is not None), None)


class Results(tuple[Result, ...]):
    """The results of a spec's statements, in order."""


@dataclass(frozen=True)
class RunLimits:
    """What one statement may use: seconds (unless it sets its own) and memory."""

    timeout_seconds: float | None = None
    memory_bytes: int = limits.DEFAULT_MEMORY_BYTES
    isolate: bool = True  # in a child process, where the system can fork

    def __post_init__(self) -> None:
        seconds = self.timeout_seconds
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                    or not 0 < seconds <= limits.MAX_TIMEOUT_SECONDS):
            raise ArgumentError(f"timeout_seconds must be a number of seconds above 0 and at "
                                f"most {limits.MAX_TIMEOUT_SECONDS:,}, not {seconds!r}")
        memory = self.memory_bytes
        if isinstance(memory, bool) or not isinstance(memory, int) or memory <= 0:
            raise ArgumentError(f"memory_bytes must be a positive whole number, not {memory!r}")

    def seconds_for(self, statement: Statement) -> float:
        """The statement's own ``timeout``, at most the run's when that is given (a file —
        an imported one, say — cannot take more time than the user allows), else the run's,
        else the default."""
        own, given = statement.timeout_seconds, self.timeout_seconds
        if own and given:
            return min(own, given)
        return own or given or limits.DEFAULT_TIMEOUT_SECONDS


def run(spec: Spec, timeout_seconds: float | None = None, *,
        memory_bytes: int = limits.DEFAULT_MEMORY_BYTES, isolate: bool = True) -> Results:
    """Answer every statement of ``spec`` in order. Each may take ``timeout_seconds`` (or its
    own ``timeout`` when that is less, or when ``timeout_seconds`` is not given) and,
    isolated, ``memory_bytes``; beyond either it is unknown."""
    bounds = RunLimits(timeout_seconds, memory_bytes, isolate)
    return Results(run_statement(s, spec, bounds) for s in spec.statements)


def answer(statement: Statement, spec: Spec) -> Answer:
    """The answer to a statement's question, whatever the claim says (within the current
    deadline, if one is set)."""
    return answer_question(statement.name, statement.question, spec)


def answer_question(name: str, question: Question, spec: Spec) -> Answer:
    """The answer to the question ``name`` asks, with refusals, failed cross-checks and
    timeouts as answers."""
    try:
        if isinstance(question, SearchQuestion):
            return run_search(question, Context(spec), judge_claim)[0]
        family = QUESTIONS[name]
        state = unlisted_state(question)
        if state is not None and not family.solves_mdps:
            # a horizon unrolls the mdp instead of listing policies, but it changes the
            # question, and farsighted() has none: say so rather than suggest it blindly
            horizon = "" if name == "farsighted" else \
                " (or, if the question allows it, give the mdp a finite horizon)"
            return refused(f"{state.unlisted}; {name}() needs them listed (value() and "
                           "refutations of dominates() solve the mdp without them): ask about "
                           f"a state with fewer reachable choices{horizon}")
        return family.answer(question, Context(spec))
    except RefusedError as refusal:
        return refused(str(refusal))
    except CrossCheckFailed as problem:
        return unknown(f"an internal cross-check failed ({problem}); no answer rather than a "
                       "wrong one")
    except (TimedOut, SolverFailed) as stop:
        return unknown(str(stop))


def judge_claim(statement: Statement, spec: Spec) -> tuple[Status | None, tuple[str, ...]]:
    """A claim's status and evidence lines, for a search's condition; None when its question
    does not apply to the trees (``chosen(t, a1)`` where ``t`` starts with chance)."""
    problems = QUESTIONS[statement.name].problems(statement.question)
    expected = statement.expected
    if not problems and isinstance(expected, OtherAnswer):  # the right side must apply too
        problems = QUESTIONS[expected.name].problems(expected.question)
    if problems:
        return None, (f"does not apply: {problems[0][0]}",)
    found, verdict = _answer_and_judge(statement, spec)
    result = Result(statement, verdict.status if verdict else found.status, found,
                    *((verdict.expectation, verdict.judgement, verdict.compared)
                      if verdict else ()))
    # the answer first, as `check` prints it (a hit of `strategies(t) >= 3` said only "3 plans")
    return result.status, (f"answer: {found.summary}", *result.lines())


def _answer_and_judge(statement: Statement, spec: Spec) -> tuple[Answer, Verdict | None]:
    found = answer(statement, spec)
    if statement.kind == StatementKind.QUERY or found.status != Status.ANSWER:
        return found, None
    expected, compared = statement.expected, None
    if isinstance(expected, OtherAnswer):
        other = answer_question(expected.name, expected.question, spec)
        compared = ComparedAnswer(expected.text, other)
        if other.status != Status.ANSWER:
            return found, Verdict(Status.UNKNOWN, f"the right side has no exact answer "
                                  f"({other.summary})", compared=compared)
        expected = other.comparable
    try:
        verdict = judge(statement, found, spec, expected)
    except TimedOut as stop:
        verdict = Verdict(Status.UNKNOWN, f"undecided: {stop}")
    return found, replace(verdict, compared=compared)


def run_statement(statement: Statement, spec: Spec, bounds: RunLimits | None = None) -> Result:
    bounds = bounds or RunLimits()
    seconds = bounds.seconds_for(statement)
    if bounds.isolate:
        outcome = limits.run_isolated(lambda: _answer_and_judge(statement, spec), seconds,
                                      bounds.memory_bytes)
    else:
        with limits.deadline(seconds):
            outcome = _answer_and_judge(statement, spec)
    if isinstance(outcome, limits.Stopped):
        if outcome.internal is not None:
            raise InternalError(f"answering `{statement.text}` failed", outcome.internal)
        return Result(statement, Status.UNKNOWN, unknown(outcome.reason))
    found, verdict = outcome
    if verdict is None:
        return Result(statement, found.status, found)
    return Result(statement, verdict.status, found, verdict.expectation, verdict.judgement,
                  verdict.compared)
