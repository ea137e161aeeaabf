"""proofs/: every claim passes, every search finds what it expects, and proofs/REPORT.md is the
report of the specs as they are now (regenerate it with the command REGENERATE names)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from paths import ROOT

from decisiontrees.api import report_paths, write_report
from decisiontrees.cli import main
from decisiontrees.model.spec import StatementKind
from decisiontrees.questions.base import Status
from decisiontrees.report import ResultReport, leading_comment, render_report

PROOFS = ROOT / "proofs"
REGENERATE = ("decisiontrees report proofs/ --to markdown --no-times --figures figures "
              "-o proofs/REPORT.md")


@pytest.fixture(scope="module")
def proofs_report() -> tuple[str, list[ResultReport]]:
    """The Markdown report of proofs/, made once (checking the folder takes about a minute)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return write_report(["proofs"], "markdown", times=False, figures="figures")


def test_every_claim_and_search_in_proofs_passes(proofs_report):
    _, reports = proofs_report
    assert len(reports) >= 13
    for report in reports:
        assert report.file.valid, [d.render() for d in report.file.diagnostics]
        assert report.header and report.header[0].startswith(("Source", "Sources")), \
            f"{report.file.path} must open with a comment naming its source"
        for result in report.file.results:
            if result.statement.kind == StatementKind.CLAIM:
                assert result.status == Status.PASS, \
                    f"{report.file.path}:{result.statement.span.line} {result.statement.text}: " \
                    f"{result.answer.summary}"


def _without_versions(text: str) -> str:
    """Solver versions appear in the evidence; another install may have another version."""
    return re.sub(r"\bz3 \d+(\.\d+)*", "z3", text)


def test_the_committed_report_is_current(proofs_report):
    text, _ = proofs_report
    committed = (PROOFS / "REPORT.md").read_text(encoding="utf-8")
    assert _without_versions(committed) == _without_versions(text), \
        f"proofs/REPORT.md is out of date: run `{REGENERATE}` from the project folder"


def test_proofs_are_formatted(capsys):
    assert main(["fmt", "--check", str(PROOFS)]) == 0


def test_leading_comment_is_the_block_before_the_first_declaration():
    text = "\n# Source: A. Author (2025)\n#\n#   indented\n#no space\n\noutcomes a  # not this\n# nor this\n"
    assert leading_comment(text) == ("Source: A. Author (2025)", "", "  indented", "no space")
    assert leading_comment("outcomes a\n# late\n") == ()
    assert leading_comment("") == ()


SMALL = """# Source: a test, section 1.
# Formalised: one claim that holds, one that fails.
outcomes a, b
tree t = choice { a, b }
claim value(t, {a: 1, *: 0}) == 1
claim value(t, {a: 1, *: 0}) == 1/2
query plans(t)
search pair(x, y) where inclusion(x, y) with nodes = 3 expect found
"""


def test_report_formats_show_source_claims_verdicts_and_optional_times(tmp_path):
    spec = tmp_path / "small.dtree"
    spec.write_text(SMALL)
    reports = report_paths([str(spec)])
    assert reports[0].seconds is not None
    markdown = render_report(reports, "markdown")
    assert "Source: a test, section 1." in markdown
    assert "| 5 | `claim value(t, {a: 1, *: 0}) == 1` | PASS |" in markdown
    assert "| 6 | `claim value(t, {a: 1, *: 0}) == 1/2` | FAIL | 1<br>claimed == 1/2" in markdown
    assert "first hit: tree x = choice { a1: a, a2: b }; tree y = a" in markdown
    assert "2 of 3 claims passed" in markdown and " s |" in markdown
    timeless = render_report(report_paths([str(spec)], times=False), "markdown")
    assert " s |" not in timeless and "checked in" not in timeless
    latex = render_report(reports, "latex")
    assert "\\subsection*{" in latex and "Source: a test, section 1.\\par" in latex
    assert "fails" in latex
    html = render_report(reports, "html")
    assert html.startswith("<!DOCTYPE html>") and "<pre>Source: a test" in html
    with pytest.raises(ValueError):
        render_report(reports, "rtf")


def test_report_command_writes_the_file_and_exits_1_on_a_failed_claim(tmp_path, capsys):
    spec = tmp_path / "small.dtree"
    spec.write_text(SMALL)
    out = tmp_path / "report.md"
    assert main(["report", str(spec), "--no-times", "-o", str(out)]) == 1
    assert "wrote" in capsys.readouterr().out
    assert out.read_text().startswith("# Results from the literature, checked")
    spec.write_text(SMALL.replace("== 1/2", "== 1"))
    assert main(["report", str(spec), "--to", "html"]) == 0
    assert "<h2>" in capsys.readouterr().out


def test_report_of_an_invalid_file_names_the_problem(tmp_path, capsys):
    spec = tmp_path / "bad.dtree"
    spec.write_text("# Source: nowhere.\noutcomes a\ntree t = choice { b }\n")
    assert main(["report", str(spec), "--no-times"]) == 2
    captured = capsys.readouterr()
    assert "invalid" in captured.out and "unknown outcome or tree `b`" in captured.err


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
def test_latex_report_compiles(tmp_path):
    spec = tmp_path / "small.dtree"
    spec.write_text(SMALL.replace("section 1.", "section 1, σ_i & 50% {braces}."))
    (tmp_path / "body.tex").write_text(render_report(report_paths([str(spec)]), "latex"))
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\begin{document}\n\\input{body}\n\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
def test_a_latex_report_with_brackets_greek_and_many_claims_compiles_onto_its_pages(tmp_path):
    """A header line starting with "[" after a line break, Greek and our answers' symbols
    compile; 60 claims become several tables, none running off the page."""
    spec = tmp_path / "long.dtree"
    spec.write_text("# Γ-maximin ≈ ‹left›, per Huntley & Troffaes.\n# [1] https://arxiv.org/\n"
                    "outcomes a, b\ntree t = choice { a, b }\n" + "".join(
                        f"claim value(t, {{a: {i}, b: 0}}) == {i}\n" for i in range(60)))
    body = render_report(report_paths([str(spec)]), "latex")
    assert "$\\Gamma$-maximin $\\approx$" in body and body.count("\\begin{tabular}") >= 2
    (tmp_path / "body.tex").write_text(body)
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\begin{document}\n\\input{body}\n\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Overfull \\vbox" not in (tmp_path / "doc.log").read_text(errors="replace")


def test_every_figure_the_report_links_is_committed(proofs_report):
    text, _ = proofs_report
    linked = set(re.findall(r"\]\(<(figures/[^>]+\.svg)>\)", text))
    assert linked and all((PROOFS / link).is_file() for link in linked)


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_report_draws_a_figure_per_file_and_links_it(tmp_path, capsys):
    spec = tmp_path / "pair.dtree"
    spec.write_text("# Source: a test.\noutcomes a, b\ntree t = choice { a, b }\n"
                    "tree s = choice { a }\nclaim dominates(t, s)\n")
    output = tmp_path / "out" / "report.md"
    output.parent.mkdir()
    assert main(["report", str(spec), "--no-times", "--figures", "figs", "-o", str(output)]) == 0
    assert "![t strictly dominates s (u ∈ \\[0, 1]^O)](<figs/pair.svg>)" in output.read_text()
    assert (tmp_path / "out" / "figs" / "pair.svg").read_text().lstrip().startswith("<?xml")


def test_a_report_figure_compares_in_the_claims_class(tmp_path):
    """Review: beside a claim that holds within a class, the figure said the two trees were
    incomparable over [0, 1]^O, with a witness outside the class."""
    spec = tmp_path / "cls.dtree"
    spec.write_text("outcomes off, o1, o2\ntree run = choice { o1, o2 }\n"
                    "tree off_t = choice { off }\nclass worst = {off <= o1, off <= o2}\n"
                    "claim dominates(run, off_t, worst)\n")
    output = tmp_path / "report.md"
    assert main(["report", str(spec), "--no-times", "--figures", "figs", "-o", str(output)]) == 0
    assert "![run strictly dominates off_t (class worst)](<figs/cls.svg>)" in output.read_text()


def test_markdown_cells_show_labels_and_outcomes_as_written(tmp_path):
    """Outcome names and labels are text in the write-up: `__x__` is not bold, `~~c~~` not
    struck out, `[doc](…)` not a link, and no stray backslash appears once rendered."""
    spec = tmp_path / "md.dtree"
    spec.write_text('outcomes __x__, y, z\n'
                    'tree t = choice { "a*": __x__, "see [doc](http://e.org)": z, "~~c~~": y }\n'
                    'utility u = {__x__: 1, y: 1, z: 1}\nquery optimal(t, u)\n')
    text = render_report(report_paths([str(spec)]), "markdown")
    row = next(line for line in text.splitlines() if line.startswith("| 4 |"))
    cell = row.split(" | ", 3)[3]
    assert r"\_\_x\_\_" in cell and r"\~\~c\~\~" in cell and r"see \[doc](http://e.org)" in cell
    assert r"a\*" in cell and "\\\\" not in cell  # one backslash before each, never two


def test_report_figures_of_files_with_one_name_do_not_overwrite_each_other(tmp_path):
    for folder, other in (("c1", "a"), ("c2 (v2)", "b")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.dtree").write_text(
            f"outcomes a, b\ntree t = choice {{ a, b }}\ntree s = choice {{ {other} }}\n"
            "claim dominates(t, s)\n")
    reports = report_paths([str(tmp_path / "c1" / "x.dtree"), str(tmp_path / "c2 (v2)" /
                                                                 "x.dtree")],
                           figures="my figs", draw_into=None)
    assert [r.figure for r in reports] == ["my figs/x.svg", "my figs/x-2.svg"]
    text = render_report(reports, "markdown")
    assert "](<my figs/x.svg>)" in text and "](<my figs/x-2.svg>)" in text


def test_the_header_of_a_file_saved_with_a_byte_order_mark_is_reported(tmp_path):
    spec = tmp_path / "bom.dtree"
    spec.write_bytes("\ufeff# Source: a file saved by Notepad.\noutcomes a\n"
                     "tree t = choice { a }\nquery lotteries(t)\n".encode())
    [report] = report_paths([str(spec)])
    assert report.header == ("Source: a file saved by Notepad.",)
