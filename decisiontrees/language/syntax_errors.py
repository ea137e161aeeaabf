"""Syntax errors as people read them: the place, what was expected, and a hint."""

from __future__ import annotations

import re

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from decisiontrees.errors import Span
from decisiontrees.language.diagnostics import source_lines, suggest
from decisiontrees.language.syntax import (
    BIDI_CONTROLS,
    LINE_BREAKS,
    MAX_EXPONENT,
    MAX_NUMBER_DIGITS,
    unprintable,
)


class NumberTooLarge(UnexpectedCharacters):
    """A number literal with too many digits or too large an exponent."""

    def __init__(self, text: str, position: int, line: int, column: int, literal: str) -> None:
        super().__init__(text, position, line, column)  # type: ignore[no-untyped-call]  # lark leaves it unannotated
        self.literal = literal


def number_too_large(literal: str) -> bool:
    mantissa, _, exponent = literal.lower().partition("e")
    digits = len(mantissa.replace(".", ""))
    return digits > MAX_NUMBER_DIGITS or (bool(exponent) and (
        len(exponent.lstrip("+-")) > 6 or abs(int(exponent)) > MAX_EXPONENT))


def token_span(path: str, token: Token) -> Span:
    return Span(path, token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 1)


_TERMINAL_NAMES = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a quoted label",
    "COMPARE": "a comparison (== != < <= > >=)",
    "$END": "the end of the file",
}
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def _terminal(name: str, lark: Lark) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = lark.get_terminal(name).pattern
    except KeyError:
        return name
    if pattern.type == "str":
        return f"`{pattern.value}`"
    return name.lower()


def _unclosed_bracket(text: str) -> tuple[str, int, int] | None:
    """The innermost bracket left open at the end of ``text`` (skipping comments and labels)."""
    stack: list[tuple[str, int, int]] = []
    line, column = 1, 1
    in_comment = in_string = False
    for char in text:
        if in_comment:
            in_comment = char != "\n"
        elif in_string:
            in_string = char not in '"\n'
        elif char == "#":
            in_comment = True
        elif char == '"':
            in_string = True
        elif char in _OPENERS:
            stack.append((char, line, column))
        elif char in _CLOSERS and stack and stack[-1][0] == _CLOSERS[char]:
            stack.pop()
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
    return stack[-1] if stack else None


def _end_of_file_error(text: str, path: str, expected: set[str], lark: Lark) -> tuple[Span, str, str | None]:
    opened = _unclosed_bracket(text)
    if opened is not None:
        char, line, column = opened
        return (
            Span(path, line, column, line, column + 1),
            f"`{char}` is never closed",
            f"the file ends before the matching `{_OPENERS[char]}`",
        )
    lines = source_lines(text) or [""]
    line = len(lines)
    column = len(lines[-1]) + 1
    wanted = sorted({_terminal(name, lark) for name in expected})
    message = "unexpected end of file" + (f"; expected {', '.join(wanted)}" if wanted else "")
    return Span(path, line, column, line, column + 1), message, None


_NUMBER_RUN = re.compile(r"[0-9.]+")
_BREAK_NAMES = {"\x0b": "vertical tab", "\x0c": "form feed", "\x85": "next-line character",
                "\u2028": "line separator", "\u2029": "paragraph separator"}
_BREAKS = ("editors may show it as a line break where the parser sees none, so the text after "
           "it would not read as it parses: delete it, or start a new line")
_REORDERS = ("it reorders how the rest of the line is displayed, so the line would not read "
             "as it parses: delete it")


def describe_syntax_error(error: UnexpectedInput, text: str, path: str, lark: Lark
                          ) -> tuple[Span, str, str | None]:
    """Turn lark's exception into (place, message, hint)."""
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        return _end_of_file_error(text, path, set(getattr(error, "expected", ()) or ()), lark)
    if isinstance(error, NumberTooLarge):
        line, column = error.line, error.column
        return (Span(path, line, column, line, column + len(error.literal)),
                f"number too large to be exact here ({len(error.literal)} characters)",
                f"numbers have at most {MAX_NUMBER_DIGITS} digits and an exponent of at most "
                f"{MAX_EXPONENT}")
    if isinstance(error, UnexpectedCharacters):
        line, column = error.line, error.column
        # lark's types take the class default `pos_in_stream = None`; the lexer stores an int
        position: int = error.pos_in_stream  # type: ignore[assignment]
        char = text[position]
        # before the look back for a bad number: "0.5\r" is a good number then a lone CR
        if char == "\r":
            return (Span(path, line, column, line, column + 1),
                    "a carriage return without a line feed",
                    "save the file with LF or CRLF line endings (a lone CR ends lines only on "
                    "classic Mac OS)")
        if char in BIDI_CONTROLS:
            return (Span(path, line, column, line, column + 1),
                    f"bidirectional control U+{ord(char):04X}", _REORDERS)
        if char in LINE_BREAKS:
            return (Span(path, line, column, line, column + 1),
                    f"{_BREAK_NAMES.get(char, 'separator')} U+{ord(char):04X}", _BREAKS)
        start = position
        while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            start -= 1
        run = _NUMBER_RUN.match(text, start)
        if run and any(c.isdigit() for c in run.group()) and "." in run.group():
            width = run.end() - start
            begin = column - (position - start)
            return (
                Span(path, line, begin, line, begin + width),
                f"bad number `{run.group()}`",
                "write numbers as 3, 0.25 or 1/4",
            )
        if char == '"':
            rest = re.match(r'"([^"\n]*)', text[position:])
            inside = rest.group(1) if rest else ""
            control = next((k for k, c in enumerate(inside) if unprintable(c)), None)
            if control is not None and '"' in text[position + 1 + len(inside):][:1]:
                at = column + 1 + control
                found = inside[control]
                if found in BIDI_CONTROLS:
                    return (Span(path, line, at, line, at + 1),
                            f"bidirectional control U+{ord(found):04X} in a quoted label",
                            _REORDERS)
                if found in LINE_BREAKS:
                    return (Span(path, line, at, line, at + 1),
                            f"{_BREAK_NAMES.get(found, 'separator')} U+{ord(found):04X} in a "
                            "quoted label", _BREAKS)
                return (Span(path, line, at, line, at + 1),
                        f"control character U+{ord(found):04X} in a quoted label",
                        "a label is printed and drawn as it is written: use visible "
                        "characters and spaces")
            return (Span(path, line, column, line, column + 1), "unterminated quoted label",
                    'close the label with `"` on the same line')
        shown = repr(char) if not char.isprintable() or char.isspace() else f"`{char}`"
        hint = "separate entries with commas" if char == ";" else None
        return Span(path, line, column, line, column + 1), f"unexpected character {shown}", hint
    assert isinstance(error, UnexpectedToken)
    token = error.token
    span = token_span(path, token)
    dot = token.start_pos if isinstance(token.start_pos, int) else None
    if token == "." and dot is not None and dot > 0 and text[dot - 1].isdigit():
        position = dot
        # `.` is a token (`m.s0`), so `0.5.1` lexes as 0.5 `.` 1: report the whole number
        start = position
        while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            start -= 1
        run = _NUMBER_RUN.match(text, start)
        if run:
            begin = span.column - (position - start)
            return (Span(path, span.line, begin, span.line, begin + run.end() - start),
                    f"bad number `{run.group()}`", "write numbers as 3, 0.25 or 1/4")
    glued = token.start_pos if isinstance(token.start_pos, int) else None
    if token.type == "NAME" and glued and text[glued - 1].isdigit():
        # letters straight after digits (1e, 0x10, 1_000, 2k): one bad number, not a missing comma
        start = glued
        while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            start -= 1
        literal = text[start:glued] + str(token)
        begin = span.column - (glued - start)
        return (Span(path, span.line, begin, span.line, begin + len(literal)),
                f"bad number `{literal}`",
                "write numbers in decimal digits: 3, 0.25, 1/4 or 1e3")
    expected = set(error.expected)
    shown = f"`{token}`"
    keywords = _keyword_types(lark)
    begins = token.start_pos if isinstance(token.start_pos, int) else None
    if (token.type == "NAME" and "QUERY" in expected and begins is not None
            and not text[text.rfind("\n", 0, begins) + 1:begins].strip()
            and text[token.end_pos:].lstrip(" \t").startswith("(")
            and _unclosed_bracket(text[:begins]) is None):
        # `value(t, u)` alone on a line: LALR's merged states also expect `,` here, but a call
        # that starts a line outside every bracket is a question without its statement keyword
        return (span, f"a question needs `query` or `claim` before {shown}",
                f"write `query {token}(…)` to see the answer, or `claim {token}(…) == …` to "
                "check it")
    starts = _statement_keywords(lark, expected & keywords)
    if (token.type == "NAME" and starts and begins is not None
            and not text[text.rfind("\n", 0, begins) + 1:begins].strip()
            and _unclosed_bracket(text[:begins]) is None
            and (hint := suggest(str(token), starts))):
        # `parameter p in [0, 1]` after a list: LALR also expects `,` here, but a word that
        # starts a line and looks like a statement's keyword is that statement misspelt
        return span, f"unknown statement {shown}", hint
    if "COMMA" in expected and token.type in {"NAME", "STRING", "NUMBER", "LPAR", "MINUS"} | keywords:
        return span, f"missing `,` before {shown}", "separate entries with commas"
    if token.type in keywords and "NAME" in expected:
        return span, f"{shown} is a keyword, not a name", "choose another name"
    if token.type == "EQUAL" and "EQUAL" not in expected:
        return span, f"unexpected {shown}", "write `==` to compare"
    wanted = sorted({_terminal(name, lark) for name in expected})
    if len(wanted) > 6:
        wanted = wanted[:6] + ["…"]
    return span, f"unexpected {shown}; expected {', '.join(wanted)}", None


def _statement_keywords(lark: Lark, types: set[str]) -> list[str]:
    """The words of the keyword terminals ``types`` (those a statement may start with)."""
    return sorted(str(t.pattern.value) for t in lark.terminals if t.name in types)


def _keyword_types(lark: Lark) -> frozenset[str]:
    return frozenset(
        t.name
        for t in lark.terminals
        if t.pattern.type == "str" and re.fullmatch(r"[a-z]+", t.pattern.value)
    )
