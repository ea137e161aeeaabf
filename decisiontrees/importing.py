"""Files of other tools as spec text: the one door through which JSON and .efg come in.

Every importer writes spec text and the normal checker loads it, so an imported tree gets
every check, and no string from a foreign file is ever evaluated.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection
from typing import Any

from decisiontrees.diagnostics import Diagnostic, Span, SpecError
from decisiontrees.syntax import KEYWORDS


def imported_text(path: str | os.PathLike[str]) -> str | None:
    """Spec text for a ``.json`` or ``.efg`` file; None for a spec file. Raises SpecError."""
    path = os.fspath(path)
    if path.endswith(".efg"):
        from decisiontrees.gambit import efg_to_spec_text

        return efg_to_spec_text(_read(path), path)
    if not path.endswith(".json"):
        return None
    text = _read(path)
    document = read_json(text, path)
    if isinstance(document, dict) and "SilverDecisions" in document:
        from decisiontrees.silverdecisions import silverdecisions_to_spec_text

        return silverdecisions_to_spec_text(text, path)
    from decisiontrees.interchange import to_spec_text

    try:
        return to_spec_text(document)
    except ValueError as problem:
        hint = None
        if isinstance(document, dict) and "format" not in document:
            hint = ("a JSON spec has \"format\": \"decisiontrees-spec\"; a SilverDecisions file "
                    "has a \"SilverDecisions\" version field; this file has neither")
        raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2), f"invalid JSON spec: {problem}",
                                    hint, source_line(text, 1))]) from None


def _read(path: str) -> str:
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
