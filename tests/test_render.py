"""Diagrams: DOT text against saved output, real rendering with Graphviz, and its absence."""

from __future__ import annotations

import shutil

import pytest
from paths import EXAMPLES, ROOT

from decisiontrees import load
from decisiontrees.cli import main
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


def test_explain_draws_both_trees_side_by_side_with_a_witness_per_direction(tmp_path, capsys):
    output = tmp_path / "why.dot"
    spec = str(EXAMPLES / "power_relations.dtree")
    assert main(["render", spec, "--explain", "run", "off", "-o", str(output)]) == 0
    text = output.read_text()
    assert "rankdir=TB" in text and "cluster" not in text  # dot reorders children in frames
    assert 'label="run and off are incomparable (u ∈ [0, 1]^O)"' in text
    # one row per direction: where run is worse, and where off is worse
    assert 'label="under u = {off: 1, o1: 0, o2: 0, o3: 0}: V(run) = 0 < V(off) = 1"' in text
    assert "V(off) = 0 < V(run) = 1" in text
    # the left tree is named and drawn first in each row; children in source order
    lines = text.splitlines()
    heads = [line for line in lines if line.strip().startswith("p0c") and "_name [" in line]
    assert "run: value 0" in heads[0] and "off: value 1" in heads[1]
    run_edges = [line for line in lines if line.strip().startswith("p0c0_n0 ->")]
    assert [e.split('label="')[1].split('"')[0] for e in run_edges] == ["o1", "o2", "o3"]
    # nothing to explain when the trees are equivalent
    assert main(["render", spec, "--explain", "run", "run", "-o", str(output)]) == 2
    assert "nothing to explain, run and run are equivalent" in capsys.readouterr().err


def test_explain_names_the_class_and_shows_one_witness_for_strict_dominance(tmp_path):
    output = tmp_path / "why.dot"
    spec = str(EXAMPLES / "power_relations.dtree")
    assert main(["render", spec, "--explain", "run_or_off", "run", "-o", str(output)]) == 0
    text = output.read_text()
    assert "run_or_off strictly dominates run (u ∈ [0, 1]^O)" in text
    assert "caption0" in text and "caption1" not in text  # one row: one direction fails
    assert main(["render", spec, "--explain", "run", "off", "--class", "off_is_worst",
                 "-o", str(output)]) == 0
    assert "run strictly dominates off (class off_is_worst)" in output.read_text()


def test_explain_as_tikz_compiles_to_the_same_figure(tmp_path):
    output = tmp_path / "why.tex"
    spec = str(EXAMPLES / "power_relations.dtree")
    assert main(["render", spec, "--explain", "run", "off", "-o", str(output)]) == 0
    text = output.read_text()
    assert text.startswith("\\documentclass") and text.count("\\begin{tikzpicture}") == 4
    assert "run: value $0$ & off: value $1$" in text
    assert "V(run) = 0 $<$ V(off) = 1" in text  # `<` is not a text-mode character in LaTeX
    picture = tmp_path / "picture.tex"
    assert main(["render", spec, "--explain", "run", "off", "--picture", "-o",
                 str(picture)]) == 0
    assert "documentclass" not in picture.read_text()
    if shutil.which("pdflatex"):
        compiled = __import__("subprocess").run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", output.name],
            cwd=tmp_path, capture_output=True, timeout=120)
        assert compiled.returncode == 0, compiled.stdout[-2000:]


PARAMETRIC = """
outcomes off, o1, o2
param p in (0, 1)
param q in [0, 1]
utility u = { off: 0, o1: 1, o2: 1/2 }
tree comply = chance { p: off, 1 - p: o1 }
tree disable = choice { stay: o1, gamble: chance { q: o2, 1 - q: o1 } }
tree agent = choice { comply: comply, disable: disable }
claim dominates(agent, comply)
"""


def test_parametric_trees_render_with_values_simplified_on_the_domain(write, capsys):
    folder = write({"shutdown.dtree": PARAMETRIC})
    spec = str(folder / "shutdown.dtree")
    assert main(["render", spec, "agent", "--utility", "u", "--to", "dot"]) == 0
    text = capsys.readouterr().out
    assert "Max" not in text  # Max(1, 1 - p, 1 - q/2) is 1 on the domains
    assert 'n0 [shape=square, label="1"]' in text
    assert 'label="1 - p"' in text and 'label="1 - q/2"' in text
    bold = [line for line in text.splitlines() if "penwidth" in line]
    # disable (1 for every p, q) and stay are optimal everywhere; comply only ties at no p
    assert any('"disable"' in line for line in bold) and any('"stay"' in line for line in bold)
    assert not any('"comply"' in line or '"gamble"' in line for line in bold)
    assert main(["render", spec, "agent", "--utility", "u", "--to", "tikz", "--picture"]) == 0
    tikz = capsys.readouterr().out
    assert tikz.startswith("\\begin{tikzpicture}") and "{$1 - p$}" in tikz and "{$q$}" in tikz


def test_param_fixes_values_for_render_show_export_and_check(write, capsys):
    folder = write({"shutdown.dtree": PARAMETRIC})
    spec = str(folder / "shutdown.dtree")
    assert main(["render", spec, "--explain", "disable", "comply", "--to", "dot"]) == 2
    assert "--param q=1/2" in capsys.readouterr().err  # needs values, says how
    assert main(["render", spec, "--explain", "disable", "comply", "--to", "dot",
                 "--param", "p=1/2", "--param", "q=1/3"]) == 0
    assert "disable and comply are incomparable" in capsys.readouterr().out
    assert main(["show", spec, "comply", "--param", "p=1/4"]) == 0
    assert "1/4: off" in capsys.readouterr().out
    assert main(["export", spec, "agent", "--efg", "--utility", "u"]) == 2
    assert "give them values (e.g. --param p=1/2)" in capsys.readouterr().err
    assert main(["export", spec, "agent", "--efg", "--utility", "u", "--param", "p=1/2",
                 "--param", "q=0.25"]) == 0
    assert "1/4" in capsys.readouterr().out
    assert main(["check", spec, "--param", "p=1/2", "--param", "q=1/2"]) == 0
    assert "(with p = 1/2, q = 1/2)" in capsys.readouterr().out
    for wrong, message in ((["r=1"], "`r` is not a parameter"), (["p=1"], "outside the domain"),
                           (["p=1/2", "p=1/3"], "given twice")):
        arguments = [item for value in wrong for item in ("--param", value)]
        assert main(["show", spec, *arguments]) == 2
        assert message in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["show", spec, "--param", "p=1e999999999"])  # bounded, like the language's numbers
    assert main(["check", spec, "--param", "p=1/2", "--certificate",
                 str(folder / "c.json")]) == 2


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed")
def test_png_resolution_is_set_by_dpi(tmp_path):
    import struct

    spec = str(EXAMPLES / "power_relations.dtree")
    sizes = []
    for dpi in ("72", "288"):
        output = tmp_path / f"run{dpi}.png"
        assert main(["render", spec, "run", "-o", str(output), "--dpi", dpi]) == 0
        sizes.append(struct.unpack(">I", output.read_bytes()[16:20])[0])  # IHDR width
    assert sizes[1] >= 3 * sizes[0]


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
            if utility:  # parametric trees too: values simplified on the domains
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


def test_latex_labels_that_differ_stay_apart_through_tex_ligatures():
    """TeX joins `--` into an en dash and `''` into a closing quote: a label's own `x--y`
    printed like `x–y`."""
    from decisiontrees.render.tikz import latex_text

    # (TeX prints ' as ’ itself, so `a''b` and `a’’b` may look alike; they must not join)
    labels = ["x--y", "x–y", "x---y", "x—y", "a''b", "a”b", "``q", "“q", "!`", "¡",
              "a–-b", "a-–b", "a—-b", "wow!‘x", "wow¡x"]  # pairs made across substitutions too
    assert len({latex_text(label) for label in labels}) == len(labels)
    assert latex_text("x--y") == "x-{}-y" and latex_text("x–y") == "x--y"
    assert latex_text("a’’b") == "a'{}'b"


@pytest.mark.skipif(not HAVE_LATEX and not __import__("os").environ.get("CI"),
                    reason="pdflatex is not installed")
def test_results_tables_compile_as_latex(tmp_path, capsys):
    import subprocess

    assert main(["check", "--latex", str(EXAMPLES)]) == 0
    tables = capsys.readouterr().out
    assert (r"\raggedright\texttt{claim value(\allowbreak{}shutdown,\allowbreak{} "
            r"prefers\_\allowbreak{}off) == 1} & holds & "
            r"\raggedright 1 & \raggedright  \tabularnewline") in tables
    # the witness column: a utility function that separates, for a relation that fails
    assert r"\texttt{claim not dominates(\allowbreak{}run,\allowbreak{} off)} & holds & " \
        r"\raggedright no & " \
        r"\raggedright u = \{off: 1, o1: 0, o2: 0, o3: 0\}" in tables
    (tmp_path / "tables.tex").write_text("\\documentclass{article}\n\\begin{document}\n"
                                         + tables + "\n\\end{document}\n")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "tables.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    log = (tmp_path / "tables.log").read_text(errors="replace")
    wide = [line for line in log.splitlines() if line.startswith("Overfull \\hbox")
            and float(line.split("(")[1].split("pt")[0]) > 20]
    assert not wide, wide[:5]  # the tables fit the page (a long word may stick out a little)


def test_to_picks_the_format_and_prints_text_formats(tmp_path, capsys):
    spec = load(EXAMPLES / "candy.dtree")
    name = next(iter(spec.trees))
    assert main(["render", str(EXAMPLES / "candy.dtree"), name, "--to", "dot"]) == 0
    assert capsys.readouterr().out == to_dot(spec.trees[name], name)
    assert main(["render", str(EXAMPLES / "candy.dtree"), "--to", "tikz"]) == 0
    assert capsys.readouterr().out.startswith("\\documentclass{article}")
    assert main(["render", str(EXAMPLES / "candy.dtree")]) == 2
    assert "--to FORMAT" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="PGF output needs pdflatex")
def test_pgf_plots_write_their_text_as_latex_text(tmp_path):
    """The title went into the .pgf as raw LaTeX: `∈` failed LaTeX's measuring (an internal
    error) and a label `\\input{…}` was run (an independent review)."""
    shutil.copy(EXAMPLES / "power_chance.dtree", tmp_path / "p.dtree")
    assert main(["plot", str(tmp_path / "p.dtree"), "power(grab)", "-o",
                 str(tmp_path / "p.pgf")]) == 0
    (tmp_path / "i.dtree").write_text("outcomes a, b\nparam p in (0, 1)\n")
    question = ('value(chance { p: choice { "\\\\input{/etc/hostname}": a, b }, 1 - p: b }, '
                '{a: 1, *: 0})')
    assert main(["plot", str(tmp_path / "i.dtree"), question, "-o", str(tmp_path / "i.pgf")]) == 0
    assert "\\input{/etc/hostname}" not in (tmp_path / "i.pgf").read_text()


def test_graphviz_that_does_not_finish_is_a_clean_error_within_the_timeout(tmp_path, capsys,
                                                                           monkeypatch):
    """Graphviz had a fixed 300 s that no option changed, and running out of it was an
    internal error (exit 3) (review); a tree near the drawing limit takes Graphviz ~40 s."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text("#!/bin/sh\nsleep 30\n")
    (fake / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{__import__('os').environ['PATH']}")
    spec = tmp_path / "s.dtree"
    spec.write_text("outcomes a, b\ntree t = choice { a, b }\n")
    code = main(["render", str(spec), "-o", str(tmp_path / "t.svg"), "--timeout", "0.5"])
    assert code == 2
    assert "Graphviz did not finish within 0.5 s" in capsys.readouterr().err


@pytest.mark.parametrize("option, value", [("--timeout", "1e-1000"), ("--memory", "1e-1000")])
def test_limits_too_small_to_mean_anything_are_refused_by_the_parser(capsys, option, value):
    """1e-1000 passed as positive and became 0.0: an unlocated error later (review)."""
    with pytest.raises(SystemExit) as stop:
        main(["check", str(EXAMPLES / "candy.dtree"), option, value])
    assert stop.value.code == 2
    assert "must be a positive number" in capsys.readouterr().err
