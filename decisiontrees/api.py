"""Check spec files end to end: find them, load each, run its statements."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from decisiontrees.checking.loader import load
from decisiontrees.errors import SpecError
from decisiontrees.language.diagnostics import Diagnostic, Span
from decisiontrees.language.syntax import EXTENSION
from decisiontrees.questions.run import run
from decisiontrees.report import FileReport


def spec_files(paths: Iterable[str]) -> list[str]:
    """The named files, and the spec files found (recursively, sorted) in named folders."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(EXTENSION))
        else:
            found.append(path)
    return found


def check_file(path: str, timeout_seconds: int | None = None) -> FileReport:
    try:
        spec = load(path)
    except SpecError as error:
        return FileReport(path, diagnostics=error.diagnostics)
    return FileReport(path, results=run(spec, timeout_seconds))


def check_paths(paths: Iterable[str], timeout_seconds: int | None = None) -> list[FileReport]:
    files = spec_files(paths)
    if not files:
        where = ", ".join(paths) or "."
        return [FileReport(where, diagnostics=(Diagnostic(
            Span(where, 1, 1, 1, 1), f"no {EXTENSION} files found", None),))]
    reports = []
    for number, path in enumerate(files, start=1):
        if len(files) > 1 and sys.stderr.isatty():
            print(f"[{number}/{len(files)}] {path}", file=sys.stderr, end="\r", flush=True)
        reports.append(check_file(path, timeout_seconds))
    return reports


def certificates(reports: Iterable[FileReport]) -> dict:
    """Every checkable certificate of the reports, in the format `decisiontrees verify` reads."""
    from decisiontrees.evidence.verify import FORMAT

    found = []
    for report in reports:
        for result in report.results:
            document = result.answer.certificate
            if document is not None:
                where = f"{report.path}:{result.statement.span.line}: {result.statement.text}"
                found.append({**document, "statement": where})
    return {"format": FORMAT, "version": 1, "certificates": found}
