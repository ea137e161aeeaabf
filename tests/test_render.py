"""Diagrams: DOT text against saved output, real rendering with Graphviz, and its absence."""

from __future__ import annotations

import shutil

import pytest
from paths import EXAMPLES, ROOT

from decisiontrees import load
from decisiontrees.cli import main
from decisiontrees.model.nodes import is_symbolic
from decisiontrees.render.dot import to_dot

HAVE_DOT = shutil.which("dot") is not None


def test_dot_text_matches_saved_output():
    spec = load(EXAMPLES / "information.dtree")
    text = to_dot(spec.trees["look_first"], "look_first", spec.utilities["likes_sun"])
    assert text == (ROOT / "tests" / "golden" / "look_first.dot").read_text()


def test_optimal_actions_are_bold_and_ties_all_are():
    from decisiontrees.model.nodes import choice

    tree = choice({"a": "x", "b": "y", "c": "z"})
    text = to_dot(tree, "t", {"x": 1, "y": 1, "z": 0})
    bold = [line for line in text.splitlines() if "penwidth" in line]
    assert len(bold) == 2 and '"a"' in bold[0] and '"b"' in bold[1]


def test_shared_subtrees_are_drawn_once_unless_unfolded():
    from decisiontrees.model.nodes import choice, uniform

    shared = choice({"l": "x", "r": "y"})
    tree = uniform([shared, shared])
    assert to_dot(tree).count("shape=square") == 1
    assert to_dot(tree, unfold=True).count("shape=square") == 2


@pytest.mark.skipif(not HAVE_DOT and not __import__("os").environ.get("CI"),
                    reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.dtree")), ids=lambda p: p.name)
def test_every_example_renders_with_the_real_dot(tmp_path, capsys, path):
    spec = load(path)
    for name in spec.trees:
        output = tmp_path / f"{name}.svg"
        assert main(["render", str(path), name, "-o", str(output)]) == 0
        assert output.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_without_dot_the_dot_file_is_written_and_the_fix_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    output = tmp_path / "t.svg"
    assert main(["render", str(EXAMPLES / "shutdown.dtree"), "shutdown", "-o", str(output)]) == 2
    assert (tmp_path / "t.dot").read_text().startswith('digraph "shutdown"')
    assert "apt-get install graphviz" in capsys.readouterr().err


def test_unknown_format_and_tree(tmp_path, capsys):
    assert main(["render", str(EXAMPLES / "shutdown.dtree"), "-o", str(tmp_path / "t.gif")]) == 2
    assert "use one of .svg, .pdf, .png, .dot" in capsys.readouterr().err
    assert main(["render", str(EXAMPLES / "shutdown.dtree"), "shutdwn", "-o", str(tmp_path / "t.svg")]) == 2
    assert "did you mean `shutdown`?" in capsys.readouterr().err


def test_the_gallery_has_every_example_tree_and_the_readme_shows_every_example():
    gallery = {p.name for p in (EXAMPLES / "gallery").glob("*.svg")}
    readme = (ROOT / "README.md").read_text()
    for path in sorted(EXAMPLES.glob("*.dtree")):
        spec = load(path)
        for name in spec.trees:
            if path.stem != "common":
                assert f"{path.stem}-{name}.svg" in gallery, "run scripts/gallery.sh"
        if spec.trees and path.stem != "common":
            assert f"examples/gallery/{path.stem}-" in readme, path.name


def test_explain_draws_both_trees_under_the_witness(tmp_path, capsys):
    output = tmp_path / "why.dot"
    spec = str(EXAMPLES / "power_relations.dtree")
    assert main(["render", spec, "--explain", "run", "off", "-o", str(output)]) == 0
    text = output.read_text()
    assert "subgraph cluster_l" in text and "subgraph cluster_r" in text
    assert 'label="incomparable: under u = {off: 1, o1: 0, o2: 0, o3: 0}, V(run) = 0 < V(off) = 1"' \
        in text
    assert 'label="run: value 0"' in text and 'label="off: value 1"' in text
    # nothing to explain when one tree contains the other both ways
    assert main(["render", spec, "--explain", "run", "run", "-o", str(output)]) == 2
    assert "nothing to explain, the trees are equivalent" in capsys.readouterr().err


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed")
def test_notebooks_show_trees_and_diagrams_as_svg():
    from decisiontrees import Diagram, choice

    tree = choice({"stay": "home", "go": "out"})
    assert tree._repr_svg_().lstrip().startswith(("<?xml", "<svg"))
    drawn = Diagram(tree, "t", {"home": 1, "out": 0})._repr_svg_()
    assert "<svg" in drawn and "stay" in drawn


def test_without_dot_notebooks_fall_back_to_text(monkeypatch):
    from decisiontrees import Diagram, choice

    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert Diagram(choice({"stay": "home"}))._repr_svg_() is None


def test_notebooks_show_results_as_a_table_with_their_evidence():
    from decisiontrees import parse, run

    spec = parse("""
    outcomes off, o1, o2
    tree off_now = off
    tree run = choice { o1, o2 }
    claim value(run, {o1: 1, *: 0}) == 1
    claim dominates(run, off_now)
    """)
    results = run(spec)
    table = results._repr_html_()
    assert table.count("<tr>") == 3 and "PASS" in table and "FAIL" in table
    assert "dominates(run, off_now)" in table
    assert "off: 1" in table  # the witness utility function
    assert results[1]._repr_html_().count("<tr>") == 2  # one result: header and a row
    (less,) = run(parse("outcomes a\ntree t = a\nclaim value(t, {a: 0}) < 1"))
    assert "<code>claim value(t, {a: 0}) &lt; 1</code>" in less._repr_html_()


HAVE_LATEX = shutil.which("pdflatex") is not None


@pytest.mark.skipif(not HAVE_LATEX and not __import__("os").environ.get("CI"),
                    reason="pdflatex is not installed")
def test_every_example_compiles_as_latex(tmp_path):
    import subprocess

    for path in sorted(EXAMPLES.glob("*.dtree")):
        spec = load(path)
        for name in spec.trees:
            target = tmp_path / f"{path.stem}-{name}.tex"
            utility = next(iter(spec.utilities), None)
            args = ["render", str(path), name, "-o", str(target)]
            if utility and not is_symbolic(spec.trees[name]):
                args += ["--utility", utility]
            assert main(args) == 0
            result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                                     target.name], cwd=tmp_path, capture_output=True, text=True,
                                    timeout=120)
            assert result.returncode == 0, result.stdout[-2000:]
            assert (tmp_path / f"{path.stem}-{name}.pdf").exists()


def test_latex_escapes_special_characters():
    from decisiontrees.model.nodes import choice
    from decisiontrees.render.tikz import to_tikz

    text = to_tikz(choice({"50% & more_#1": "x_y"}), {"x_y": __import__("fractions").Fraction(-1, 2)})
    assert r"50\% \& more\_\#1" in text and r"x\_y" in text and r"$-\frac{1}{2}$" in text


@pytest.mark.skipif(not HAVE_LATEX and not __import__("os").environ.get("CI"),
                    reason="pdflatex is not installed")
def test_results_tables_compile_as_latex(tmp_path, capsys):
    import subprocess

    assert main(["check", "--latex", str(EXAMPLES)]) == 0
    tables = capsys.readouterr().out
    assert r"\texttt{claim value(shutdown, prefers\_off) == 1} & holds & 1 \\" in tables
    (tmp_path / "tables.tex").write_text("\\documentclass{article}\n\\begin{document}\n\\tiny\n"
                                         + tables + "\n\\end{document}\n")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "tables.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]


def test_to_picks_the_format_and_prints_text_formats(tmp_path, capsys):
    spec = load(EXAMPLES / "candy.dtree")
    name = next(iter(spec.trees))
    assert main(["render", str(EXAMPLES / "candy.dtree"), name, "--to", "dot"]) == 0
    assert capsys.readouterr().out == to_dot(spec.trees[name], name)
    assert main(["render", str(EXAMPLES / "candy.dtree"), "--to", "tikz"]) == 0
    assert capsys.readouterr().out.startswith("\\documentclass{article}")
    assert main(["render", str(EXAMPLES / "candy.dtree")]) == 2
    assert "--to FORMAT" in capsys.readouterr().err
