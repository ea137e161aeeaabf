"""POWERplay graphs (.gv): both of POWERplay's forms import to the mdp a user would write by
hand (same POWER and values at every state), and hostile files are refused with a place."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from paths import ROOT

from decisiontrees import SpecError, load, run
from decisiontrees.cli import main
from decisiontrees.formats.importing import imported_text

FIGURE_1 = ROOT / "tests" / "interop" / "turner_figure1.gv"  # Turner et al. 2021, Figure 1

BY_HAND = """
param gamma in (0, 1)
mdp hand {
    gamma = gamma
    start = star
    star: choice { off, left, right }
    off: absorbing
    left: choice { l_up, l_down }
    right: choice { r_up, r_down }
    l_up: choice { l_down }
    l_down: choice { l_up, l_down }
    r_up: choice { r_up, r_down }
    r_down: choice { r_down, r_up }
}
"""
# the imported names, in the order POWERplay declares the states
IMPORTED = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]
HAND = ["star", "off", "left", "right", "l_up", "l_down", "r_up", "r_down"]


def _answers(text: str, names: list[str], block: str, gamma: Fraction, tmp_path: Path,
             file: str) -> list[object]:
    path = tmp_path / file
    path.write_text(text + "".join(f"query mdp_power({block}.{s})\n"
                                   f"query value({block}.{s}, {{{names[2]}: 1, *: 0}})\n"
                                   for s in names))
    return [r.answer.value for r in run(load(path, parameters={"gamma": gamma}))]


@pytest.mark.parametrize("gamma", [Fraction(1, 2), Fraction(9, 10)])
def test_figure_1_imports_to_the_mdp_written_by_hand(tmp_path, gamma):
    text = imported_text(FIGURE_1)
    assert text is not None and "mdp turner_figure1 {" in text
    imported = _answers(text, IMPORTED, "turner_figure1", gamma, tmp_path, "imported.dtree")
    by_hand = _answers(BY_HAND, HAND, "hand", gamma, tmp_path, "hand.dtree")
    assert imported == by_hand
    assert Fraction(str(imported[0])) > Fraction(str(imported[2]))  # POWER(★) > POWER(∅)


def test_the_stochastic_form_keeps_exact_probabilities(tmp_path):
    graph = tmp_path / "walk.gv"
    graph.write_text("""strict digraph  {
"[1]"; "[H]__[1]"; "[1]__[H]__[1]"; "[R]__[1]"; "[2]__[R]__[1]";
"[2]"; "[L]__[2]"; "[1]__[L]__[2]"; "[H]__[2]"; "[1]__[H]__[2]"; "[2]__[H]__[2]";
"[1]" -> "[H]__[1]"; "[1]" -> "[R]__[1]";
"[H]__[1]" -> "[1]__[H]__[1]"  [weight="1.0"];
"[R]__[1]" -> "[2]__[R]__[1]"  [weight="1.0"];
"[2]" -> "[L]__[2]"; "[2]" -> "[H]__[2]";
"[L]__[2]" -> "[1]__[L]__[2]"  [weight="1.0"];
"[H]__[2]" -> "[1]__[H]__[2]"  [weight="0.3"];
"[H]__[2]" -> "[2]__[H]__[2]"  [weight="0.7"];
}
""")
    text = imported_text(graph)
    assert text is not None
    assert "s2: choice { L: s1, H: chance { 3/10: s1, 7/10: s2 } }" in text
    spec = tmp_path / "walk.dtree"
    spec.write_text(text + "query value(walk.s2, {s2: 1, *: 0})\n")
    (result,) = run(load(spec, parameters={"gamma": Fraction(1, 2)}))
    # H at s2 and R back from s1: x = (1 − γ) + γ(7x/10 + 3y/10), y = γx, γ = 1/2
    assert result.answer.comparable == Fraction(20, 23)


def test_unreachable_states_are_left_out_and_said(tmp_path):
    graph = tmp_path / "g.gv"
    graph.write_text('digraph "g" { a; b; TERMINAL; a -> b; b -> a; b -> b; '
                     "TERMINAL -> TERMINAL; }")
    text = imported_text(graph)
    assert text is not None and "# left out, unreachable from the start: TERMINAL" in text
    assert "TERMINAL:" not in text


@pytest.mark.parametrize("body, message", [
    ('graph "g" { a -- b; }', "not a Graphviz digraph"),
    ('digraph { "[1]"; "[A]__[1]"; "[1]__[A]__[1]"; "[1]" -> "[A]__[1]";'
     ' "[A]__[1]" -> "[1]__[A]__[1]" [weight="0.5"]; }', "sum to 1/2, not 1"),
    ('digraph { a -> b [weight="1/2"]; }', "is not a decimal number"),
    ('digraph { a -> b [weight="' + "1" * 1001 + '"]; }', "at most 1000 digits"),
    ('digraph { a -> b; } claim x', "text after the graph's closing"),
    ('digraph { a -> b; subgraph { c } }', "expected a node"),
    # a chain as long as 200,000 statements took 29 s to import (a review), 60,000 took 46 s
    # before state names were looked up in a dict
    ('digraph {' + "".join(f'"s{i}" -> "s{i + 1}";' for i in range(50_001)) + "}",
     "more than 50,000 statements"),
])
def test_bad_graphs_are_refused_with_a_place(tmp_path, capsys, body, message):
    graph = tmp_path / "bad.gv"
    graph.write_text(body)
    with pytest.raises(SpecError) as error:
        imported_text(graph)
    assert message in str(error.value)
    assert main(["import", str(graph)]) == 2
    shown = capsys.readouterr().err
    assert f"{graph}:1:" in shown
    assert max(len(line) for line in shown.splitlines()) < 300, "a window of a long line"


def test_names_from_the_file_cannot_become_spec_text(tmp_path):
    graph = tmp_path / "evil.gv"
    graph.write_text('digraph "x\\n}\\nclaim 1 == 2 #" { "a }\\nclaim dominates(t, t)" -> '
                     '"include \\"/etc/passwd\\""; "include \\"/etc/passwd\\"" -> '
                     '"a }\\nclaim dominates(t, t)"; }')
    text = imported_text(graph)
    assert text is not None
    statements = [line for line in text.splitlines() if not line.startswith("#")]
    assert not any(re.match(r"\s*(claim|include|query)\b", line) for line in statements)
    path = tmp_path / "evil.dtree"
    path.write_text(text)
    assert not run(load(path, parameters={"gamma": Fraction(1, 2)}))


def test_default_attribute_statements_are_not_states(tmp_path):
    """`graph [...]`, `node [...]`, `edge [...]` set defaults; a state may still be called so
    when quoted or used in an edge (found in review: this crashed with a KeyError)."""
    graph = tmp_path / "attributes.gv"
    graph.write_text('digraph { node [shape=box]; edge [color=red]; a -> graph; '
                     'graph [rankdir=LR]; "node" -> a; a -> "node"; }')
    text = imported_text(graph)
    assert text is not None
    assert "a: choice { graph: graph, node: node }" in text and "graph: absorbing" in text
    assert "node: choice { a: a }" in text


def test_comment_marks_inside_quoted_names_are_part_of_the_name(tmp_path):
    """`/*` or `//` inside a quoted state name opens no comment (Graphviz reads these four
    edges too); a real comment spanning lines keeps later errors on their lines."""
    graph = tmp_path / "names.gv"
    graph.write_text('digraph "g" {\n"a/*" -> "b";\n"a/*" -> "c"; // two moves\n'
                     '"c" -> "*/";\n"b" -> "http://x";\n"http://x" -> "b"; }')
    text = imported_text(graph)
    assert text is not None
    assert "a: choice { b: b, c: c }" in text and "c: choice { s4: s4 }" in text
    assert "b: choice { http_x: http_x }" in text and "http_x: choice { b: b }" in text
    bad = tmp_path / "bad.gv"
    bad.write_text('digraph {\n/* a\ncomment */ a -> b;\n a -> b [weight="x"];\n}')
    with pytest.raises(SpecError, match="not a decimal number") as error:
        imported_text(bad)
    assert f"{bad}:4:" in str(error.value)


def test_an_edge_written_without_spaces_imports(tmp_path):
    """`a->b`: a name may hold `-`, and it took the arrow's `-` as its own."""
    path = tmp_path / "g.gv"
    path.write_text("digraph G {\n  a->b;\n  b->a;\n  c-1->a;\n}\n")
    text = imported_text(path)
    assert "a: choice { b: b }" in text and "b: choice { a: a }" in text and "c-1" in text
