"""Text to syntax records: the lark grammar (LALR), a fast lexer, one Transformer.

The grammar file is the only definition of the syntax. Syntax errors are described by
:mod:`decisiontrees.language.syntax_errors`.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput
from lark.lexer import Lexer

from decisiontrees.errors import Span
from decisiontrees.language.diagnostics import Reporter
from decisiontrees.language.syntax import (
    LINE_BREAKS,
    Asked,
    BinOp,
    Branch,
    Call,
    ChanceNode,
    ChoiceNode,
    Claim,
    ClassDecl,
    ClassRef,
    Connective,
    ConstraintChain,
    Constraints,
    DistributionDecl,
    Edge,
    Entry,
    Expr,
    Feature,
    GridRows,
    Include,
    Item,
    Keyword,
    MappingLit,
    MDPDecl,
    MDPSetting,
    MDPState,
    Member,
    Module,
    Neg,
    Number,
    NumberList,
    OutcomeItem,
    OutcomesDecl,
    ParamDecl,
    Query,
    Ref,
    Search,
    SetLit,
    Setting,
    TreeDecl,
    UniformNode,
    UtilityDecl,
    Var,
)
from decisiontrees.language.syntax_errors import (
    NumberTooLarge,
    describe_syntax_error,
    number_too_large,
    token_span,
)


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
            # a carriage return only before a line feed: a lone one (classic Mac line ends)
            # would be a line break to the reader and not to the parser, which then read
            # every line after a comment as part of it
            r"(?P<WS>(?:[ \t\f\n]|\r\n)+)|(?P<COMMENT>" + patterns["COMMENT"] + ")"
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
            if kind == "COMMENT" and stop < end and data[stop] in LINE_BREAKS:
                # refused rather than ending the comment: after a form feed, read as white
                # space, the rest of the line would run as code while it reads as comment
                raise UnexpectedCharacters(  # type: ignore[no-untyped-call]
                    data, stop, line, stop - line_start + 1)
            if kind == "WS" or kind == "COMMENT":
                newlines = data.count("\n", position, stop)
                if newlines:
                    line += newlines
                    line_start = data.rindex("\n", position, stop) + 1
                position = stop
                continue
            value = found.group()
            column = position - line_start + 1
            if kind == "NUMBER" and number_too_large(value):
                raise NumberTooLarge(data, position, line, column, value)
            if kind == "NAME":
                kind = keywords.get(value, "NAME")
            elif kind == "PUNCTUATION":
                kind = punctuation[value]
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
            span, message, hint = describe_syntax_error(error, text, path, lark)
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


def _span_of(path: str, item: Any) -> Span:
    return token_span(path, item) if isinstance(item, Token) else item.span


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
        return OutcomeItem(str(name), tuple(features or ()), token_span(self.path, name))

    def features(self, children: list[Any]) -> list[Feature]:
        return _present(children)

    def feature(self, children: list[Any]) -> Feature:
        name, value = children
        return Feature(str(name), value, token_span(self.path, name))

    def param_decl(self, children: list[Any]) -> ParamDecl:
        keyword, name, (low_open, low, high, high_open, closing) = children
        return ParamDecl(str(name), low, high, low_open, high_open,
                         _covering(self.path, keyword, closing), token_span(self.path, name))

    def interval(self, children: list[Any]) -> tuple[bool, Expr, Expr, bool, Token]:
        opening, low, _comma, high, closing = children
        return (opening == "(", low, high, closing == ")", closing)

    def tree_decl(self, children: list[Any]) -> TreeDecl:
        keyword, name, node = children
        return TreeDecl(str(name), node, _covering(self.path, keyword, node),
                        token_span(self.path, name))

    def mdp_decl(self, children: list[Any]) -> MDPDecl:
        keyword, name, _opening, *items, closing = children
        settings = tuple(i for i in items if isinstance(i, MDPSetting))
        states = tuple(i for i in items if isinstance(i, MDPState))
        return MDPDecl(str(name), settings, states, _covering(self.path, keyword, closing),
                       token_span(self.path, name))

    def mdp_setting(self, children: list[Any]) -> MDPSetting:
        name, value = children
        return MDPSetting(str(name), value, _covering(self.path, name, value))

    def grid(self, children: list[Any]) -> GridRows:
        return GridRows(tuple(str(token)[1:-1] for token in children),
                        _covering(self.path, children[0], children[-1]))

    def mdp_state(self, children: list[Any]) -> MDPState:
        name, node = children
        if isinstance(node, Token):  # `absorbing`
            return MDPState(str(name), None, _covering(self.path, name, node),
                            token_span(self.path, name))
        return MDPState(str(name), node, _covering(self.path, name, node),
                        token_span(self.path, name))

    def ref(self, children: list[Any]) -> Ref:
        (name,) = children
        return Ref(str(name), token_span(self.path, name))

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
                           token_span(self.path, name))

    def class_decl(self, children: list[Any]) -> ClassDecl:
        keyword, name, terms = children
        return ClassDecl(str(name), tuple(terms), _covering(self.path, keyword, terms[-1]),
                         token_span(self.path, name))

    def distribution_decl(self, children: list[Any]) -> DistributionDecl:
        keyword, name, law = children
        return DistributionDecl(str(name), law, _covering(self.path, keyword, law),
                                token_span(self.path, name))

    def class_expr(self, children: list[Any]) -> list[Constraints | ClassRef]:
        return children

    def class_ref(self, children: list[Any]) -> ClassRef:
        (name,) = children
        return ClassRef(str(name), token_span(self.path, name))

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

    def search(self, children: list[Any]) -> Search:
        keyword, name, *rest = children
        variables = []
        while rest and isinstance(rest[0], Token) and rest[0].type == "NAME":
            variables.append(str(rest.pop(0)))
        closing, where, condition, *tail = rest
        settings = [item for item in tail if isinstance(item, Setting)]
        words = [item for item in tail if isinstance(item, Token)]
        expect = next((w for w in words if w.type == "NAME"), None)
        last = expect if expect is not None else (settings[-1] if settings else condition)
        return Search(str(name), tuple(variables), condition, tuple(settings),
                      None if expect is None else str(expect), _covering(self.path, keyword, last),
                      token_span(self.path, name),
                      None if expect is None else token_span(self.path, expect))

    def condition(self, children: list[Any]) -> Connective:
        parts = [c for c in children if not isinstance(c, Token)]
        return Connective("or", tuple(parts), _covering(self.path, parts[0], parts[-1]))

    def conjunction(self, children: list[Any]) -> Connective:
        parts = [c for c in children if not isinstance(c, Token)]
        return Connective("and", tuple(parts), _covering(self.path, parts[0], parts[-1]))

    def negated_condition(self, children: list[Any]) -> Connective:
        keyword, part = children
        return Connective("not", (part,), _covering(self.path, keyword, part))

    def asked(self, children: list[Any]) -> Asked:
        call, op, expected = children
        last = expected if expected is not None else call
        return Asked(call, None if op is None else str(op), expected,
                     _covering(self.path, call, last))

    def setting(self, children: list[Any]) -> Setting:
        name, value = children
        return Setting(str(name), value, _covering(self.path, name, value))

    def numbers(self, children: list[Any]) -> NumberList:
        opening, *items, closing = children
        return NumberList(tuple(_present(items)), _covering(self.path, opening, closing))

    def call(self, children: list[Any]) -> Call:
        name, *arguments, closing = children
        return Call(str(name), tuple(_present(arguments)), _covering(self.path, name, closing),
                    token_span(self.path, name))

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
        span = token_span(self.path, token)
        if token.type == "STRING":
            return Member(token[1:-1], True, span)
        return Member(str(token), False, span)

    def number(self, children: list[Any]) -> Number:
        (token,) = children
        return Number(Fraction(str(token)), str(token), token_span(self.path, token))

    def var(self, children: list[Any]) -> Var:
        (token,) = children
        return Var(str(token), token_span(self.path, token))

    def qualified(self, children: list[Any]) -> Var:
        outer, inner = children
        return Var(f"{outer}.{inner}", _covering(self.path, outer, inner))

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
