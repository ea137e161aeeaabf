"""fmt: idempotent, keeps comments, and never changes the model."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paths import EXAMPLES
from strategies import OUTCOMES, trees

from decisiontrees import run
from decisiontrees.checking.loader import parse
from decisiontrees.cli import main
from decisiontrees.language.formatter import find_comments, format_text
from decisiontrees.model.nodes import Chance, Choice, Leaf

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.dtree"))


def same_model(text: str, formatted: str, path: str = "x.dtree") -> None:
    before, after = parse(text, path), parse(formatted, path)
    assert before.outcomes == after.outcomes
    assert dict(before.parameters) == dict(after.parameters)
    assert dict(before.trees) == dict(after.trees)  # interned: equal trees are the same objects
    assert dict(before.utilities) == dict(after.utilities)
    assert [(s.kind, s.question, s.negated, s.op, s.expected) for s in before.statements] == \
        [(s.kind, s.question, s.negated, s.op, s.expected) for s in after.statements]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_examples_round_trip(path):
    text = path.read_text()
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    same_model(text, formatted, str(path))
    assert [c.text for c in find_comments(text)] == [c.text for c in find_comments(formatted)]


@st.composite
def layouts(draw, tree) -> str:
    """The tree written as spec text with random spacing, labels, commas and comments."""

    def gap() -> str:
        return draw(st.sampled_from(["", " ", "  ", "\n", "\n    ", " # note\n"]))

    def write(node) -> str:
        if isinstance(node, Leaf):
            return node.outcome
        if isinstance(node, Choice):
            parts = []
            for action, child in zip(node.actions, node.children):
                parts.append(f"{gap()}{action}:{gap()}{write(child)}")
        else:
            assert isinstance(node, Chance)
            parts = [f"{gap()}{write_probability(p)}:{gap()}{write(child)}"
                     for p, child in zip(node.probabilities, node.children)]
        keyword = "choice" if isinstance(node, Choice) else "chance"
        trailing = draw(st.sampled_from(["", ","]))
        return keyword + gap() + "{" + ",".join(parts) + trailing + gap() + "}"

    def write_probability(p: Fraction) -> str:
        if p.denominator == 1:
            return str(p.numerator)
        return draw(st.sampled_from([f"{p.numerator}/{p.denominator}",
                                     f"({p.numerator}) / {p.denominator}",
                                     f"1 - {1 - p}" if p < 1 else str(p)]))

    header = draw(st.sampled_from(["", "# leading comment\n", "\n\n# a\n\n# b\n"]))
    outcomes = "outcomes " + ("," + gap()).join(OUTCOMES)
    return (f"{header}{outcomes}\n{gap()}tree t = {write(tree)}\n"
            f"utility u = {{a: 1, b: -1/2,{gap()}*: 0}}\nclaim value(t, u) >= -1\n")


@given(trees(max_leaves=10).flatmap(lambda tree: st.tuples(st.just(tree), layouts(tree))))
def test_random_layouts_format_to_a_fixed_point_with_the_same_model(tree_and_text):
    tree, text = tree_and_text
    assert parse(text, "x.dtree").trees["t"] is tree  # the loader builds exactly this model
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    same_model(text, formatted)
    assert len(find_comments(text)) == len(find_comments(formatted))


@pytest.mark.parametrize("text", [
    # a long search whose condition holds " with " in a string: split at its settings
    'outcomes a, b, c\nsearch long_search_name_here(x) where optimal(x, {a: 1, b: 1/2, *: 0})'
    ' == {"a1 with a2", "a2"} with nodes = 3 expect none\n',
    'outcomes a, b, c\nsearch long_search_name_here(x) where dominates(x, choice { "go with it":'
    ' a, b: b, c: c, other: a }) with nodes = 3\n',
    # comments inside an entry: between an outcome and its features, inside a mapping entry
    "outcomes rich { resources: 3 }, broke\n# why\n { resources: 0 }\nclaim reachable(rich) =="
    " {rich}\n",
    "outcomes a, b\nutility u = {a:\n # why\n 1, b: 0}\nclaim value(a, u) == 1\n",
])
def test_formatting_keeps_the_meaning_and_reaches_a_fixed_point_at_once(text):
    formatted = format_text(text, "x.dtree")
    assert format_text(formatted, "x.dtree") == formatted
    assert [(r.status, r.answer.summary) for r in run(parse(formatted))] == \
        [(r.status, r.answer.summary) for r in run(parse(text))]
    assert sorted(find_comments_text(formatted)) == sorted(find_comments_text(text))


def find_comments_text(text: str) -> list[str]:
    return [c.text.strip() for c in find_comments(text)]


@given(trees(max_leaves=12).flatmap(lambda tree: st.tuples(st.just(tree), layouts(tree))),
       st.integers(0, 200))
def test_a_bounded_inline_form_is_the_inline_form_or_nothing(tree_and_text, budget):
    """The formatter writes a subtree on one line only after checking it fits, without
    writing out more than fits (a 5,000-level tree took a minute and 720 MB)."""
    from decisiontrees.language.diagnostics import Reporter
    from decisiontrees.language.formatter import _Formatter
    from decisiontrees.language.parser import parse_module

    _, text = tree_and_text
    module = parse_module(text, "x.dtree", Reporter())
    (declaration,) = [item for item in module.items if getattr(item, "name", None) == "t"]
    formatter = _Formatter([])
    whole = formatter.inline(declaration.node)
    bounded = formatter.inline_within(declaration.node, budget)
    assert bounded == (whole if len(whole) <= budget else None)


def test_a_tree_thousands_of_levels_deep_formats():
    import sys

    tree = "a"
    for _ in range(3000):
        tree = f"choice {{ {tree}, b }}"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # as the CLI does
    try:
        formatted = format_text(f"outcomes a, b\ntree t = {tree}\n")
        assert format_text(formatted) == formatted and formatted.count("\n") > 3000
    finally:
        sys.setrecursionlimit(limit)


def test_deep_nesting_is_not_indented_past_a_bound():
    """4,500 nested choices (a 63 KB file that checks) came out of fmt as 81 MB, past the
    size a spec may have, so fmt turned a valid file into one check refuses."""
    from decisiontrees.language.formatter import MAX_INDENT

    depth = 200  # within the default recursion limit of a test (the CLI raises it)
    text = ("outcomes a, b\ntree t = " + "choice { x: a, y: " * depth + "b" + " }" * depth
            + "\nutility u = {a: 1, b: 0}\nclaim value(t, u) == 1\n")
    once = format_text(text)
    assert len(once) < 20 * len(text)
    assert max(len(line) - len(line.lstrip()) for line in once.splitlines()) <= MAX_INDENT
    assert format_text(once) == once
    assert [r.status for r in run(parse(once))] == ["pass"]


def test_a_spec_too_deep_to_format_is_placed_at_its_item(tmp_path, capsys):
    """A 200,001-term sum, which check reads, was reported at 1:1 (review)."""
    path = tmp_path / "sum.dtree"
    path.write_text("outcomes a, b\ntree t = choice { a, b }\nutility u = {a: "
                    + "+".join(["1"] * 200_001) + ", b: 0}\n")
    assert main(["fmt", str(path)]) == 2
    assert "sum.dtree:3:1: error: the spec is nested too deeply to format" in \
        capsys.readouterr().err
