"""What every question family shares: signatures, checked arguments, answers and evidence.

A *family* answers one or more question names of the language (``dominates``,
``convergence`` ...). It declares a :class:`Signature` (argument kinds, options, the shape
of its answer), makes its own question record from checked :class:`Arguments`, may add
problems of its own (:meth:`Family.problems`), and answers with an :class:`Answer` whose
evidence is a typed record of the family. The report layer renders evidence through
:meth:`Evidence.lines` (text, LaTeX, HTML) and :meth:`Evidence.to_json`.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.model.classes import UtilityClass
from decisiontrees.model.laws import Distribution
from decisiontrees.model.spec import Question, Spec, TreeArg, UtilityArg

JSON = Any  # a JSON-ready value: str, int, bool, None, lists and dicts of them


class Status(StrEnum):
    """A result's status: a query's answer, a claim's verdict, or no verdict."""

    ANSWER = "answer"
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # an engine gave up or a cross-check failed; the reason is given
    REFUSED = "refused"  # over a limit; the reason is given


class Shape(StrEnum):
    """What a question's answer is, which decides how a claim may compare it."""

    NUMBER = "number"
    SET = "set"  # of plan descriptions
    OUTCOMES = "set-of-outcomes"
    BOOL = "bool"  # a yes/no claim: `claim q(…)` or `claim not q(…)`
    WORD = "word"  # one of the signature's words
    LISTING = "listing"  # can only be queried


class Kind(StrEnum):
    """Kinds of positional arguments."""

    TREE = "tree"
    OTHER = "other"  # a second tree
    UTILITY = "utility"
    LOTTERY = "lottery"
    CLASS = "class"
    DISTRIBUTION = "distribution"
    ACTION = "action"  # an action of the tree's first choice


@dataclass(frozen=True)
class Signature:
    arguments: tuple[Kind, ...]
    shape: Shape
    options: frozenset[str] = frozenset()  # "parameters" admits parameter values
    optional: tuple[Kind, ...] = ()
    symbolic_ok: bool = False  # answers on parametric trees without parameter values
    words: tuple[str, ...] = ()  # for Shape.WORD: the words a claim may name


@dataclass(frozen=True)
class Arguments:
    """A statement's arguments after checking: resolved trees, values and options."""

    tree: TreeArg
    other: TreeArg | None = None
    utility: UtilityArg | None = None
    lottery: Mapping[str, Fraction] | None = None
    utility_class: UtilityClass | None = None
    distribution: Distribution | None = None
    action: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    assignment: Mapping[str, Fraction] = field(default_factory=dict)

    def second(self) -> TreeArg:
        assert self.other is not None, "the signature requires a second tree"
        return self.other

    def option_int(self, name: str) -> int | None:
        value = self.options.get(name)
        return value if isinstance(value, int) else None


@dataclass(frozen=True)
class Context:
    """What answering needs besides the question: the spec. Time is bounded by the deadline
    of the statement being answered (decisiontrees.limits)."""

    spec: Spec

    def timeout_ms(self) -> int:
        """What a solver call may take: the rest of the statement's time."""
        return limits.remaining_ms()


class Evidence:
    """What an answer rests on. Subclasses are frozen records of one family."""

    def lines(self) -> tuple[str, ...]:
        """The evidence as text lines (the report prints them under the answer)."""
        return ()

    def to_json(self) -> dict[str, JSON]:
        """The evidence as a JSON object (docs/check-output.schema.json)."""
        return {}

    def witness(self) -> str | None:
        """The witness in one short line (a utility function, parameter values), if any: the
        column of a results table."""
        return None


@dataclass(frozen=True)
class Reason(Evidence):
    """Why there is no answer (unknown, refused), optionally with the method that tried."""

    reason: str
    method: str | None = None
    label: str = "unknown"

    def lines(self) -> tuple[str, ...]:
        return (f"{self.label}: {self.reason}" + (f" ({self.method})" if self.method else ""),)

    def to_json(self) -> dict[str, JSON]:
        document: dict[str, JSON] = {"reason": self.reason}
        if self.method is not None:
            document["method"] = self.method
        return document


@dataclass(frozen=True)
class Lines(Evidence):
    """Evidence that is only text (the JSON object is given alongside)."""

    text: tuple[str, ...] = ()
    document: Mapping[str, JSON] = field(default_factory=dict)

    def lines(self) -> tuple[str, ...]:
        return self.text

    def to_json(self) -> dict[str, JSON]:
        return dict(self.document)


@dataclass(frozen=True)
class Answer:
    """An answer in a line, as data, and the evidence behind it.

    ``comparable`` is what a claim compares: a Fraction, a frozenset, a bool, a word, a
    :class:`Bounds`, a piecewise function, or a sympy expression over parameters.
    """

    summary: str
    value: JSON
    evidence: Evidence = field(default_factory=Evidence)
    exact: bool = True
    status: Status = Status.ANSWER
    comparable: Any = None
    certificate: Mapping[str, JSON] | None = None  # for `decisiontrees verify`

    @property
    def evidence_lines(self) -> tuple[str, ...]:
        return self.evidence.lines()


def unknown(reason: str, method: str | None = None) -> Answer:
    """No answer: an engine gave up, or an exact computation failed its own check."""
    return Answer("unknown", None, Reason(reason, method), status=Status.UNKNOWN)


def refused(reason: str) -> Answer:
    """No answer: the question is over a limit, or beyond what an exact method decides."""
    return Answer("refused", None, Reason(reason, label="refused"), status=Status.REFUSED)


@dataclass(frozen=True)
class Bounds:
    """A number known to lie in ``[lower, upper]``: comparisons are True, False, or None
    when the bounds do not decide them."""

    lower: Fraction
    upper: Fraction | None  # None: unbounded above

    def compare(self, op: str, x: Fraction) -> bool | None:
        """``number op x`` for every number in the bounds (True), for none (False), or None."""
        below_upper = self.upper is None or x <= self.upper
        inside = self.lower <= x and below_upper
        exactly = self.lower == self.upper == x
        always, never = {
            ">=": (self.lower >= x, self.upper is not None and self.upper < x),
            ">": (self.lower > x, self.upper is not None and self.upper <= x),
            "<=": (self.upper is not None and self.upper <= x, self.lower > x),
            "<": (self.upper is not None and self.upper < x, self.lower >= x),
            "==": (exactly, not inside),
            "!=": (not inside, exactly),
        }[op]
        return True if always else False if never else None


class Family(ABC):
    """One question of the language: its signature, its record, its answer."""

    name: str
    signature: Signature
    solves_mdps: bool = False  # answers about mdp states whose policies are not listed

    @abstractmethod
    def make(self, arguments: Arguments) -> Question:
        """The question record for checked arguments."""

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        """Problems the generic checks cannot see, as (message, hint); reported at the call."""
        return []

    @abstractmethod
    def answer(self, question: Question, context: Context) -> Answer:
        """The answer with its evidence; raise RefusedError or CrossCheckFailed to give none."""


DIGITS_SHOWN = 100  # longer numbers are shown as ≈ m × 10^e (exact in JSON)


def count_text(count: int) -> str:
    """A whole number as text: exact up to ``DIGITS_SHOWN`` digits, else ``≈ 1.2 × 10^800``."""
    if count < 10**DIGITS_SHOWN:
        return str(count)
    return power_of_ten_text(math.log10(count))


def exact_text(value: Any) -> str:
    """An exact number as text; one with more than ``DIGITS_SHOWN`` digits is shown as
    ``≈ 1.2 × 10^-4342 (exact in --json)`` (the answer's value keeps it exact)."""
    if not isinstance(value, Fraction) or value == 0:
        return str(value)
    digits = len(str(abs(value.numerator))) + len(str(value.denominator)) \
        if max(value.numerator.bit_length(), value.denominator.bit_length()) < 4 * DIGITS_SHOWN \
        else 10 * DIGITS_SHOWN
    if digits <= DIGITS_SHOWN:
        return str(value)
    log10 = math.log10(abs(value.numerator)) - math.log10(value.denominator)
    sign = "-" if value < 0 else ""
    return f"{sign}{power_of_ten_text(log10)} (exact in --json)"


def power_of_ten_text(log10: float) -> str:
    """``≈ 1.2 × 10^800`` for a number given by its logarithm (only for display)."""
    if not math.isfinite(log10):  # the logarithm itself is past a float's range
        return "≈ 10^(more than 10^308)"
    exponent = math.floor(log10)
    if exponent < 10**15:
        mantissa = f"{10 ** (log10 - exponent):.2g}"
        if mantissa == "10":  # 9.96… rounds up: 1 × 10^(exponent + 1)
            mantissa, exponent = "1", exponent + 1
        return f"≈ {mantissa} × 10^{exponent}"
    return f"≈ 10^({log10:.3g})"


def lottery_text(lottery: Mapping[str, Fraction], order: tuple[str, ...]) -> str:
    """``{o1: 1/2, o2: 1/2}`` in spec order, zero entries left out."""
    rank = {o: i for i, o in enumerate(order)}
    items = sorted((o for o, q in lottery.items() if q != 0), key=lambda o: rank.get(o, len(rank)))
    return "{" + ", ".join(f"{o}: {lottery[o]}" for o in items) + "}"


def utility_text(utility: Mapping[str, Fraction]) -> str:
    return "{" + ", ".join(f"{o}: {v}" for o, v in utility.items()) + "}"


def assignment_text(assignment: Mapping[str, Fraction]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(assignment.items()))


def json_ready(value: Any) -> JSON:
    """Fractions as strings, mappings and sequences recursively, for JSON."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def unlisted_state(question: Question) -> TreeArg | None:
    """A state of an mdp among the question's trees whose policies were too many to list."""
    for item in dataclasses.fields(question):  # type: ignore[arg-type,unused-ignore]
        value = getattr(question, item.name)
        if isinstance(value, TreeArg) and value.unlisted is not None:
            return value
        if isinstance(value, Question):
            found = unlisted_state(value)
            if found is not None:
                return found
    return None

