"""Text to syntax tree: the lark grammar, one Transformer to frozen records, syntax errors.

The syntax tree only records shape and source spans. Meaning (names, probabilities, types)
is checked by :mod:`decisiontrees.checking.loader`.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Union, cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from decisiontrees.language.diagnostics import Reporter, Span

# Words the language reserves: never names of outcomes, trees, parameters or utilities.
KEYWORDS = frozenset(
    {"include", "outcomes", "param", "in", "tree", "choice", "chance", "uniform", "utility",
     "query", "claim", "not", "class", "features", "distribution"}
)

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
class ConstraintChain:
    """``operands[0] ops[0] operands[1] ops[1] …``: one linear constraint per operator."""

    operands: tuple[Expr, ...]
    ops: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Constraints:
    chains: tuple[ConstraintChain, ...]
    on_features: bool  # constraints on the weights of a feature model
    span: Span


@dataclass(frozen=True, slots=True)
class ClassRef:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class ClassDecl:
    name: str
    terms: tuple[Constraints | ClassRef, ...]  # intersected
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class DistributionDecl:
    name: str
    law: Call
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


Item = Union[Include, OutcomesDecl, ParamDecl, TreeDecl, UtilityDecl, ClassDecl, DistributionDecl,
             Query, Claim]


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
    checkout = Path(__file__).resolve().parents[2] / "grammar" / "decisiontrees.lark"
    return checkout.read_text(encoding="utf-8")


class _Lexer(Lexer):
    """One compiled regular expression for every terminal of the grammar.

    lark's own lexer spends about 10 µs a token; this one about 1 µs, which is most of the
    difference between parsing a 100,000-node spec in 10 s and in 3 s. Terminal names come
    from the grammar, so the two cannot drift apart; a test compares them on the examples.
    Keywords are always keywords here (lark's contextual lexer would take ``choice`` as a
    name where only a name can follow); names may not be keywords in any case.
    """

    __future_interface__ = False

    def __init__(self, lexer_conf: Any) -> None:
        literals: dict[str, str] = {}
        patterns: dict[str, str] = {}
        for terminal in lexer_conf.terminals:
            if terminal.pattern.type == "str":
                literals[terminal.pattern.value] = terminal.name
            else:
                patterns[terminal.name] = terminal.pattern.value
        self.keywords = {v: n for v, n in literals.items() if re.fullmatch(r"[a-z]+", v)}
        self.punctuation = {v: n for v, n in literals.items() if v not in self.keywords}
        ordered = sorted(self.punctuation, key=len, reverse=True)
        self.pattern = re.compile(
            r"(?P<WS>[ \t\f\r\n]+)|(?P<COMMENT>" + patterns["COMMENT"] + ")"
            + "|(?P<NAME>" + patterns["NAME"] + ")|(?P<NUMBER>" + patterns["NUMBER"] + ")"
            + "|(?P<STRING>" + patterns["STRING"] + ")|(?P<COMPARE>" + patterns["COMPARE"] + ")"
            + "|(?P<PUNCTUATION>" + "|".join(re.escape(p) for p in ordered) + ")"
        )

    # lark calls a lexer without __future_interface__ as lex(text); its types know only the
    # newer lex(lexer_state, parser_state)
    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        match = self.pattern.match
        keywords, punctuation = self.keywords, self.punctuation
        line, line_start, position, end = 1, 0, 0, len(data)
        while position < end:
            found = match(data, position)
            if found is None:
                raise UnexpectedCharacters(  # type: ignore[no-untyped-call]  # lark leaves it unannotated
                    data, position, line, position - line_start + 1)
            kind = found.lastgroup
            assert kind is not None  # every alternative of the pattern is a named group
            stop = found.end()
            if kind == "WS" or kind == "COMMENT":
                newlines = data.count("\n", position, stop)
                if newlines:
                    line += newlines
                    line_start = data.rindex("\n", position, stop) + 1
                position = stop
                continue
            value = found.group()
            if kind == "NAME":
                kind = keywords.get(value, "NAME")
            elif kind == "PUNCTUATION":
                kind = punctuation[value]
            column = position - line_start + 1
            yield Token(kind, value, position, line, column, line, column + stop - position, stop)
            position = stop


_PARSING = threading.Lock()  # the one transformer holds the path of the file being parsed


@cache
def _parsing() -> tuple[Lark, _ToSyntax]:
    transformer = _ToSyntax()
    lark = Lark(grammar_text(), parser="lalr", lexer=_Lexer, maybe_placeholders=True,
                transformer=transformer)
    return lark, transformer


def parser() -> Lark:
    """The LALR parser; it builds the syntax records directly."""
    return _parsing()[0]


def parse_module(text: str, path: str, reporter: Reporter) -> Module | None:
    """Parse one file's text; on a syntax error, report it and return None."""
    reporter.add_source(path, text)
    lark, transformer = _parsing()
    with collector_paused(), _PARSING:
        transformer.path = path
        try:
            # with transformer=, lark returns what the transformer's start() builds (its types
            # say a lark Tree)
            items = cast(list[Item], lark.parse(text))
        except UnexpectedInput as error:
            span, message, hint = describe_syntax_error(error, text, path)
            reporter.error(span, message, hint)
            return None
    return Module(path, text, tuple(items))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: parsing and checking allocate millions of acyclic
    objects, and its repeated full passes over them cost as much as the work itself."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _token_span(path: str, token: Token) -> Span:
    return Span(path, token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 1)


def _span_of(path: str, item: Any) -> Span:
    return _token_span(path, item) if isinstance(item, Token) else item.span


def _covering(path: str, first: Any, last: Any) -> Span:
    """The span from the start of ``first`` to the end of ``last`` (tokens or records)."""
    a, b = _span_of(path, first), _span_of(path, last)
    return Span(path, a.line, a.column, b.end_line, b.end_column)


def _present(children: list[Any]) -> list[Any]:
    return [c for c in children if c is not None]


class _ToSyntax(Transformer[Token, list[Item]]):
    """One method per rule; builds frozen records and nothing else.

    It runs inside the LALR parser (no intermediate lark tree), so spans come from each
    rule's first and last children: keywords and closing brackets are kept for that.
    """

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.path = "<string>"

    def start(self, children: list[Any]) -> list[Item]:
        return children

    def include(self, children: list[Any]) -> Include:
        keyword, text = children
        return Include(text[1:-1], _covering(self.path, keyword, text))

    def outcomes_decl(self, children: list[Any]) -> OutcomesDecl:
        keyword, *items = _present(children)
        last = items[-1]
        end = last.features[-1] if last.features else last
        return OutcomesDecl(tuple(items), _covering(self.path, keyword, end))

    def outcome_item(self, children: list[Any]) -> OutcomeItem:
        name, features = children
        return OutcomeItem(str(name), tuple(features or ()), _token_span(self.path, name))

    def features(self, children: list[Any]) -> list[Feature]:
        return _present(children)

    def feature(self, children: list[Any]) -> Feature:
        name, value = children
        return Feature(str(name), value, _token_span(self.path, name))

    def param_decl(self, children: list[Any]) -> ParamDecl:
        keyword, name, (low_open, low, high, high_open, closing) = children
        return ParamDecl(str(name), low, high, low_open, high_open,
                         _covering(self.path, keyword, closing), _token_span(self.path, name))

    def interval(self, children: list[Any]) -> tuple[bool, Expr, Expr, bool, Token]:
        opening, low, _comma, high, closing = children
        return (opening == "(", low, high, closing == ")", closing)

    def tree_decl(self, children: list[Any]) -> TreeDecl:
        keyword, name, node = children
        return TreeDecl(str(name), node, _covering(self.path, keyword, node),
                        _token_span(self.path, name))

    def ref(self, children: list[Any]) -> Ref:
        (name,) = children
        return Ref(str(name), _token_span(self.path, name))

    def choice(self, children: list[Any]) -> ChoiceNode:
        keyword, *edges, closing = children
        return ChoiceNode(tuple(_present(edges)), _covering(self.path, keyword, closing))

    def edge(self, children: list[Any]) -> Edge:
        label, node = children
        if label is None:
            return Edge(None, False, node, node.span)
        token = label
        quoted = token.type == "STRING"
        text = token[1:-1] if quoted else str(token)
        return Edge(text, quoted, node, _covering(self.path, token, node))

    def label(self, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    def chance(self, children: list[Any]) -> ChanceNode:
        keyword, *branches, closing = children
        return ChanceNode(tuple(_present(branches)), _covering(self.path, keyword, closing))

    def branch(self, children: list[Any]) -> Branch:
        probability, node = children
        return Branch(probability, node, _covering(self.path, probability, node))

    def uniform(self, children: list[Any]) -> UniformNode:
        keyword, *nodes, closing = children
        return UniformNode(tuple(_present(nodes)), _covering(self.path, keyword, closing))

    def utility_decl(self, children: list[Any]) -> UtilityDecl:
        keyword, name, mapping = children
        return UtilityDecl(str(name), mapping, _covering(self.path, keyword, mapping),
                           _token_span(self.path, name))

    def class_decl(self, children: list[Any]) -> ClassDecl:
        keyword, name, terms = children
        return ClassDecl(str(name), tuple(terms), _covering(self.path, keyword, terms[-1]),
                         _token_span(self.path, name))

    def distribution_decl(self, children: list[Any]) -> DistributionDecl:
        keyword, name, law = children
        return DistributionDecl(str(name), law, _covering(self.path, keyword, law),
                                _token_span(self.path, name))

    def class_expr(self, children: list[Any]) -> list[Constraints | ClassRef]:
        return children

    def class_ref(self, children: list[Any]) -> ClassRef:
        (name,) = children
        return ClassRef(str(name), _token_span(self.path, name))

    def features_class(self, children: list[Any]) -> Constraints:
        keyword, constraints = children
        return Constraints(constraints.chains, True, _covering(self.path, keyword, constraints))

    def constraints(self, children: list[Any]) -> Constraints:
        opening, *chains, closing = children
        return Constraints(tuple(_present(chains)), False, _covering(self.path, opening, closing))

    def constraint(self, children: list[Any]) -> ConstraintChain:
        operands = tuple(children[0::2])
        ops = tuple(str(op) for op in children[1::2])
        return ConstraintChain(operands, ops, _covering(self.path, operands[0], operands[-1]))

    def query(self, children: list[Any]) -> Query:
        keyword, call = children
        return Query(call, _covering(self.path, keyword, call))

    def claim(self, children: list[Any]) -> Claim:
        keyword, negated, call, op, expected = children
        last = expected if expected is not None else call
        return Claim(negated is not None, call, None if op is None else str(op), expected,
                     _covering(self.path, keyword, last))

    def call(self, children: list[Any]) -> Call:
        name, *arguments, closing = children
        return Call(str(name), tuple(_present(arguments)), _covering(self.path, name, closing),
                    _token_span(self.path, name))

    def keyword(self, children: list[Any]) -> Keyword:
        name, value = children
        return Keyword(str(name), value, _covering(self.path, name, value))

    def mapping(self, children: list[Any]) -> MappingLit:
        opening, *entries, closing = children
        return MappingLit(tuple(_present(entries)), _covering(self.path, opening, closing))

    def entry(self, children: list[Any]) -> Entry:
        key, value = children
        return Entry(str(key), value, _covering(self.path, key, value))

    def key(self, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    def set(self, children: list[Any]) -> SetLit:
        opening, *members, closing = children
        return SetLit(tuple(_present(members)), _covering(self.path, opening, closing))

    def member(self, children: list[Any]) -> Member:
        (token,) = children
        span = _token_span(self.path, token)
        if token.type == "STRING":
            return Member(token[1:-1], True, span)
        return Member(str(token), False, span)

    def number(self, children: list[Any]) -> Number:
        (token,) = children
        return Number(Fraction(str(token)), str(token), _token_span(self.path, token))

    def var(self, children: list[Any]) -> Var:
        (token,) = children
        return Var(str(token), _token_span(self.path, token))

    def _binary(self, op: str, children: list[Any]) -> BinOp:
        left, right = children
        return BinOp(op, left, right, _covering(self.path, left, right))

    def add(self, children: list[Any]) -> BinOp:
        return self._binary("+", children)

    def sub(self, children: list[Any]) -> BinOp:
        return self._binary("-", children)

    def mul(self, children: list[Any]) -> BinOp:
        return self._binary("*", children)

    def div(self, children: list[Any]) -> BinOp:
        return self._binary("/", children)

    def neg(self, children: list[Any]) -> Neg:
        sign, operand = children
        return Neg(operand, _covering(self.path, sign, operand))


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
        # lark's types take the class default `pos_in_stream = None`; the lexer stores an int
        position: int = error.pos_in_stream  # type: ignore[assignment]
        char = text[position]
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
