"""Files of other tools as spec text: the one door through which JSON and .efg come in.

Every importer writes spec text and the normal checker loads it, so an imported tree gets
every check, and no string from a foreign file is ever evaluated.
"""

from __future__ import annotations

import os

from decisiontrees.errors import Diagnostic, FormatRefused, Span, SpecError
from decisiontrees.formats.common import read_json, read_text, source_line
from decisiontrees.formats.gambit import efg_to_spec_text
from decisiontrees.formats.json_spec import to_spec_text
from decisiontrees.formats.silverdecisions import silverdecisions_to_spec_text


def imported_text(path: str | os.PathLike[str]) -> str | None:
    """Spec text for a ``.json`` or ``.efg`` file; None for a spec file. Raises SpecError."""
    path = os.fspath(path)
    if path.endswith(".efg"):
        return efg_to_spec_text(read_text(path), path)
    if not path.endswith(".json"):
        return None
    text = read_text(path)
    document = read_json(text, path)
    if isinstance(document, dict) and "SilverDecisions" in document:
        return silverdecisions_to_spec_text(text, path)
    try:
        return to_spec_text(document)
    except FormatRefused as problem:
        hint = None
        if isinstance(document, dict) and "format" not in document:
            hint = ("a JSON spec has \"format\": \"decisiontrees-spec\"; a SilverDecisions file "
                    "has a \"SilverDecisions\" version field; this file has neither")
        raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2), f"invalid JSON spec: {problem}",
                                    hint, source_line(text, 1))]) from None
