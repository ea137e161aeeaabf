"""Check results for people and tools: text for a terminal, JSON (docs/check-output.schema.json),
LaTeX tables for papers, HTML tables for notebooks, and the write-up of a folder of results
(``decisiontrees report``) in Markdown, LaTeX or HTML.

Each family's evidence renders itself as lines and a JSON object (questions/base.py); this
module lays results out around them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape
from typing import Any

from decisiontrees.errors import Diagnostic
from decisiontrees.model.spec import StatementKind
from decisiontrees.questions.base import Status
from decisiontrees.questions.run import Result
from decisiontrees.questions.search import SearchEvidence
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
        lines, started = 0, False  # a tabular cannot break across pages: start a new one
        for result in report.results:
            statement = latex_text(result.statement.text)
            answer = latex_text(_shortened(result.answer.summary))
            witness = latex_text(_shortened(result.witness() or ""))
            height = max(-(-len(statement) // 30), -(-len(answer) // 22),
                         -(-len(witness) // 28), 1)
            if not started or lines + height > LATEX_PAGE_LINES:
                out += (_LATEX_TABLE_END if started else []) + _LATEX_TABLE_START
                lines, started = 0, True
            lines += height
            out.append(f"\\raggedright\\texttt{{{_breakable(statement)}}} & "
                       f"{_LATEX_STATUS[result.status]} & "
                       f"\\raggedright {answer} & \\raggedright {witness} \\tabularnewline")
        out += _LATEX_TABLE_END if started else [""]
    return "\n".join(out)


LATEX_CELL = 300  # characters: longer answers are cut in the table (the text report has all)
LATEX_PAGE_LINES = 40  # lines of \small text per table, estimated from the columns' widths
# widths: 0.8 of the line for three columns, the verdict's column and the gaps
_LATEX_TABLE_START = ["{\\small\\noindent",
                      "\\begin{tabular}{@{}p{0.33\\linewidth}lp{0.21\\linewidth}"
                      "p{0.26\\linewidth}@{}}",
                      "\\hline", "Statement & Verdict & Answer & Witness \\tabularnewline",
                      "\\hline"]
_LATEX_TABLE_END = ["\\hline", "\\end{tabular}}", ""]


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


# ---------------------------------------------------------------- write-ups of results

REPORT_FORMATS = ("markdown", "latex", "html")
EVIDENCE_LINES = 4  # evidence lines shown per statement in a write-up (the text report has all)
EVIDENCE_WIDTH = 240  # characters per evidence line in a write-up


@dataclass(frozen=True)
class ResultReport:
    """One spec file written up for a paper's reader: its leading comment (the source and
    what is formalised), its results, and how long checking it took (None: not shown)."""

    file: FileReport
    header: tuple[str, ...] = ()
    seconds: float | None = None
    figure: str | None = None  # the file's figure, as the write-up links it
    figure_caption: str = ""


def leading_comment(text: str) -> tuple[str, ...]:
    """The comment block a spec file starts with (blank lines before it skipped), without the
    ``#`` and the one space after it; indentation beyond that space is kept."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            body = stripped[1:]
            lines.append(body[1:] if body.startswith(" ") else body)
        elif lines or stripped:
            break
    while lines and not lines[-1].strip():
        lines.pop()
    return tuple(lines)


def render_report(reports: Sequence[ResultReport], to: str = "markdown") -> str:
    """The write-up of checked spec files: per file, its source and what is formalised (the
    leading comment), each claim, query and search with its verdict and a summary of its
    evidence, and the time taken where known. Deterministic when no time is given."""
    if to == "markdown":
        return _report_markdown(reports)
    if to == "latex":
        return _report_latex(reports)
    if to == "html":
        return _report_html(reports)
    raise ValueError(f"unknown report format {to!r}; one of {', '.join(REPORT_FORMATS)}")


def _verdict(result: Result) -> str:
    if result.statement.kind == StatementKind.QUERY:
        return "answer" if result.status == Status.ANSWER else _MARK[result.status]
    return _MARK[result.status]


def _answer_text(result: Result) -> str:
    evidence = result.answer.evidence
    if isinstance(evidence, SearchEvidence):
        if evidence.found:
            return "found"
        if evidence.complete and evidence.resumed is None:
            return "none within the bounds (complete)"
    return result.answer.summary


def _evidence_summary(result: Result) -> tuple[str, ...]:
    """A few lines of evidence that do not depend on timing: for a search, its bounds, whether
    it was complete, and the first hit; otherwise the first lines of the evidence."""
    evidence = result.answer.evidence
    if isinstance(evidence, SearchEvidence):
        bounds = evidence.lines()[0]
        shown = [bounds]
        if evidence.complete:
            shown.append(f"complete: every one of {evidence.examined} candidates examined"
                         + (" (up to renaming outcomes)" if evidence.question.symmetric else "")
                         + f", {evidence.found} hit"
                         f"{'s' if evidence.found != 1 else ''}")
        if evidence.resumed is not None:
            shown.append(f"resumed: {evidence.resumed[1]} candidates on the word of the "
                         f"checkpoint {evidence.resumed[0]}")
        if evidence.hits:
            first = evidence.hits[0]
            shown.append("first hit: " + "; ".join(f"tree {name} = {text}"
                                                    for name, text in first.trees))
        return tuple(_clipped(line) for line in shown)
    lines = [line.strip() for line in result.lines() if not line.startswith("explain: ")]
    if result.expectation and result.status == Status.FAIL:
        lines.insert(0, result.expectation)
    shown = [_clipped(line) for line in lines[:EVIDENCE_LINES]]
    if len(lines) > EVIDENCE_LINES:
        more = len(lines) - EVIDENCE_LINES
        shown.append(f"(and {more} more line{'s' if more != 1 else ''}: decisiontrees check)")
    return tuple(shown)


def _clipped(line: str) -> str:
    return line if len(line) <= EVIDENCE_WIDTH else line[:EVIDENCE_WIDTH - 1] + "…"


def _file_counts(report: FileReport) -> tuple[int, int, int]:
    """Claims (searches with `expect` included), claims that passed, queries."""
    claims = [r for r in report.results if r.statement.kind == StatementKind.CLAIM]
    return (len(claims), sum(1 for r in claims if r.status == Status.PASS),
            len(report.results) - len(claims))


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} s"


def _title(report: ResultReport) -> str:
    """The first line of the header, without a leading ``Source:``."""
    first = report.header[0] if report.header else ""
    return first.removeprefix("Source: ").removeprefix("Sources: ")


def _md_cell(code: str) -> str:
    """A code span inside a table cell: ``|`` escaped (GFM undoes that even in code spans);
    backslashes stay single, since they are literal in code."""
    return code.replace("|", "\\|").replace("\n", " ")


def _md_text(text: str) -> str:
    """A spec's own header line as Markdown that keeps its emphasis but where no HTML tag and
    no link can start (``a <= b`` is left as it is; a bare address that GitHub links shows
    that address). A code span is written as an HTML ``<code>`` element whose punctuation
    is all character references (Markdown still reads inside raw HTML), and outside code
    spans every backtick and ``[`` is a character reference: then nothing can pair a
    backtick differently from this function (a CommonMark reader pairs them over a whole
    paragraph, a backslash escapes one, and a span read here that a reader does not see
    would let its ``<`` out), and no link text, image or reference link can begin."""
    out, last = [], 0
    for span in re.finditer(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)", text):
        out += [_inert(text[last:span.start()]), f"<code>{_references(_code_text(span[2]))}</code>"]
        last = span.end()
    return "".join(out) + _inert(text[last:])


# what may start a line of a header: a list item (kept: the essays use lists), and then only
# text, never a heading, quote, fence, table row, rule or setext underline
_RULE = re.compile(r"(?:([-*_])(?:\s*\1){2,}|=+|-+)\s*$")
_OPENER = re.compile(r"[#>~|]")
_LIST_MARKER = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:\s+|$)")


def _md_header_line(text: str) -> str:
    """A header line that stays text in its paragraph or list item: after any list markers,
    a first character that would start a heading, a quote, a fence, a table row, a rule or
    a setext underline becomes a character reference, and so does every ``|`` (no table can
    form). Emphasis stays."""
    body = text.lstrip()
    kept = text[:len(text) - len(body)]
    while True:
        marker = _LIST_MARKER.match(body)
        if _RULE.match(body) or _OPENER.match(body) or (marker and marker.end() == len(body)):
            body = f"&#{ord(body[0])};{body[1:]}"
            break
        if marker is None:
            break
        kept, body = kept + marker.group(), body[marker.end():]
    return kept + _md_text(body).replace("|", "&#124;")


def _code_text(inside: str) -> str:
    """A code span's content as CommonMark shows it: one space stripped from each end when
    both are spaces and it is not all spaces."""
    if len(inside) >= 2 and inside[0] == inside[-1] == " " and inside.strip(" "):
        return inside[1:-1]
    return inside


def _references(text: str) -> str:
    """Text inside a raw ``<code>`` element, which Markdown still reads (links, emphasis,
    backticks, a backslash before ``</code>``): every ASCII punctuation character as a
    character reference, shown as itself and never read as Markdown or HTML."""
    return "".join(f"&#{ord(c)};" if c.isascii() and not c.isalnum() and not c.isspace()
                   else c for c in text)


def _inert(text: str) -> str:
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text).replace("`", "&#96;").replace("[", "&#91;")


_MD_ACTIVE = frozenset("\\`*~[<&|")


def _md_plain(text: str) -> str:
    """Text from an answer or a label (which may come from an imported file) as Markdown that
    shows exactly those characters, in a table cell too: every character Markdown could read
    as emphasis, code, a link, HTML, an entity or a column break gets a backslash (GFM takes
    one before any ASCII punctuation); ``_`` only where it could start or end emphasis, since
    inside a word (``big_paid``) it cannot."""
    out = []
    for k, c in enumerate(text):
        inside = c == "_" and 0 < k < len(text) - 1 and text[k - 1].isalnum() \
            and text[k + 1].isalnum()
        out.append("\\" + c if c in _MD_ACTIVE or (c == "_" and not inside) else c)
    return "".join(out).replace("\n", " ")


def _md_link(target: str) -> str:
    """A link destination that may hold spaces and parentheses: ``<…>``."""
    return "<" + "".join("\\" + c if c in "<>\\" else c for c in target) + ">"


def _md_code(text: str) -> str:
    """A code span around ``text``: its fence is longer than any run of backticks inside
    (a label holding two backticks closed a two-backtick fence and let HTML out)."""
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in re.findall(r"`+", text)) + 1)
    return f"{fence} {text} {fence}"


def _report_markdown(reports: Sequence[ResultReport]) -> str:
    timed = any(r.seconds is not None for r in reports)
    out = ["# Results from the literature, checked",
           "",
           "Generated by `decisiontrees report` from the spec files named below; do not edit by "
           "hand. Each section gives the file's own account of its source and of what it does "
           "and does not formalise, then every statement with its verdict and the first lines "
           "of its evidence (`decisiontrees check FILE` prints all of it).",
           "",
           "| file | claims passed | queries |" + (" time |" if timed else ""),
           "|---|---|---|" + ("---|" if timed else "")]
    for report in reports:
        if not report.file.valid:
            out.append(f"| {_md_code(report.file.path)} | invalid | | " +
                       ("|" if timed else ""))
            continue
        claims, passed, queries = _file_counts(report.file)
        time_cell = (_seconds(report.seconds) if report.seconds is not None else "") + " |"
        out.append(f"| [{_md_code(report.file.path)}](#{_anchor(report.file.path)}) | "
                   f"{passed} of {claims} | {queries} |" + (f" {time_cell}" if timed else ""))
    c = counts([r.file for r in reports])
    out += ["", f"In all: {c['passed']} of {c['claims']} claims passed, {c['failed']} failed"
            + (f", {c['unknown']} undecided" if c["unknown"] else "")
            + f", {c['queries']} queries answered, in {c['files']} file"
            + ("s" if c["files"] != 1 else "")
            + (f" ({_seconds(sum(r.seconds or 0 for r in reports))})" if timed else "") + "."]
    for report in reports:
        out += ["", f"## {_md_plain(report.file.path)}", ""]
        if report.header:
            out += [_md_header_line(line) for line in report.header] + [""]
        if not report.file.valid:
            out += ["Invalid:", "", "```"] + [d.render() for d in report.file.diagnostics] \
                + ["```"]
            continue
        if report.figure is not None:
            out += [f"![{_md_plain(report.figure_caption)}]({_md_link(report.figure)})", ""]
        claims, passed, queries = _file_counts(report.file)
        out.append(f"**{passed} of {claims} claims passed**"
                   + (f", {queries} quer{'ies' if queries != 1 else 'y'} answered"
                      if queries else "")
                   + (f"; checked in {_seconds(report.seconds)}" if report.seconds is not None
                      else "") + ".")
        out += ["", "| line | statement | verdict | answer and evidence |", "|---|---|---|---|"]
        for result in report.file.results:
            cell = "<br>".join(_md_plain(line) for line in
                               (_answer_text(result),) + _evidence_summary(result))
            statement = _md_cell(_md_code(result.statement.text))
            out.append(f"| {result.statement.span.line} | {statement}"
                       f" | {_verdict(result)} | {cell} |")
    return "\n".join(out) + "\n"


def _anchor(path: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped,
    spaces as -."""
    return "".join(ch for ch in path.lower().replace(" ", "-") if ch.isalnum() or ch in "-_")


def _report_latex(reports: Sequence[ResultReport]) -> str:
    out = ["% Generated by `decisiontrees report`: each spec file's source, what it formalises,",
           "% and its statements with their verdicts. Plain LaTeX (no packages)."]
    for report in reports:
        out += ["", f"\\subsection*{{{latex_text(report.file.path)}}}"]
        if report.header:
            out.append("\\begin{flushleft}\\small")
            # \par, not \\: a line starting with "[" would be read as \\'s optional length
            out += [latex_text(line) + "\\par" if line.strip() else "\\medskip"
                    for line in report.header]
            out.append("\\end{flushleft}")
        if not report.file.valid:
            out.append("Invalid: " + latex_text(" ".join(d.message for d in
                                                         report.file.diagnostics)))
            continue
        claims, passed, queries = _file_counts(report.file)
        out.append(f"\\noindent {passed} of {claims} claims passed"
                   + (f", {queries} queries answered" if queries else "")
                   + (f"; checked in {_seconds(report.seconds)}" if report.seconds is not None
                      else "") + ".\\par\\medskip")
        out.append(render_latex([report.file]))
    return "\n".join(out) + "\n"


def _report_html(reports: Sequence[ResultReport]) -> str:
    out = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">",
           "<title>Results from the literature, checked</title></head><body>",
           "<h1>Results from the literature, checked</h1>"]
    for report in reports:
        out.append(f"<h2>{escape(report.file.path)}</h2>")
        if report.header:
            out.append(f"<pre>{escape(chr(10).join(report.header))}</pre>")
        if report.figure is not None:
            out.append(f'<p><img src="{escape(report.figure)}" '
                       f'alt="{escape(report.figure_caption)}"></p>')
        if not report.file.valid:
            out.append("<pre>" + escape("\n".join(d.render() for d in report.file.diagnostics))
                       + "</pre>")
            continue
        claims, passed, queries = _file_counts(report.file)
        out.append(f"<p>{passed} of {claims} claims passed"
                   + (f", {queries} queries answered" if queries else "")
                   + (f"; checked in {_seconds(report.seconds)}" if report.seconds is not None
                      else "") + ".</p>")
        out.append(results_html(report.file.results))
    out.append("</body></html>")
    return "\n".join(out) + "\n"
