"""Every exception the package raises on purpose, and the located problem (Diagnostic) that
an invalid spec reports.

``DecisionTreesError`` is the base of all of them. Two families matter to callers:

- ``SpecError``: the input is invalid; it carries every located diagnostic. The CLI exits 2.
- ``RefusedError``: a computation was refused because it would exceed a limit (too many
  lotteries, too many outcomes for an exact method, a budget). Answers turn a refusal into
  the status ``refused`` with the reason; a caller can catch this one class for all of them.

``CrossCheckFailed`` is an exact computation that failed its own consistency check: the
answer is ``unknown``, never a verdict. ``ArgumentError`` is a public function called with a
bad argument; its message names the call and the argument. The standalone certificate checker
(evidence/verify.py) keeps its own ``Failure``, because it imports nothing of the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file; lines and columns start at 1, the end is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def visible(text: str) -> str:
    """``text`` as it may be printed in a message: a character that is not printable (a line
    break, a terminal's escape code, a line separator, a bidirectional control) as its
    ``\\uXXXX`` escape, so that text quoted from an input file cannot fake or hide lines."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a spec."""

    span: Span
    message: str
    hint: str | None = None
    source_line: str | None = None  # as shown: a window of the line, one character per column
    source_offset: int = 0  # columns of the line left out before ``source_line`` starts

    def render(self) -> str:
        lines = [f"{visible(str(self.span))}: error: {visible(self.message)}"]
        if self.source_line is not None:
            text = self.source_line
            lines.append("    " + text)
            start = max(0, self.span.column - 1 - self.source_offset)
            if self.span.end_line == self.span.line:
                width = max(1, self.span.end_column - self.span.column)
            else:
                width = max(1, len(text) - start)
            width = max(1, min(width, len(text) - start))
            lines.append("    " + " " * start + "^" * width)
        if self.hint:
            lines.append(f"hint: {visible(self.hint)}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.span.path,
            "line": self.span.line,
            "column": self.span.column,
            "message": self.message,
            "hint": self.hint,
        }



class DecisionTreesError(Exception):
    """Base class of every error this package raises on purpose."""


class SpecError(DecisionTreesError, ValueError):
    """A spec is invalid; ``diagnostics`` lists every problem found, in source order."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=lambda d: (d.span.path, d.span.line,
                                                                      d.span.column)))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


class AlreadyReported(DecisionTreesError):
    """Checking stopped at a problem that is already a diagnostic (control flow only)."""


class ArgumentError(DecisionTreesError, ValueError):
    """A public function was given an argument it cannot use: ``call(): argument ...``."""


class RefusedError(DecisionTreesError):
    """A computation was refused because it would exceed a limit; the message says which."""


class TooManyLotteries(RefusedError):
    """A tree has more distinct strategy lotteries than an exact answer should enumerate."""


class TooManyToCount(RefusedError):
    """A count too large to write down exactly; ``log10`` estimates it (for display only)."""

    def __init__(self, log10: float) -> None:
        super().__init__(f"more than 2^131072 (about 10^{log10:.4g})")
        self.log10 = log10


class Unsupported(RefusedError):
    """The question is beyond what an exact method decides; the message says why."""


class BudgetExhausted(RefusedError):
    """A bounded search used up its budget before it finished."""


class SolverFailed(DecisionTreesError):
    """An external solver stopped with an error of its own: the answer is unknown."""


class TimedOut(DecisionTreesError):
    """The deadline of the statement being answered has passed: the answer is unknown."""


class Undecided(DecisionTreesError):
    """Work that needed an answer got none (a limit reached, an engine that gave up): the
    message gives the reason; nothing is wrong with the input."""


class InternalError(DecisionTreesError):
    """Our own code failed; ``details`` holds the traceback for a bug report."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class CrossCheckFailed(DecisionTreesError, ArithmeticError):
    """An exact computation disagreed with its own independent check: no answer is given."""


class FormatRefused(DecisionTreesError, ValueError):
    """A file of another tool cannot be imported; ``where`` locates the problem in it."""

    def __init__(self, where: Any, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.where = where  # a token, or the JSON object the problem is in
        self.key = key  # and the field, when there is one
