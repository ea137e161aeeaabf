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

MAX_DIAGNOSTICS = 100  # per load; the rest are counted
WINDOW = 160  # characters of a long source line shown around the problem


def source_lines(text: str) -> list[str]:
    """The lines of a source text. Only ``\\n`` ends a line (as for the lexer); a ``\\r``
    before it is dropped. Python's ``splitlines`` would also split at form feeds and U+2028,
    and then line numbers would disagree with the parser's."""
    lines = text.split("\n")
    if lines[-1] == "":  # a final line break ends the last line, as with splitlines
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def shown_line(line: str, column: int) -> tuple[str, int]:
    """The part of ``line`` shown under a diagnostic at ``column``, one character per
    column (tabs and control characters become one visible character), and how many
    columns are left out before it."""
    start = 0
    if len(line) > WINDOW:
        start = max(0, min(column - 1 - WINDOW // 3, len(line) - WINDOW))
        line = line[start:start + WINDOW]
    visible = "".join(" " if c == "\t" else c if c.isprintable() else "\ufffd" for c in line)
    return visible, start


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
        self.dropped = 0  # problems past MAX_DIAGNOSTICS
        self._seen: set[object] = set()
        self._texts: dict[str, str] = {}

    def first_time(self, key: object) -> bool:
        """True the first time ``key`` is asked about: for problems worth reporting once."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def add_source(self, path: str, text: str) -> None:
        self.sources[path] = source_lines(text)

    def text(self, path: str) -> str:
        """A file's whole text (joined once per file)."""
        if path not in self._texts:
            self._texts[path] = "\n".join(self.sources.get(path, []))
        return self._texts[path]

    def text_at(self, span: Span) -> str:
        """The source text a span covers, on one line."""
        return span_text(self.text(span.path), span)

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        if len(self.diagnostics) >= MAX_DIAGNOSTICS:
            self.dropped += 1
            return
        lines = self.sources.get(span.path)
        source_line, offset = None, 0
        if lines is not None and 1 <= span.line <= len(lines):
            source_line, offset = shown_line(lines[span.line - 1], span.column)
        self.diagnostics.append(Diagnostic(span, message, hint, source_line, offset))

    @property
    def count(self) -> int:
        """Problems reported so far, shown or not."""
        return len(self.diagnostics) + self.dropped

    def raise_if_any(self) -> None:
        if not self.diagnostics:
            return
        problems = list(self.diagnostics)
        if self.dropped:
            last = max(problems, key=lambda d: (d.span.path, d.span.line, d.span.column)).span
            problems.append(Diagnostic(last, f"… and {self.dropped} more problems (the first "
                                             f"{MAX_DIAGNOSTICS} are shown)"))
        raise SpecError(problems)


def span_text(text: str, span: Span) -> str:
    """The part of ``text`` a span covers; several lines are joined with single spaces."""
    lines = source_lines(text)[span.line - 1: span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][span.column - 1: span.end_column - 1]
    lines[0] = lines[0][span.column - 1:]
    lines[-1] = lines[-1][: span.end_column - 1]
    # a comment inside the span would swallow the lines after it once they are joined
    return " ".join(without_comment(line).strip() for line in lines)


def without_comment(line: str) -> str:
    """``line`` up to its comment (a ``#`` outside a string; strings cannot hold ``"``)."""
    quoted = False
    for k, character in enumerate(line):
        if character == '"':
            quoted = not quoted
        elif character == "#" and not quoted:
            return line[:k]
    return line
