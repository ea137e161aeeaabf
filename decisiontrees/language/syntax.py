"""The syntax tree: frozen records of what a spec file says, each with its source span.

The records only record shape. Meaning (names, probabilities, types) is checked by
:mod:`decisiontrees.checking`; text becomes records in :mod:`decisiontrees.language.parser`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from decisiontrees.errors import Span

# Words the language reserves: never names of outcomes, trees, parameters or utilities.
KEYWORDS = frozenset(
    {"include", "outcomes", "param", "in", "tree", "choice", "chance", "uniform", "utility",
     "query", "claim", "not", "class", "features", "distribution", "search", "where", "with",
     "expect", "and", "or", "mdp", "absorbing"}
)

EXTENSION = ".dtree"

# Numbers are exact; these bound the work a literal can ask for (docs/language.md).
MAX_NUMBER_DIGITS = 1000
MAX_EXPONENT = 1000
MAX_VALUE_BITS = 13_000  # about 4,000 digits: what a spec's arithmetic may reach

# Unicode's Bidi_Control characters reorder how the rest of a line is displayed, so a line
# holding one need not read as it parses ("Trojan Source", CVE-2021-42574): no label or
# comment holds one (the grammar's STRING and COMMENT leave out this set too).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")


# Besides LF and CR, what editors or Python's str.splitlines may show as a line break: in a
# comment or a label, the text after one would seem to be on a line of its own while it
# parses as part of the comment or the label (the grammar's STRING and COMMENT leave them out)
LINE_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def unprintable(char: str) -> bool:
    """Whether ``char`` may not stand in a label: a control character (it could end the
    label or the line, or be a terminal's escape code), a line or paragraph separator, or a
    bidirectional control."""
    return char in BIDI_CONTROLS or char in LINE_BREAKS or unicodedata.category(char) == "Cc"


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
    value: Union[Value, Call]  # a call for options such as `rule = best_of(2)`
    span: Span


# A call's argument: a value, a law or another call, a tree written in place, or `name = value`
Argument = Union[Value, "Call", ChoiceNode, ChanceNode, UniformNode, Keyword]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    arguments: tuple[Argument, ...]
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
class GridRows:
    """``"S . #" ". . ."``: the rows of a gridworld map, as written (quotes removed)."""

    rows: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class MDPSetting:
    """``gamma = 9/10``, ``start = s0``, ``horizon = 5`` or ``map = "…"`` in an mdp block."""

    name: str
    value: Expr | GridRows
    span: Span


@dataclass(frozen=True, slots=True)
class MDPState:
    """``s0: choice { left: s1, right: chance { 1/2: s2, 1/2: s0 } }`` or ``s2: absorbing``:
    a state and its actions (``node`` is None for an absorbing state)."""

    name: str
    node: NodeSyntax | None
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class MDPDecl:
    name: str
    settings: tuple[MDPSetting, ...]
    states: tuple[MDPState, ...]
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
    expected: Value | Call | None  # a Call: compared with that question's answer
    span: Span


@dataclass(frozen=True, slots=True)
class Asked:
    """One claim inside a search condition: ``call`` or ``call op value``."""

    call: Call
    op: str | None
    expected: Value | Call | None
    span: Span


@dataclass(frozen=True, slots=True)
class Connective:
    """``and`` / ``or`` of several conditions, or ``not`` of one."""

    word: str  # "and", "or", "not"
    parts: tuple[Condition, ...]
    span: Span


Condition = Union[Asked, Connective]


@dataclass(frozen=True, slots=True)
class NumberList:
    """``[1/3, 2/3]``: a setting's list of numbers."""

    items: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    value: Value | NumberList
    span: Span


@dataclass(frozen=True, slots=True)
class Search:
    """``search NAME(t, s) where CONDITION [with settings] [expect found|none]``."""

    name: str
    variables: tuple[str, ...]
    condition: Condition
    settings: tuple[Setting, ...]
    expect: str | None
    span: Span
    name_span: Span
    expect_span: Span | None


Item = Union[Include, OutcomesDecl, ParamDecl, TreeDecl, MDPDecl, UtilityDecl, ClassDecl,
             DistributionDecl, Query, Claim, Search]


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    text: str
    items: tuple[Item, ...]
