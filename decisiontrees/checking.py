"""Check spec files end to end: find them, load each, run its statements."""

from __future__ import annotations

import os
from collections.abc import Iterable

from decisiontrees.diagnostics import Diagnostic, Span, SpecError
from decisiontrees.loader import load
from decisiontrees.report import FileReport
from decisiontrees.run import run
from decisiontrees.syntax import EXTENSION


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


def check_file(path: str) -> FileReport:
    try:
        spec = load(path)
    except SpecError as error:
        return FileReport(path, diagnostics=error.diagnostics)
    return FileReport(path, results=run(spec))


def check_paths(paths: Iterable[str]) -> list[FileReport]:
    files = spec_files(paths)
    if not files:
        where = ", ".join(paths) or "."
        return [FileReport(where, diagnostics=(Diagnostic(
            Span(where, 1, 1, 1, 1), f"no {EXTENSION} files found", None),))]
    return [check_file(path) for path in files]
