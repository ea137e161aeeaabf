"""What the importers share: reading a file, JSON with located errors, names from free text."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from decisiontrees.errors import Diagnostic, Span, SpecError
from decisiontrees.language.syntax import KEYWORDS


def read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as problem:
        raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2),
                                    f"cannot read the file as UTF-8 text: {problem.reason}")]) \
            from None
    except OSError as problem:
        raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2),
                                    f"cannot read the file: {problem.strerror}")]) from None


def read_json(text: str, path: str) -> Any:
    """The JSON document in ``text``; a SpecError at the line and column where it breaks."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as problem:
        line, column = problem.lineno, problem.colno
        raise SpecError([Diagnostic(Span(path, line, column, line, column + 1),
                                    f"not valid JSON: {problem.msg}",
                                    None, source_line(text, line))]) from None


def source_line(text: str, number: int) -> str | None:
    lines = text.splitlines()
    return lines[number - 1] if 1 <= number <= len(lines) else None


def identifier(text: str, fallback: str) -> str:
    """A spec-language name made from free text (``fallback`` when nothing usable is left)."""
    cleaned = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_")
    if not cleaned or cleaned[0].isdigit() or cleaned in KEYWORDS:
        cleaned = fallback
    return cleaned


def unique(base: str, taken: Collection[str]) -> str:
    """``base``, or ``base_2``, ``base_3``, ... whichever is not taken yet."""
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    return candidate
