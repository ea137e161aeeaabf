"""Gambit extensive-form files (.efg) for one-player trees: import and export.

Import reads the file, refuses what a decision tree cannot express (several players,
information sets with several nodes, payoffs at non-terminal nodes) with the place and
the reason, and writes the equivalent spec text, which the normal checker then loads.
Each terminal outcome becomes an outcome of the spec; player 1's payoffs become the
utility function ``payoff``. Export writes a tree (shared subtrees repeated) with one
information set per node.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, TypeAlias, Union

from decisiontrees.errors import ArgumentError, Diagnostic, FormatRefused, RefusedError, Span, SpecError
from decisiontrees.formats.common import (
    UniqueNames,
    choice_labels,
    comment,
    diagnostic_at,
    identifier,
)
from decisiontrees.language.numbers import brief, exact_number, number_text
from decisiontrees.language.syntax import MAX_NUMBER_DIGITS
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node

MAX_EFG_NODES = 1_000_000
_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([{}])|([^\s{}"]+))', re.S)


@dataclass
class _Token:
    kind: str  # string, brace or word
    text: str
    line: int
    column: int


# A node as read from the file, before it becomes spec text: its kind, then the outcome
# number of a terminal node or the (label, child) pairs of a move, then its token.
_EfgLeaf: TypeAlias = tuple[Literal["leaf"], int, _Token]
_EfgChance: TypeAlias = tuple[Literal["chance"], list[tuple[Fraction, "_EfgNode"]], _Token]
_EfgChoice: TypeAlias = tuple[Literal["choice"], list[tuple[str, "_EfgNode"]], _Token]
_EfgNode: TypeAlias = Union[_EfgLeaf, _EfgChance, _EfgChoice]


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    position, line, line_start = 0, 1, 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            rest = text[position:]
            if rest.strip():
                start = position + len(rest) - len(rest.lstrip())
                line, line_start = _lines_up_to(text, position, start, line, line_start)
                what = "a string that is never closed" if rest.lstrip()[0] == '"' \
                    else "unreadable text"
                raise FormatRefused(_Token("word", rest.lstrip()[:1], line,
                                           start - line_start + 1), what)
            return found
        group = match.lastindex
        assert group is not None  # the pattern matched one of its three alternatives
        start = match.start(group)
        line, line_start = _lines_up_to(text, position, start, line, line_start)
        column = start - line_start + 1
        if match.group(1) is not None:
            found.append(_Token("string", re.sub(r'\\(["\\])', r"\1", match.group(1)), line,
                                column - 1))
            # a string over several lines: the next token's line and column count from its end
            line, line_start = _lines_up_to(text, start, match.end(), line, line_start)
        elif match.group(2) is not None:
            found.append(_Token("brace", match.group(2), line, column))
        else:
            found.append(_Token("word", match.group(3), line, column))
        position = match.end()


def _lines_up_to(text: str, position: int, end: int, line: int, line_start: int
                 ) -> tuple[int, int]:
    """The line number and the offset where that line starts, at ``end``, given them at
    ``position`` (counted on as the text is read, not from its start for every token)."""
    breaks = text.count("\n", position, end)
    if not breaks:
        return line, line_start
    return line + breaks, text.rindex("\n", position, end) + 1


@dataclass
class _Reader:
    tokens: list[_Token]
    position: int = 0
    outcomes: dict[int, tuple[str, Fraction]] = field(default_factory=dict)
    infosets: dict[tuple[str, int], _Token] = field(default_factory=dict)
    chance_moves: dict[int, list[tuple[str, Fraction]]] = field(default_factory=dict)

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def next_is(self, kind: str) -> bool:
        """Whether the next token exists and is of ``kind``."""
        token = self.peek()
        return token is not None and token.kind == kind

    def take(self, kind: str | None = None, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None:
            raise FormatRefused(self.tokens[-1] if self.tokens else None, "the file ends too early")
        if (kind and token.kind != kind) or (text and token.text != text):
            wanted = text or kind
            raise FormatRefused(token, f"expected {wanted}, found `{token.text}`")
        self.position += 1
        return token

    def number(self) -> Fraction:
        token = self.take("word")
        value = exact_number(token.text)
        if value is None:
            raise FormatRefused(token, f"`{token.text[:40]}` is not a number (or has more than "
                                f"{MAX_NUMBER_DIGITS} digits)")
        return value

    def integer(self) -> int:
        token = self.take("word")
        if not re.fullmatch(r"\d{1,18}", token.text):
            raise FormatRefused(token, f"`{token.text[:40]}` is not a whole number (of at most 18 "
                                "digits)")
        return int(token.text)

    def strings_in_braces(self) -> list[str]:
        self.take("brace", "{")
        items = []
        while self.next_is("string"):
            items.append(self.take().text)
        self.take("brace", "}")
        return items

    def outcome(self, at: _Token, terminal: bool) -> int:
        number_token = self.peek()
        number = self.integer()
        nxt = self.peek()
        if nxt is not None and nxt.kind == "string":
            if number == 0:  # Gambit's null outcome: such a node pays nothing
                raise FormatRefused(number_token, "outcome 0 is the null outcome (no payoff): "
                                    "it cannot have a name or payoffs; number the outcome "
                                    "from 1")
            name = self.take().text
            opening = self.take("brace", "{")
            payoffs = []
            while self.next_is("word"):
                payoffs.append(self.number())
            self.take("brace", "}")
            if len(payoffs) != 1:
                raise FormatRefused(opening, f"{len(payoffs)} payoffs for outcome {number}: a "
                                    "one-player game has one payoff per outcome")
            earlier = self.outcomes.get(number)
            if earlier is not None and earlier[1] != payoffs[0]:
                raise FormatRefused(opening, f"outcome {number} is defined again with another "
                                    f"payoff ({brief(str(payoffs[0]), 40)}, was "
                                    f"{brief(str(earlier[1]), 40)})")
            self.outcomes[number] = (name, payoffs[0])
        elif number and number not in self.outcomes:
            raise FormatRefused(number_token, f"outcome {number} is used before it is defined "
                                "(its name and payoff go where it first occurs)")
        if number and not terminal:
            raise FormatRefused(at, "payoffs at a non-terminal node cannot be expressed as outcomes "
                               "of a decision tree")
        return number

    def node(self) -> _EfgNode:
        token = self.take("word")
        if token.text == "t":
            self.take("string")
            return ("leaf", self.outcome(token, terminal=True), token)
        if token.text == "c":
            self.take("string")
            infoset = self.integer()
            self.check_infoset("chance", infoset, token)
            if self.next_is("string"):
                self.take()
            if not self.next_is("brace") and infoset in self.chance_moves:
                branches = self.chance_moves[infoset]  # Gambit's short form: the set's moves again
                self.outcome(token, terminal=False)
                return ("chance", [(p, self.node()) for _, p in branches], token)
            self.take("brace", "{")
            branches = []
            while self.next_is("string"):
                action = self.take().text
                branches.append((action, self.number()))
            self.take("brace", "}")
            earlier = self.chance_moves.setdefault(infoset, branches)
            if [p for _, p in earlier] != [p for _, p in branches]:
                raise FormatRefused(token, f"chance information set {infoset} has other "
                                    "probabilities at line "
                                    f"{self.infosets[('chance', infoset)].line}")
            if not branches:
                raise FormatRefused(token, "a chance node without branches")
            if any(p < 0 for _, p in branches) or sum(p for _, p in branches) != 1:
                raise FormatRefused(token, "the probabilities of this chance node are "
                                    f"{brief(', '.join(str(p) for _, p in branches), 120)}: "
                                    "not a distribution (each at least 0, summing to 1)")
            self.outcome(token, terminal=False)
            return ("chance", [(p, self.node()) for _, p in branches], token)
        if token.text == "p":
            self.take("string")
            player = self.integer()
            if player != 1:
                raise FormatRefused(token, f"player {player} moves here: only one-player games are "
                                      "decision trees")
            infoset = self.integer()
            self.check_infoset("player 1", infoset, token)
            if self.next_is("string"):
                self.take()
            actions = self.strings_in_braces()
            if not actions:
                raise FormatRefused(token, "a decision node without moves")
            self.outcome(token, terminal=False)
            return ("choice", [(a, self.node()) for a in actions], token)
        raise FormatRefused(token, f"expected a node (c, p or t), found `{token.text}`")

    def check_infoset(self, owner: str, number: int, token: _Token) -> None:
        first = self.infosets.get((owner, number))
        if first is not None and owner != "chance":
            raise FormatRefused(token, f"information set {number} of {owner} also holds the node at "
                                  f"line {first.line}: a decision tree needs every decision to "
                                  "know where it is (perfect information)")
        self.infosets.setdefault((owner, number), token)


def efg_to_spec_text(text: str, path: str) -> str:
    """Spec text for a one-player .efg file; raises SpecError saying why a file is refused."""
    try:
        reader = _Reader(_tokens(text))
        reader.take("word", "EFG")
        reader.take("word")
        reader.take("word")
        title = reader.take("string")
        players = reader.strings_in_braces()
        if len(players) != 1:
            raise FormatRefused(title, f"{len(players)} players: only one-player games are decision trees")
        if reader.next_is("string"):
            reader.take()
        try:
            root = reader.node()
        except RecursionError:
            raise FormatRefused(reader.peek(), "the game is nested too deeply to import") from None
        if reader.peek() is not None:
            raise FormatRefused(reader.peek(), "text after the last node")
    except FormatRefused as refusal:
        token = refusal.where
        line, column = (token.line, token.column) if token else (1, 1)
        raise SpecError([diagnostic_at(text, path, line, column,
                                       f"cannot import this Gambit file: {refusal}")]) from None
    try:
        return _spec_text(root, reader, title, path)
    except RecursionError:
        raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2), "cannot import this Gambit file: the "
                                    "game is nested too deeply")]) from None


def _spec_text(root: _EfgNode, reader: _Reader, title: _Token, path: str) -> str:
    names: dict[int, str] = {}
    fresh = UniqueNames()
    for number in sorted({n for n in _leaf_outcomes(root)}):
        name, _ = reader.outcomes.get(number, ("", Fraction(0)))
        base = identifier(name, f"outcome_{number}") if number else "no_outcome"
        names[number] = fresh(base)
    # the tree and the utility are named apart from the outcomes (an outcome may be `payoff`)
    tree, utility = fresh(identifier(title.text.lower()[:40], "game")), fresh("payoff")
    lines = [f"# imported from {comment(path)}: {comment(title.text)}",
             "outcomes " + ", ".join(names[n] for n in sorted(names)),
             f"tree {tree} = {_node_text(root, names)}"]
    payoffs = {names[n]: reader.outcomes.get(n, ("", Fraction(0)))[1] for n in names}
    lines.append(f"utility {utility} = {{" + ", ".join(f"{o}: {number_text(v)}" for o, v in payoffs.items())
                 + "}")
    return "\n".join(lines) + "\n"


def _leaf_outcomes(node: _EfgNode) -> list[int]:
    if node[0] == "leaf":
        return [node[1]]
    return [n for _, child in node[1] for n in _leaf_outcomes(child)]


def _node_text(node: _EfgNode, names: Mapping[int, str]) -> str:
    if node[0] == "leaf":
        return names[node[1]]
    if node[0] == "chance":
        return "chance { " + ", ".join(f"{number_text(p)}: {_node_text(c, names)}" for p, c in node[1]) + " }"
    labels = choice_labels([action for action, _ in node[1]])
    return "choice { " + ", ".join(f'"{label}": {_node_text(child, names)}'
                                   for label, (_, child) in zip(labels, node[1])) + " }"


def _efg_string(text: str) -> str:
    """``text`` as a quoted .efg string: a backslash or quote inside is escaped (a label
    ending in a backslash otherwise escaped the closing quote)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_efg(tree: Node, name: str, utility: Mapping[str, Fraction] | None = None) -> str:
    """The tree as a one-player .efg file; outcomes are numbered in order of appearance."""
    numbers: dict[str, int] = {}
    lines = [f'EFG 2 R {_efg_string(name)} {{ "Player 1" }}', '""', ""]
    infoset = 0
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            if node.outcome in numbers:
                lines.append(f't "" {numbers[node.outcome]}')
            else:
                numbers[node.outcome] = len(numbers) + 1
                payoff = utility[node.outcome] if utility is not None else 0
                lines.append(f't "" {numbers[node.outcome]} "{node.outcome}" {{ {payoff} }}')
            continue
        infoset += 1
        if isinstance(node, Choice):
            actions = " ".join(_efg_string(a) for a in node.actions)
            lines.append(f'p "" 1 {infoset} "" {{ {actions} }} 0')
        else:
            assert isinstance(node, Chance)
            if not all(isinstance(p, Fraction) for p in node.probabilities):
                raise ArgumentError("export --efg: the tree has parameters; give them values "
                                    "(e.g. --param p=1/2)")
            moves = " ".join(f'"{k + 1}" {p}' for k, p in enumerate(node.probabilities))
            lines.append(f'c "" {infoset} "" {{ {moves} }} 0')
        stack.extend(reversed(node.children))
        if len(lines) > MAX_EFG_NODES:
            raise RefusedError(f"export --efg: the tree written out has more than {MAX_EFG_NODES} "
                               "nodes (Gambit's format repeats shared subtrees)")
    return "\n".join(lines) + "\n"
