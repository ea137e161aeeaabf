"""Files of other tools as spec text: the one door through which JSON, .efg and .gv come in.

Every importer writes spec text and the normal checker loads it (with no includes allowed),
so an imported tree gets every check, and no string from a foreign file is ever evaluated.
Problems the checker finds in a JSON spec's text are placed back in the JSON file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from decisiontrees.errors import Diagnostic, FormatRefused, Span, SpecError
from decisiontrees.formats.common import diagnostic_at, json_place, read_json, source_line
from decisiontrees.formats.gambit import efg_to_spec_text
from decisiontrees.formats.json_spec import translate
from decisiontrees.formats.powerplay import gv_to_spec_text
from decisiontrees.formats.silverdecisions import silverdecisions_to_spec_text
from decisiontrees.language.diagnostics import shown_line
from decisiontrees.language.files import read_text


@dataclass(frozen=True)
class Imported:
    """Spec text made from another tool's file, and how to place problems back in that file."""

    path: str  # the file imported
    text: str  # the spec text made from it
    source: str = ""  # the file's own text
    places: Sequence[str] = ()  # JSON specs: where in the document each line of text comes from

    @property
    def text_path(self) -> str:
        """The name diagnostics about the spec text carry."""
        return f"{self.path} (as spec text)"

    def locate(self, diagnostic: Diagnostic) -> Diagnostic:
        """The diagnostic at its place in the imported file, when that is known."""
        line = diagnostic.span.line
        if diagnostic.span.path != self.text_path or not 1 <= line <= len(self.places):
            return diagnostic
        where = self.places[line - 1]
        row, column = json_place(self.source, where)
        shown, offset = shown_line(source_line(self.source, row) or "", column)
        return Diagnostic(Span(self.path, row, column, row, column + 1),
                          f"{where}: {diagnostic.message}", diagnostic.hint, shown, offset)


def import_file(path: str | os.PathLike[str]) -> Imported | None:
    """Spec text for a ``.json``, ``.efg`` or POWERplay ``.gv`` file; None for a spec file.
    Raises SpecError."""
    path = os.fspath(path)
    if path.endswith(".nfg"):
        raise SpecError([diagnostic_at(read_text(path), path, 1, 1, "a Gambit normal-form game "
                                       "(.nfg) has no tree to import", "a decision tree is an "
                                       "extensive form: save the game from Gambit as .efg")])
    if path.endswith(".efg"):
        return Imported(path, efg_to_spec_text(read_text(path), path))
    if path.endswith(".gv"):
        return Imported(path, gv_to_spec_text(read_text(path), path))
    if not path.endswith(".json"):
        return None
    text = read_text(path)
    document = read_json(text, path)
    if isinstance(document, dict) and "SilverDecisions" in document:
        return Imported(path, silverdecisions_to_spec_text(text, path))
    try:
        spec_text, places = translate(document)
    except FormatRefused as problem:
        hint = None
        if isinstance(document, dict) and "format" not in document:
            hint = ("a JSON spec has \"format\": \"decisiontrees-spec\"; a SilverDecisions file "
                    "has a \"SilverDecisions\" version field; this file has neither")
        line, column = json_place(text, str(problem.where))
        raise SpecError([diagnostic_at(text, path, line, column, f"invalid JSON spec: {problem}",
                                       hint)]) from None
    return Imported(path, spec_text, text, places)


def imported_text(path: str | os.PathLike[str]) -> str | None:
    """The spec text :func:`import_file` makes, or None for a spec file."""
    imported = import_file(path)
    return imported.text if imported is not None else None
