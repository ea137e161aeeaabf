"""Every exception the package raises on purpose, in one place.

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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from decisiontrees.language.diagnostics import Diagnostic


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


class Unsupported(RefusedError):
    """The question is beyond what an exact method decides; the message says why."""


class BudgetExhausted(RefusedError):
    """A bounded search used up its budget before it finished."""


class CrossCheckFailed(DecisionTreesError, ArithmeticError):
    """An exact computation disagreed with its own independent check: no answer is given."""


class FormatRefused(DecisionTreesError, ValueError):
    """A file of another tool cannot be imported; ``where`` locates the problem in it."""

    def __init__(self, where: Any, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.where = where  # a token, or the JSON object the problem is in
        self.key = key  # and the field, when there is one
