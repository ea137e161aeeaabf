"""Collecting the problems of a load, with their source lines; "did you mean" hints.

A diagnostic (decisiontrees.errors.Diagnostic) renders as::

    shutdown.dtree:3:19: error: unknown outcome `staplse`
        tree t = choice { staplse, off }
                          ^^^^^^^
    hint: did you mean `staples`?
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from decisiontrees.errors import Diagnostic, Span, SpecError


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint naming the closest candidates, or None."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"


class Reporter:
    """Collects diagnostics for the files of one load, with their source lines."""

    def __init__(self) -> None:
        self.sources: dict[str, list[str]] = {}
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[object] = set()
        self._texts: dict[str, str] = {}

    def first_time(self, key: object) -> bool:
        """True the first time ``key`` is asked about: for problems worth reporting once."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def add_source(self, path: str, text: str) -> None:
        self.sources[path] = text.splitlines()

    def text(self, path: str) -> str:
        """A file's whole text (joined once per file)."""
        if path not in self._texts:
            self._texts[path] = "\n".join(self.sources.get(path, []))
        return self._texts[path]

    def text_at(self, span: Span) -> str:
        """The source text a span covers, on one line."""
        return span_text(self.text(span.path), span)

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        lines = self.sources.get(span.path)
        source_line = None
        if lines is not None and 1 <= span.line <= len(lines):
            source_line = lines[span.line - 1]
        self.diagnostics.append(Diagnostic(span, message, hint, source_line))

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise SpecError(self.diagnostics)


def span_text(text: str, span: Span) -> str:
    """The part of ``text`` a span covers; several lines are joined with single spaces."""
    lines = text.splitlines()[span.line - 1: span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][span.column - 1: span.end_column - 1]
    lines[0] = lines[0][span.column - 1:]
    lines[-1] = lines[-1][: span.end_column - 1]
    return " ".join(line.strip() for line in lines)
