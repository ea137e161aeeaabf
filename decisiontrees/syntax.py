"""Text to syntax tree: the lark grammar, one Transformer to frozen records, syntax errors.

The syntax tree only records shape and source spans. Meaning (names, probabilities, types)
is checked by :mod:`decisiontrees.loader`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Union

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from decisiontrees.diagnostics import Reporter, Span

EXTENSION = ".dtree"


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Number:
    value: Fraction
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Var:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str  # one of + - * /
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Expr
    span: Span


Expr = Union[Number, Var, BinOp, Neg]


# ---------------------------------------------------------------- tree nodes


@dataclass(frozen=True, slots=True)
class Ref:
    """A name in node position: an outcome (a leaf) or another tree."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Edge:
    label: str | None
    quoted: bool
    node: NodeSyntax
    span: Span


@dataclass(frozen=True, slots=True)
class ChoiceNode:
    edges: tuple[Edge, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Branch:
    probability: Expr
    node: NodeSyntax
    span: Span


@dataclass(frozen=True, slots=True)
class ChanceNode:
    branches: tuple[Branch, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class UniformNode:
    children: tuple[NodeSyntax, ...]
    span: Span


NodeSyntax = Union[Ref, ChoiceNode, ChanceNode, UniformNode]


# ---------------------------------------------------------------- values in statements


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # an outcome name, or "*" for every outcome not named
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class MappingLit:
    entries: tuple[Entry, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    quoted: bool
    span: Span


@dataclass(frozen=True, slots=True)
class SetLit:
    members: tuple[Member, ...]
    span: Span


Value = Union[Number, Var, BinOp, Neg, MappingLit, SetLit]


@dataclass(frozen=True, slots=True)
class Keyword:
    name: str
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    arguments: tuple[Value | Keyword, ...]
    span: Span
    name_span: Span


# ---------------------------------------------------------------- top-level items


@dataclass(frozen=True, slots=True)
class Include:
    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class OutcomeItem:
    name: str
    features: tuple[Feature, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class OutcomesDecl:
    items: tuple[OutcomeItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ParamDecl:
    name: str
    low: Expr
    high: Expr
    low_open: bool
    high_open: bool
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class TreeDecl:
    name: str
    node: NodeSyntax
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class UtilityDecl:
    name: str
    mapping: MappingLit
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class Query:
    call: Call
    span: Span


@dataclass(frozen=True, slots=True)
class Claim:
    negated: bool
    call: Call
    op: str | None
    expected: Value | None
    span: Span


Item = Union[Include, OutcomesDecl, ParamDecl, TreeDecl, UtilityDecl, Query, Claim]


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    text: str
    items: tuple[Item, ...]


# ---------------------------------------------------------------- parsing


def grammar_text() -> str:
    """The grammar: package data in an installed wheel, ``grammar/`` in a checkout."""
    packaged = resources.files("decisiontrees").joinpath("decisiontrees.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parent.parent / "grammar" / "decisiontrees.lark"
    return checkout.read_text(encoding="utf-8")


@cache
def parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True)


def parse_module(text: str, path: str, reporter: Reporter) -> Module | None:
    """Parse one file's text; on a syntax error, report it and return None."""
    reporter.add_source(path, text)
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        span, message, hint = describe_syntax_error(error, text, path)
        reporter.error(span, message, hint)
        return None
    items = _ToSyntax(path).transform(tree)
    return Module(path, text, tuple(items))


def _span(path: str, meta: object) -> Span:
    return Span(path, meta.line, meta.column, meta.end_line, meta.end_column)  # type: ignore[attr-defined]


def _token_span(path: str, token: Token) -> Span:
    return Span(path, token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 1)


@v_args(meta=True)
class _ToSyntax(Transformer):
    """One method per rule; builds frozen records and nothing else."""

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    def start(self, meta, children):
        return children

    def include(self, meta, children):
        (text,) = children
        return Include(text[1:-1], _span(self.path, meta))

    def outcomes_decl(self, meta, children):
        return OutcomesDecl(tuple(c for c in children if c is not None), _span(self.path, meta))

    def outcome_item(self, meta, children):
        name, features = children
        return OutcomeItem(str(name), tuple(features or ()), _token_span(self.path, name))

    def features(self, meta, children):
        return [c for c in children if c is not None]

    def feature(self, meta, children):
        name, value = children
        return Feature(str(name), value, _token_span(self.path, name))

    def param_decl(self, meta, children):
        name, (low_open, low, high, high_open) = children
        return ParamDecl(
            str(name), low, high, low_open, high_open, _span(self.path, meta),
            _token_span(self.path, name),
        )

    def interval(self, meta, children):
        opening, low, _comma, high, closing = children
        return (opening == "(", low, high, closing == ")")

    def tree_decl(self, meta, children):
        name, node = children
        return TreeDecl(str(name), node, _span(self.path, meta), _token_span(self.path, name))

    def ref(self, meta, children):
        (name,) = children
        return Ref(str(name), _token_span(self.path, name))

    def choice(self, meta, children):
        return ChoiceNode(tuple(c for c in children if c is not None), _span(self.path, meta))

    def edge(self, meta, children):
        label, node = children
        if label is None:
            return Edge(None, False, node, _span(self.path, meta))
        text, quoted = label
        return Edge(text, quoted, node, _span(self.path, meta))

    def label(self, meta, children):
        (token,) = children
        if token.type == "STRING":
            return (token[1:-1], True)
        return (str(token), False)

    def chance(self, meta, children):
        return ChanceNode(tuple(c for c in children if c is not None), _span(self.path, meta))

    def branch(self, meta, children):
        probability, node = children
        return Branch(probability, node, _span(self.path, meta))

    def uniform(self, meta, children):
        return UniformNode(tuple(c for c in children if c is not None), _span(self.path, meta))

    def utility_decl(self, meta, children):
        name, mapping = children
        return UtilityDecl(str(name), mapping, _span(self.path, meta), _token_span(self.path, name))

    def query(self, meta, children):
        (call,) = children
        return Query(call, _span(self.path, meta))

    def claim(self, meta, children):
        negated, call, op, expected = children
        return Claim(negated is not None, call, None if op is None else str(op), expected,
                     _span(self.path, meta))

    def call(self, meta, children):
        name, *arguments = children
        return Call(str(name), tuple(a for a in arguments if a is not None),
                    _span(self.path, meta), _token_span(self.path, name))

    def keyword(self, meta, children):
        name, value = children
        return Keyword(str(name), value, _span(self.path, meta))

    def mapping(self, meta, children):
        return MappingLit(tuple(c for c in children if c is not None), _span(self.path, meta))

    def entry(self, meta, children):
        key, value = children
        return Entry(str(key), value, _span(self.path, meta))

    def key(self, meta, children):
        return children[0]

    def set(self, meta, children):
        return SetLit(tuple(c for c in children if c is not None), _span(self.path, meta))

    def member(self, meta, children):
        (token,) = children
        span = _token_span(self.path, token)
        if token.type == "STRING":
            return Member(token[1:-1], True, span)
        return Member(str(token), False, span)

    def number(self, meta, children):
        (token,) = children
        return Number(Fraction(str(token)), str(token), _token_span(self.path, token))

    def var(self, meta, children):
        (token,) = children
        return Var(str(token), _token_span(self.path, token))

    def _binary(self, op, meta, children):
        left, right = children
        return BinOp(op, left, right, _span(self.path, meta))

    def add(self, meta, children):
        return self._binary("+", meta, children)

    def sub(self, meta, children):
        return self._binary("-", meta, children)

    def mul(self, meta, children):
        return self._binary("*", meta, children)

    def div(self, meta, children):
        return self._binary("/", meta, children)

    def neg(self, meta, children):
        (operand,) = children
        return Neg(operand, _span(self.path, meta))


# ---------------------------------------------------------------- syntax errors

_TERMINAL_NAMES = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a quoted label",
    "COMPARE": "a comparison (== != < <= > >=)",
    "$END": "the end of the file",
}
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def _terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = parser().get_terminal(name).pattern
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


def _end_of_file_error(text: str, path: str, expected: set[str]) -> tuple[Span, str, str | None]:
    opened = _unclosed_bracket(text)
    if opened is not None:
        char, line, column = opened
        return (
            Span(path, line, column, line, column + 1),
            f"`{char}` is never closed",
            f"the file ends before the matching `{_OPENERS[char]}`",
        )
    lines = text.splitlines() or [""]
    line = len(lines)
    column = len(lines[-1]) + 1
    wanted = sorted({_terminal(name) for name in expected})
    message = "unexpected end of file" + (f"; expected {', '.join(wanted)}" if wanted else "")
    return Span(path, line, column, line, column + 1), message, None


_NUMBER_RUN = re.compile(r"[0-9.]+")


def describe_syntax_error(error: UnexpectedInput, text: str, path: str) -> tuple[Span, str, str | None]:
    """Turn lark's exception into (place, message, hint)."""
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        return _end_of_file_error(text, path, set(getattr(error, "expected", ()) or ()))
    if isinstance(error, UnexpectedCharacters):
        line, column = error.line, error.column
        char = text[error.pos_in_stream]
        start = error.pos_in_stream
        while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            start -= 1
        run = _NUMBER_RUN.match(text, start)
        if run and any(c.isdigit() for c in run.group()) and "." in run.group():
            width = run.end() - start
            begin = column - (error.pos_in_stream - start)
            return (
                Span(path, line, begin, line, begin + width),
                f"bad number `{run.group()}`",
                "write numbers as 3, 0.25 or 1/4",
            )
        if char == '"':
            return (Span(path, line, column, line, column + 1), "unterminated quoted label",
                    'close the label with `"` on the same line')
        shown = repr(char) if not char.isprintable() or char.isspace() else f"`{char}`"
        hint = "separate entries with commas" if char == ";" else None
        return Span(path, line, column, line, column + 1), f"unexpected character {shown}", hint
    assert isinstance(error, UnexpectedToken)
    token = error.token
    span = _token_span(path, token)
    expected = set(error.expected)
    shown = f"`{token}`"
    if "COMMA" in expected and token.type in {"NAME", "STRING", "NUMBER", "LPAR", "MINUS"} | _keyword_types():
        return span, f"missing `,` before {shown}", "separate entries with commas"
    if token.type in _keyword_types() and "NAME" in expected:
        return span, f"{shown} is a keyword, not a name", "choose another name"
    if token.type == "EQUAL" and "EQUAL" not in expected:
        return span, f"unexpected {shown}", "write `==` to compare"
    wanted = sorted({_terminal(name) for name in expected})
    if len(wanted) > 6:
        wanted = wanted[:6] + ["…"]
    return span, f"unexpected {shown}; expected {', '.join(wanted)}", None


@cache
def _keyword_types() -> frozenset[str]:
    return frozenset(
        t.name
        for t in parser().terminals
        if t.pattern.type == "str" and re.fullmatch(r"[a-z]+", t.pattern.value)
    )
