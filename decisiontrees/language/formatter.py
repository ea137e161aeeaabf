"""`decisiontrees fmt`: one canonical layout for spec files, keeping every comment.

Layout: four-space indents; a node, mapping or list goes on one line when it fits in
``WIDTH`` columns and holds no comment, otherwise one entry per line with trailing commas;
at most one blank line between top-level items (kept where the source had one); an edge
label equal to its target's name is dropped (``off: off`` becomes ``off``). Formatting is
idempotent and never changes the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from decisiontrees.errors import Span
from decisiontrees.language.diagnostics import Reporter, source_lines
from decisiontrees.language.files import read_text
from decisiontrees.language.parser import parse_module
from decisiontrees.language.syntax import (
    KEYWORDS,
    Asked,
    BinOp,
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
    Expr,
    GridRows,
    Include,
    Item,
    Keyword,
    MappingLit,
    MDPDecl,
    MDPSetting,
    MDPState,
    Neg,
    NodeSyntax,
    Number,
    NumberList,
    OutcomeItem,
    OutcomesDecl,
    ParamDecl,
    Query,
    Ref,
    Search,
    SetLit,
    TreeDecl,
    UniformNode,
    UtilityDecl,
    Value,
    Var,
)

WIDTH = 88
# deeper nodes keep this indent: indenting every level made a 63 KB file of 4,500 levels
# an 81 MB one, past what a spec may be
MAX_INDENT = 16 * len("    ")
INDENT = "    "
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Comment:
    line: int
    column: int
    text: str


def find_comments(text: str) -> list[Comment]:
    """Every ``#`` comment outside quoted labels, in order."""
    comments = []
    for number, line in enumerate(source_lines(text), start=1):
        in_string = False
        for column, char in enumerate(line, start=1):
            if char == '"':
                in_string = not in_string
            elif char == "#" and not in_string:
                comments.append(Comment(number, column, line[column - 1:].rstrip()))
                break
    return comments


def format_file(path: str) -> tuple[str, str]:
    """The file's text and its canonical form; raises SpecError on a syntax error or a file
    that cannot be read as UTF-8 text."""
    text = read_text(path)
    return text, format_text(text, path)


def format_text(text: str, path: str = "<string>") -> str:
    """The canonical layout of spec text; raises SpecError on a syntax error."""
    reporter = Reporter()
    module = parse_module(text, path, reporter)
    reporter.raise_if_any()
    assert module is not None
    formatter = _Formatter(find_comments(text))
    try:
        return formatter.module(module.items, text)
    except RecursionError:  # at the item being formatted (a 200,000-term sum was placed at 1:1)
        at = formatter.formatting or Span(path, 1, 1, 1, 2)
        reporter.error(Span(path, at.line, at.column, at.line, at.column + 1),
                       "the spec is nested too deeply to format",
                       "split deep trees into named parts; write a long sum as its value")
        reporter.raise_if_any()
        raise


def _precedence(expr: Expr) -> int:
    if isinstance(expr, BinOp):
        return 1 if expr.op in "+-" else 2
    if isinstance(expr, Neg):
        return 3
    return 4


def expression(expr: Expr) -> str:
    """An expression with the fewest parentheses that keep its syntax tree."""
    if isinstance(expr, Number):
        return expr.text
    if isinstance(expr, Var):
        return expr.name
    if isinstance(expr, Neg):
        inner = expression(expr.operand)
        return f"-({inner})" if _precedence(expr.operand) < 4 else f"-{inner}"
    level = _precedence(expr)
    left = expression(expr.left)
    right = expression(expr.right)
    if _precedence(expr.left) < level:
        left = f"({left})"
    if _precedence(expr.right) <= level:
        right = f"({right})"
    if expr.op == "/" and isinstance(expr.left, Number) and isinstance(expr.right, Number):
        return f"{left}/{right}"
    return f"{left} {expr.op} {right}"


def label(text: str) -> str:
    if _NAME.fullmatch(text) and text not in KEYWORDS:
        return text
    return f'"{text}"'


def value(item: Value) -> str:
    if isinstance(item, MappingLit):
        return "{" + ", ".join(f"{e.key}: {expression(e.value)}" for e in item.entries) + "}"
    if isinstance(item, SetLit):
        return "{" + ", ".join(f'"{m.name}"' if m.quoted else m.name for m in item.members) + "}"
    return expression(item)


class _Formatter:
    def __init__(self, comments: list[Comment]) -> None:
        self.comments = comments
        self.position = 0
        self.formatting: Span | None = None  # the item being formatted, for an error there

    # -- comments

    def leading(self, line: int, indent: str) -> list[str]:
        """Own-line comments that start before ``line``."""
        out = []
        while self.position < len(self.comments) and self.comments[self.position].line < line:
            out.append(indent + self.comments[self.position].text)
            self.position += 1
        return out

    def trailing(self, line: int, within: Span | None = None) -> str:
        """The comment at the end of ``line``, if it is next (and inside ``within``)."""
        if self.position < len(self.comments) and self.comments[self.position].line == line:
            comment = self.comments[self.position]
            if within is not None and (comment.line, comment.column) > (within.end_line, within.end_column):
                return ""
            self.position += 1
            return "  " + self.comments[self.position - 1].text
        return ""

    def has_comment_inside(self, span: Span) -> bool:
        for comment in self.comments[self.position:]:
            if (comment.line, comment.column) > (span.end_line, span.end_column):
                return False
            if (comment.line, comment.column) > (span.line, span.column):
                return True
        return False

    # -- top level

    def module(self, items: tuple[Item, ...], text: str) -> str:
        lines = source_lines(text)
        out: list[str] = []
        previous_end = 0
        for item in items:
            start = item.span.line
            first_content = start
            if self.position < len(self.comments) and self.comments[self.position].line < start:
                first_content = self.comments[self.position].line
            gap = lines[previous_end:first_content - 1]
            if out and any(not g.strip() for g in gap):
                out.append("")
            out.extend(self.leading_with_blanks(start, lines))
            self.formatting = item.span
            rendered = self.item(item)
            rendered[-1] += self.trailing(item.span.end_line)
            out.extend(rendered)
            previous_end = item.span.end_line
        rest = self.leading(10**9, "")
        if rest:
            gap = lines[previous_end:self.comments[-1].line - 1]
            if out and any(not g.strip() for g in gap[: len(gap) - len(rest) + 1] or gap):
                out.append("")
            out.extend(rest)
        return "\n".join(out) + "\n"

    def leading_with_blanks(self, line: int, lines: list[str]) -> list[str]:
        """Own-line comments before a top-level item, keeping single blank lines between them."""
        out: list[str] = []
        last = None
        while self.position < len(self.comments) and self.comments[self.position].line < line:
            comment = self.comments[self.position]
            if last is not None and any(not g.strip() for g in lines[last:comment.line - 1]):
                out.append("")
            out.append(comment.text)
            last = comment.line
            self.position += 1
        if last is not None and any(not g.strip() for g in lines[last:line - 1]):
            out.append("")
        return out

    def item(self, item: object) -> list[str]:
        if isinstance(item, Include):
            return [f'include "{item.path}"']
        if isinstance(item, OutcomesDecl):
            return self.outcomes(item)
        if isinstance(item, ParamDecl):
            left = "(" if item.low_open else "["
            right = ")" if item.high_open else "]"
            return [f"param {item.name} in {left}{expression(item.low)}, {expression(item.high)}{right}"]
        if isinstance(item, TreeDecl):
            return self.node(item.node, f"tree {item.name} = ", "", item.span)
        if isinstance(item, MDPDecl):
            return self.mdp(item)
        if isinstance(item, UtilityDecl):
            return self.mapping_block(f"utility {item.name} = ", item.mapping)
        if isinstance(item, Query):
            return [f"query {self.call(item.call)}"]
        if isinstance(item, ClassDecl):
            return self.class_decl(item)
        if isinstance(item, DistributionDecl):
            return [f"distribution {item.name} = {self.call(item.law)}"]
        if isinstance(item, Search):
            head, settings = self.search(item)
            flat = head + (" " + settings if settings else "")
            if len(flat) <= WIDTH or not settings.startswith("with "):
                return [flat]
            return [head, INDENT + settings]
        assert isinstance(item, Claim)
        text = "claim " + ("not " if item.negated else "") + self.call(item.call)
        if item.op is not None and item.expected is not None:
            shown = self.call(item.expected) if isinstance(item.expected, Call) \
                else value(item.expected)
            text += f" {item.op} {shown}"
        return [text]

    def mdp(self, item: MDPDecl) -> list[str]:
        """Settings and states one a line, in the order written."""
        out = [f"mdp {item.name} {{"]
        parts: list[MDPSetting | MDPState] = sorted(
            [*item.settings, *item.states], key=lambda p: (p.span.line, p.span.column))
        for part in parts:
            out.extend(self.leading(part.span.line, INDENT))
            if isinstance(part, MDPSetting) and isinstance(part.value, GridRows):
                head = f"{INDENT}{part.name} = "  # one row a line, aligned
                lines = [(head if k == 0 else " " * len(head)) + f'"{row}"'
                         for k, row in enumerate(part.value.rows)]
            elif isinstance(part, MDPSetting):
                assert not isinstance(part.value, GridRows)
                lines = [f"{INDENT}{part.name} = {expression(part.value)}"]
            elif part.node is None:
                lines = [f"{INDENT}{part.name}: absorbing"]
            else:
                lines = self.node(part.node, f"{part.name}: ", INDENT, part.span)
            lines[-1] += self.trailing(part.span.end_line, item.span)
            out.extend(lines)
        out.extend(self.leading(item.span.end_line, INDENT))
        out.append("}")
        return out

    def class_decl(self, item: ClassDecl) -> list[str]:
        def chain(c: ConstraintChain) -> str:
            parts = [expression(c.operands[0])]
            for op, operand in zip(c.ops, c.operands[1:]):
                parts.append(f"{op} {expression(operand)}")
            return " ".join(parts)

        def term(t: Constraints | ClassRef) -> str:
            if isinstance(t, ClassRef):
                return t.name
            body = "{" + ", ".join(chain(c) for c in t.chains) + "}"
            return f"features {body}" if t.on_features else body

        flat = f"class {item.name} = " + " & ".join(term(t) for t in item.terms)
        if len(flat) <= WIDTH and not self.has_comment_inside(item.span):
            return [flat]
        out: list[str] = []
        line = f"class {item.name} = "
        for position, t in enumerate(item.terms):
            if position:
                line += " & "
            if isinstance(t, ClassRef):
                line += t.name
                continue
            out.append(line + ("features {" if t.on_features else "{"))
            for c in t.chains:
                out.extend(self.leading(c.span.line, INDENT))
                out.append(INDENT + chain(c) + ",")
                out[-1] += self.trailing(c.span.end_line, t.span)
            out.extend(self.leading(t.span.end_line, INDENT))
            line = "}"
        out.append(line)
        return out

    def search(self, item: Search) -> tuple[str, str]:
        """The search up to its condition, and its settings and expectation (split here,
        not at the text " with ", which a string in the condition may hold)."""
        head = (f"search {item.name}({', '.join(item.variables)}) where "
                f"{self.condition(item.condition)}")
        rest = []
        if item.settings:
            shown = []
            for setting in item.settings:
                value_text = ("[" + ", ".join(expression(x) for x in setting.value.items) + "]"
                              if isinstance(setting.value, NumberList) else value(setting.value))
                shown.append(f"{setting.name} = {value_text}")
            rest.append("with " + ", ".join(shown))
        if item.expect:
            rest.append(f"expect {item.expect}")
        return head, " ".join(rest)

    def condition(self, condition: Asked | Connective, inner: bool = False) -> str:
        if isinstance(condition, Asked):
            text = self.call(condition.call)
            if condition.op is not None and condition.expected is not None:
                right = self.call(condition.expected) if isinstance(condition.expected, Call) \
                    else value(condition.expected)
                text += f" {condition.op} {right}"
            return text
        if condition.word == "not":
            return "not " + self.condition(condition.parts[0], True)
        text = f" {condition.word} ".join(self.condition(p, True) for p in condition.parts)
        return f"({text})" if inner else text

    def call(self, call: Call) -> str:
        parts = []
        for argument in call.arguments:
            if isinstance(argument, Keyword):
                shown = self.call(argument.value) if isinstance(argument.value, Call) \
                    else value(argument.value)
                parts.append(f"{argument.name} = {shown}")
            elif isinstance(argument, Call):
                parts.append(self.call(argument))
            elif isinstance(argument, (ChoiceNode, ChanceNode, UniformNode)):
                parts.append(self.inline(argument))
            else:
                parts.append(value(argument))
        return f"{call.name}(" + ", ".join(parts) + ")"

    def outcomes(self, item: OutcomesDecl) -> list[str]:
        def one(outcome: OutcomeItem) -> str:
            features = outcome.features
            if not features:
                return outcome.name
            inner = ", ".join(f"{f.name}: {expression(f.value)}" for f in features)
            return f"{outcome.name} {{ {inner} }}"

        flat = "outcomes " + ", ".join(one(o) for o in item.items)
        if len(flat) <= WIDTH and not self.has_comment_inside(item.span):
            return [flat]
        out = ["outcomes"]
        for outcome in item.items:
            # a comment inside an entry (between a name and its features) goes before it
            last = max([outcome.span.end_line, *(f.span.end_line for f in outcome.features)])
            out.extend(self.leading(last, INDENT))
            out.append(INDENT + one(outcome) + ",")
            out[-1] += self.trailing(outcome.span.line, item.span)
        return out

    def mapping_block(self, prefix: str, mapping: MappingLit) -> list[str]:
        flat = prefix + value(mapping)
        if len(flat) <= WIDTH and not self.has_comment_inside(mapping.span):
            return [flat]
        out = [prefix + "{"]
        for entry in mapping.entries:
            out.extend(self.leading(entry.span.end_line, INDENT))
            out.append(f"{INDENT}{entry.key}: {expression(entry.value)},")
            out[-1] += self.trailing(entry.span.end_line, mapping.span)
        out.extend(self.leading(mapping.span.end_line, INDENT))
        out.append("}")
        return out

    # -- trees

    def inline(self, node: NodeSyntax) -> str:
        if isinstance(node, Ref):
            return node.name
        if isinstance(node, ChoiceNode):
            inner = [self.edge_text(e.label, e.node, self.inline(e.node)) for e in node.edges]
            return "choice { " + ", ".join(inner) + " }" if inner else "choice {}"
        if isinstance(node, ChanceNode):
            inner = [f"{expression(b.probability)}: {self.inline(b.node)}" for b in node.branches]
            return "chance { " + ", ".join(inner) + " }" if inner else "chance {}"
        inner = [self.inline(c) for c in node.children]
        return "uniform { " + ", ".join(inner) + " }" if inner else "uniform {}"

    def inline_within(self, node: NodeSyntax, budget: int) -> str | None:
        """``inline(node)`` if it has at most ``budget`` characters, else None — found
        without writing out more than the budget (deep trees stay linear, not quadratic)."""
        if isinstance(node, Ref):
            return node.name if len(node.name) <= budget else None
        if budget < len("choice {}"):  # no node but a name is shorter: stop here
            return None
        entries: list[tuple[NodeSyntax, str]]  # each child, and what is written before it
        if isinstance(node, ChoiceNode):
            keyword = "choice"
            entries = [(e.node, self.edge_prefix(e.label, e.node)) for e in node.edges]
        elif isinstance(node, ChanceNode):
            keyword = "chance"
            entries = [(b.node, f"{expression(b.probability)}: ") for b in node.branches]
        else:
            keyword, entries = "uniform", [(c, "") for c in node.children]
        if not entries:
            return f"{keyword} {{}}" if len(keyword) + 3 <= budget else None
        used, parts = len(keyword) + 5, []  # "choice { " and " }"
        for child, before in entries:
            text = self.inline_within(child, budget - used - len(before))
            if text is None:
                return None
            parts.append(before + text)
            used += len(parts[-1]) + 2 * (len(parts) > 1)  # ", " between entries
            if used > budget:
                return None
        return f"{keyword} {{ " + ", ".join(parts) + " }"

    @staticmethod
    def edge_text(edge_label: str | None, target: NodeSyntax, rendered: str) -> str:
        if edge_label is None or (isinstance(target, Ref) and target.name == edge_label):
            return rendered
        return f"{label(edge_label)}: {rendered}"

    def node(self, node: NodeSyntax, prefix: str, indent: str, span: Span) -> list[str]:
        """``node`` after ``prefix`` at ``indent``; the last line gets no trailing comma."""
        if isinstance(node, Ref):
            return [indent + prefix + node.name]
        flat = self.inline_within(node, WIDTH - len(indent) - len(prefix))
        if flat is not None and not self.has_comment_inside(node.span):
            return [indent + prefix + flat]
        inner = indent + INDENT if len(indent) < MAX_INDENT else indent
        if isinstance(node, ChoiceNode):
            keyword = "choice"
            entries = [(e.span, self.edge_prefix(e.label, e.node), e.node) for e in node.edges]
        elif isinstance(node, ChanceNode):
            keyword = "chance"
            entries = [(b.span, f"{expression(b.probability)}: ", b.node) for b in node.branches]
        else:
            keyword = "uniform"
            entries = [(c.span, "", c) for c in node.children]
        out = [f"{indent}{prefix}{keyword} {{"]
        for entry_span, entry_prefix, child in entries:
            out.extend(self.leading(entry_span.line, inner))
            lines = self.node(child, entry_prefix, inner, entry_span)
            lines[-1] += "," + self.trailing(entry_span.end_line, node.span)
            out.extend(lines)
        out.extend(self.leading(node.span.end_line, inner))
        out.append(indent + "}")
        return out

    @staticmethod
    def edge_prefix(edge_label: str | None, target: NodeSyntax) -> str:
        if edge_label is None or (isinstance(target, Ref) and target.name == edge_label):
            return ""
        return f"{label(edge_label)}: "
