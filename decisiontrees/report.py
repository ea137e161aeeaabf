"""Check results for people and tools: text for a terminal, JSON (docs/check-output.schema.json),
LaTeX tables for papers, and HTML tables for notebooks.

Each family's evidence renders itself as lines and a JSON object (questions/base.py); this
module lays results out around them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape
from typing import Any

from decisiontrees.errors import Diagnostic
from decisiontrees.model.spec import StatementKind
from decisiontrees.questions.base import Status
from decisiontrees.questions.run import Result
from decisiontrees.render.tikz import latex_text

SCHEMA_VERSION = 1

EXIT_OK, EXIT_CLAIM_FAILED, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class FileReport:
    """One spec file: its diagnostics if invalid, otherwise its results."""

    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    results: tuple[Result, ...] = ()
    fixed: Mapping[str, Fraction] = field(default_factory=dict)  # parameters set by --param

    @property
    def valid(self) -> bool:
        return not self.diagnostics


def exit_code(reports: Sequence[FileReport]) -> int:
    """2 if any input is invalid, else 1 if any claim did not hold, else 0."""
    if any(not r.valid for r in reports):
        return EXIT_INVALID
    if any(res.status in _UNDECIDED and res.statement.kind == StatementKind.CLAIM
           for r in reports for res in r.results):
        return EXIT_CLAIM_FAILED
    return EXIT_OK


_UNDECIDED = (Status.FAIL, Status.UNKNOWN, Status.REFUSED)
_MARK = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.UNKNOWN: "UNKNOWN",
         Status.REFUSED: "REFUSED"}


def render_text(reports: Sequence[FileReport], explain: bool = False) -> str:
    out: list[str] = []
    for report in reports:
        if not report.valid:
            out.extend(d.render() for d in report.diagnostics)
            continue
        out.append(f"{report.path}" + (f"  (with {_fixed_text(report.fixed)})"
                                       if report.fixed else ""))
        for result in report.results:
            statement = result.statement
            where = f"{statement.span.line}:{statement.span.column}"
            answer = result.answer
            if statement.kind == StatementKind.QUERY:
                mark = _MARK.get(result.status, "")
                out.append(f"  {where}  {statement.text}")
                out.append(f"      = {answer.summary}" + (f"  [{mark}]" if mark else ""))
            else:
                out.append(f"  {where}  {_MARK[result.status]}  {statement.text}")
                out.append(f"      answer: {answer.summary}")
                if result.expectation and result.status == Status.FAIL:
                    out.append(f"      {result.expectation}")
            out.extend(f"      {line}" for line in result.lines()
                       if explain or not line.startswith("explain: "))
    out.append(summary_line(reports))
    return "\n".join(out)


def _fixed_text(fixed: Mapping[str, Fraction]) -> str:
    return ", ".join(f"{name} = {value}" for name, value in sorted(fixed.items()))


def counts(reports: Sequence[FileReport]) -> dict[str, int]:
    results = [res for r in reports for res in r.results]
    claims = [res for res in results if res.statement.kind == StatementKind.CLAIM]
    return {
        "files": len(reports),
        "invalid_files": sum(1 for r in reports if not r.valid),
        "claims": len(claims),
        "passed": sum(1 for res in claims if res.status == Status.PASS),
        "failed": sum(1 for res in claims if res.status == Status.FAIL),
        "unknown": sum(1 for res in claims if res.status in (Status.UNKNOWN, Status.REFUSED)),
        "queries": len(results) - len(claims),
    }


def summary_line(reports: Sequence[FileReport]) -> str:
    c = counts(reports)
    parts = [f"{c['passed']} claims passed", f"{c['failed']} failed"]
    if c["unknown"]:
        parts.append(f"{c['unknown']} unknown")
    parts.append(f"{c['queries']} queries answered")
    text = ", ".join(parts) + f" in {c['files']} file{'s' if c['files'] != 1 else ''}"
    if c["invalid_files"]:
        text += f"; {c['invalid_files']} invalid"
    return text


def as_json(reports: Sequence[FileReport]) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "files": [_file_json(r) for r in reports],
        "summary": counts(reports),
        "exit_code": exit_code(reports),
    }


def _file_json(report: FileReport) -> dict[str, Any]:
    return {
        "file": report.path,
        "valid": report.valid,
        "diagnostics": [d.as_json() for d in report.diagnostics],
        "parameters": {name: str(value) for name, value in sorted(report.fixed.items())},
        "statements": [_result_json(res) for res in report.results],
    }


def _result_json(result: Result) -> dict[str, Any]:
    statement = result.statement
    return {
        "kind": str(statement.kind),
        "text": statement.text,
        "line": statement.span.line,
        "column": statement.span.column,
        "question": statement.name,
        "status": str(result.status),
        "summary": result.answer.summary,
        "answer": result.answer.value,
        "exact": result.answer.exact,
        "claimed": result.expectation,
        "evidence": {key: value for evidence in result.evidence
                     for key, value in evidence.to_json().items()},
    }


_LATEX_STATUS = {Status.PASS: "holds", Status.FAIL: "fails", Status.UNKNOWN: "unknown",
                 Status.REFUSED: "refused", Status.ANSWER: "—"}


def render_latex(reports: Sequence[FileReport]) -> str:
    """The results as LaTeX tables (one per valid file), ready to ``\\input`` into a paper:
    columns that wrap to the text width, and each verdict's witness. Plain LaTeX (no
    packages)."""
    out: list[str] = []
    for report in reports:
        if not report.valid:
            continue
        out.append(f"% {latex_text(report.path)}")
        # widths: 0.8 of the line for three columns, the verdict's column and the gaps
        out.append("{\\small\\noindent")
        out.append("\\begin{tabular}{@{}p{0.33\\linewidth}lp{0.21\\linewidth}"
                   "p{0.26\\linewidth}@{}}")
        out.append("\\hline")
        out.append("Statement & Verdict & Answer & Witness \\tabularnewline")
        out.append("\\hline")
        for result in report.results:
            statement = _breakable(latex_text(result.statement.text))
            answer = latex_text(_shortened(result.answer.summary))
            witness = latex_text(_shortened(result.witness() or ""))
            out.append(f"\\raggedright\\texttt{{{statement}}} & {_LATEX_STATUS[result.status]} & "
                       f"\\raggedright {answer} & \\raggedright {witness} \\tabularnewline")
        out.append("\\hline")
        out.append("\\end{tabular}}")
        out.append("")
    return "\n".join(out)


LATEX_CELL = 300  # characters: longer answers are cut in the table (the text report has all)


def _breakable(tt: str) -> str:
    """Typewriter text that may break after ``(``, ``,`` and ``_``: long names must not run
    out of their column."""
    return tt.replace("(", "(\\allowbreak{}").replace(",", ",\\allowbreak{}") \
        .replace("\\_", "\\_\\allowbreak{}")


def _shortened(text: str) -> str:
    return text if len(text) <= LATEX_CELL else text[:LATEX_CELL - 1] + "…"


_COLOUR = {Status.PASS: "#1a7f37", Status.FAIL: "#cf222e", Status.UNKNOWN: "#9a6700",
           Status.REFUSED: "#9a6700"}


def results_html(results: Sequence[Result]) -> str:
    """Results as an HTML table, for notebooks: statement, verdict, answer and evidence."""
    rows = []
    for result in results:
        answer = result.answer
        mark = _MARK.get(result.status, "")
        lines = [answer.summary]
        if result.expectation and result.status == Status.FAIL:
            lines.append(result.expectation)
        lines.extend(line for line in result.lines() if not line.startswith("explain: "))
        colour = _COLOUR.get(result.status, "inherit")
        rows.append(
            "<tr>"
            f"<td style=\"text-align:left\"><code>{escape(result.statement.text)}</code></td>"
            f"<td style=\"color:{colour};font-weight:bold\">{mark}</td>"
            f"<td style=\"text-align:left\"><pre style=\"margin:0\">{escape(chr(10).join(lines))}"
            "</pre></td>"
            "</tr>")
    return ("<table><thead><tr><th>statement</th><th></th><th>answer and evidence</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")
