"""What the importers share: JSON with located errors, and text from another tool's file made
safe to place in spec text.

An importer writes spec text, and the normal checker reads it. No string from a foreign file
may change the shape of that text: names go through :func:`identifier`, action labels through
:func:`label`, free text through :func:`comment`, numbers through :func:`expression` or are
written by us from exact values; imported text may not include files (checking/sources.py).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from json import decoder, scanner
from typing import Any

from decisiontrees.errors import Diagnostic, Span, SpecError
from decisiontrees.language.diagnostics import shown_line, source_lines
from decisiontrees.language.syntax import KEYWORDS, unprintable

MAX_JSON_DEPTH = 1000


def read_json(text: str, path: str) -> Any:
    """The JSON document in ``text``; a SpecError at the line and column where it breaks, or
    where it nests deeper than MAX_JSON_DEPTH."""
    too_deep = _too_deep(text)
    if too_deep is not None:
        line, column = _line_column(text, too_deep)
        raise SpecError([diagnostic_at(text, path, line, column,
                                       f"JSON nested more than {MAX_JSON_DEPTH} levels deep")])
    try:
        document = json.loads(text, parse_int=short_int, object_pairs_hook=_unique_keys)
    except _RepeatedKey as repeated:
        found = [m.start() for m in re.finditer(re.escape(json.dumps(repeated.key)) + r"\s*:",
                                                text)]
        line, column = _line_column(text, found[1] if len(found) > 1 else 0)
        raise SpecError([diagnostic_at(text, path, line, column,
                                       f"the key {json.dumps(repeated.key)[:80]} appears twice in "
                                       "one object", "which one counts would be the reader's "
                                       "choice: give each key once")]) from None
    except json.JSONDecodeError as problem:
        line, column = problem.lineno, problem.colno
        raise SpecError([diagnostic_at(text, path, line, column,
                                       f"not valid JSON: {problem.msg}")]) from None
    except (ValueError, RecursionError) as problem:  # an integer of too many digits, say
        long = re.search(r"-\d{4301,}|\d{4302,}", text)
        line, column = _line_column(text, long.start() if long else 0)
        raise SpecError([diagnostic_at(text, path, line, column,
                                       f"not valid JSON here: {problem}")]) from None
    if not _encodable(document):  # a lone surrogate: no text holding one can be printed
        escape = _SURROGATE_ESCAPE.search(text)
        line, column = _line_column(text, escape.start() if escape else 0)
        raise SpecError([diagnostic_at(text, path, line, column,
                                       "a string holds half of a UTF-16 surrogate pair, not a "
                                       "character", "write the character itself")])
    return document


def _encodable(document: Any) -> bool:
    """Whether every string in ``document`` (keys too) can be written as UTF-8."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


# where a lone surrogate is likely written (for the error's place; the check is on the strings)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys all differ (with a repeated key, which one counts would be
    the reader's choice, and a spec's meaning would change without a word)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


def short_int(text: str) -> int:
    """A JSON integer of at most 4,300 digits (Python's own default bound, which the CLI
    lifts for printing long exact answers: converting millions of digits takes minutes)."""
    if len(text) > 4301:
        raise ValueError(f"an integer of {len(text):,} digits (at most 4,300)")
    return int(text)


def _too_deep(text: str) -> int | None:
    """The offset where brackets outside strings first nest deeper than MAX_JSON_DEPTH."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def comment(text: Any) -> str:
    """Free text for a ``#`` comment: one line, control characters as spaces, bounded."""
    flat = "".join(c if c.isprintable() else " " for c in str(text))
    return " ".join(flat.split())[:200]


def label(text: str) -> str:
    """An action label for ``"…"``: no quotes, no control characters (they could end the label
    or the line) or bidirectional controls (they could reorder the rest of the line as it is
    displayed), no ``>`` (it separates the steps of a plan). Exactly what the grammar's
    quoted label admits, so a non-breaking space stays one; as long as the file had it (the
    language sets no bound, and a cut label no longer read back, or met another)."""
    return "".join("'" if c == '"' else "›" if c == ">" else
                   " " if unprintable(c) else c for c in text)


_EXPRESSION = re.compile(r"[0-9A-Za-z_. \t+\-*/()]*")  # one line: no line break of any kind


def expression(text: str) -> bool:
    """Whether ``text`` can stand as one arithmetic expression in spec text: numbers, names
    that are not keywords, + - * / and parentheses (so it cannot close a bracket, start an
    item or hide a comment)."""
    if _EXPRESSION.fullmatch(text) is None or not text.strip():
        return False
    return not any(word in KEYWORDS for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def source_line(text: str, number: int) -> str | None:
    lines = source_lines(text)
    return lines[number - 1] if 1 <= number <= len(lines) else None


def diagnostic_at(text: str, path: str, line: int, column: int, message: str,
                  hint: str | None = None) -> Diagnostic:
    """A diagnostic at ``line:column`` of a foreign file, showing a window of that line (a
    minified JSON or .gv file is one line of megabytes)."""
    shown, offset = shown_line(source_line(text, line) or "", column)
    return Diagnostic(Span(path, line, column, line, column + 1), message, hint, shown, offset)


def identifier(text: str, fallback: str) -> str:
    """A spec-language name made from free text (``fallback`` when nothing usable is left)."""
    cleaned = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_")
    if not cleaned or cleaned[0].isdigit() or cleaned in KEYWORDS:
        cleaned = fallback
    return cleaned


class UniqueNames:
    """Hands out names none of which is taken: ``base``, else the first free of ``base_2``,
    ``base_3``, … (remembering where each base got to, so 60,000 equal titles take
    linear time, not cubic)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)
        self._next: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        candidate = base
        if candidate in self.taken:
            suffix = self._next.get(base, 2)
            while f"{base}_{suffix}" in self.taken:
                suffix += 1
            candidate, self._next[base] = f"{base}_{suffix}", suffix + 1
        self.taken.add(candidate)
        return candidate


def choice_labels(given: Sequence[str], clean: Callable[[str], str] = label) -> list[str]:
    """Labels for a choice's edges, in order, from the labels a file gives them (``""`` for
    none): every label the file gives names its first edge with it; an unnamed edge (or one
    whose label is only spaces once cleaned) is ``#k`` for its position ``k``, and a repeated
    label gets ``_2``, ``_3``…, neither ever taking a label the file gives another edge (so a
    claim written with the file's labels names the edges the file meant). Labels the
    language can hold as they are come first: a label that cleaning changed (``a"b`` to
    ``a'b``) never takes the name of an edge the file calls ``a'b``."""
    cleaned = [clean(text) for text in given]
    named = [text if text.strip() else "" for text in cleaned]
    kept = [False] * len(named)
    taken: set[str] = set()
    for as_given in (True, False):
        for k, (raw, text) in enumerate(zip(given, named)):
            if text and not kept[k] and text not in taken and (raw == text) == as_given:
                kept[k] = True
                taken.add(text)
    fresh = UniqueNames(text for text in named if text)
    return [text if keep else fresh(text or f"#{position}")
            for position, (text, keep) in enumerate(zip(named, kept), start=1)]


# The pure-Python object and array parsers and scanner of the json module: undocumented, so
# typeshed does not list them; read from the module dictionaries with their real signatures.
_JSON_OBJECT: Callable[..., tuple[dict[str, Any], int]] = vars(decoder)["JSONObject"]
_JSON_ARRAY: Callable[..., tuple[list[Any], int]] = vars(decoder)["JSONArray"]
_MAKE_SCANNER: Callable[[json.JSONDecoder], Callable[[str, int], tuple[Any, int]]] = \
    vars(scanner)["py_make_scanner"]
SCAN_STRING: Callable[[str, int], tuple[str, int]] = vars(decoder)["scanstring"]


@dataclass(frozen=True)
class JsonDecimal:
    """A JSON number with a fraction or an exponent, as written (binary floats would round
    0.1234567890123456789)."""

    text: str

    def __str__(self) -> str:
        return self.text


class JsonPositions(json.JSONDecoder):
    """A JSON decoder that remembers where each object and list starts, to point at problems,
    and keeps numbers with a fraction or an exponent as :class:`JsonDecimal`."""

    def __init__(self) -> None:
        super().__init__(parse_float=JsonDecimal)
        self.starts: dict[int, int] = {}
        kept: list[Any] = []  # keeps every container alive, so ids stay unique

        def parse_object(state: tuple[str, int], *rest: Any) -> tuple[Any, int]:
            result, end = _JSON_OBJECT(state, *rest)
            kept.append(result)
            self.starts[id(result)] = state[1] - 1
            return result, end

        def parse_array(state: tuple[str, int], scan_once: Any) -> tuple[Any, int]:
            result, end = _JSON_ARRAY(state, scan_once)
            kept.append(result)
            self.starts[id(result)] = state[1] - 1
            return result, end

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.scan_once = _MAKE_SCANNER(self)


@contextmanager
def recursion_room(frames: int = 20_000) -> Iterator[None]:
    """Python's recursion limit raised to ``frames`` for a while: the pure-Python JSON
    decoder that records positions takes about three frames per level of nesting, so JSON
    that read_json accepts (MAX_JSON_DEPTH) needs more than the default 1,000."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, frames))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def json_place(text: str, where: str) -> tuple[int, int]:
    """Line and column in the JSON ``text`` of the value at ``where`` (``trees.t.nodes[3]``):
    the deepest part of the path that can be found (the document's start if none)."""
    try:
        positions = JsonPositions()
        value: Any = positions.decode(text)
    except (ValueError, RecursionError):
        return 1, 1
    offset = positions.starts.get(id(value), 0)
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", where):
        if step.startswith("[") and isinstance(value, list) and int(step[1:-1]) < len(value):
            value = value[int(step[1:-1])]
        elif isinstance(value, dict) and step in value:
            found = text.find(json.dumps(step), positions.starts.get(id(value), 0))
            offset = found if found >= 0 else offset
            value = value[step]
        else:
            break
        if id(value) in positions.starts:
            offset = positions.starts[id(value)]
        elif isinstance(value, str):
            found = text.find(json.dumps(value), offset)
            offset = found if found >= 0 else offset
    return _line_column(text, offset)
