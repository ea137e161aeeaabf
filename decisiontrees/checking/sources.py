"""Reading spec files: UTF-8 text, includes relative to the including file, cycles reported."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from decisiontrees.errors import Diagnostic, Span
from decisiontrees.language.diagnostics import Reporter, suggest
from decisiontrees.language.files import Unreadable, decode, read_bytes, shown_path
from decisiontrees.language.parser import parse_module
from decisiontrees.language.syntax import EXTENSION, Include, Module


@dataclass
class Sources:
    """The files of one load: each read once, includes followed, cycles reported."""

    reporter: Reporter
    modules: list[Module]
    root: str = "."  # includes may reach files in this folder and below it
    allow_includes: bool = True  # text imported from another tool's file includes nothing
    loaded: dict[str, Module | None] = field(default_factory=dict)

    def load_file(self, path: str, include: Include | None, stack: tuple[str, ...]) -> Module | None:
        try:
            key = os.path.realpath(path) if "\x00" not in path else path
        except (OSError, ValueError):
            key = path
        if key in stack:
            cycle = [os.path.basename(p) for p in stack[stack.index(key):]] + [os.path.basename(key)]
            assert include is not None
            self.reporter.error(include.span, "include cycle: " + " → ".join(cycle))
            return None
        if key in self.loaded:
            return self.loaded[key]
        self.loaded[key] = None
        try:
            data = read_bytes(path)
        except Unreadable as reason:
            self.cannot_read(path, include, stack, str(reason))
            return None
        text = decode(data, path)
        if isinstance(text, Diagnostic):
            self.reporter.add_source(path, data.decode("utf-8", errors="replace"))
            self.reporter.error(text.span, text.message, text.hint)
            return None
        module = self.parse_text(text, path, stack + (key,))
        self.loaded[key] = module
        return module

    def include_allowed(self, item: Include) -> bool:
        """Includes name `.dtree` files by a path relative to the including file, inside the
        folder of the spec being checked (no absolute paths, no way out with `..`)."""
        if not self.allow_includes:
            self.reporter.error(item.span, "a file imported from another tool cannot include files")
            return False
        if os.path.isabs(item.path) or "\x00" in item.path:
            self.reporter.error(item.span, "include paths are relative to the including file",
                                "write `include \"common/weather.dtree\"`")
            return False
        if not item.path.endswith(EXTENSION):
            self.reporter.error(item.span, f"only {EXTENSION} files can be included")
            return False
        target = os.path.realpath(os.path.join(os.path.dirname(item.span.path), item.path))
        root = os.path.realpath(self.root)
        if os.path.commonpath([root, target]) != root:
            self.reporter.error(item.span, f"`{shown_path(item.path)}` is outside the folder of "
                                "the spec being checked", f"includes stay within {root}")
            return False
        return True

    def cannot_read(self, path: str, include: Include | None, stack: tuple[str, ...],
                    reason: str) -> None:
        if include is None:
            self.reporter.error(Span(path, 1, 1, 1, 1), f"cannot read {shown_path(path)}: {reason}")
            return
        including = {os.path.basename(p) for p in stack}
        hint = suggest(os.path.basename(path), set(_spec_files_near(path)) - including)
        self.reporter.error(include.span, f"cannot include \"{shown_path(include.path)}\": {reason}", hint)

    def parse_text(self, text: str, path: str, stack: tuple[str, ...]) -> Module | None:
        text = text.removeprefix("\ufeff")
        module = parse_module(text, path, self.reporter)
        if module is None:
            return None
        if not module.items:
            what = "is empty" if not text.strip() else "has no declarations or statements"
            self.reporter.error(Span(path, 1, 1, 1, 2), f"the file {what}",
                                "declare outcomes and trees; see docs/language.md")
            return None
        for item in module.items:
            if isinstance(item, Include) and self.include_allowed(item):
                target = os.path.join(os.path.dirname(path), item.path)
                self.load_file(os.path.normpath(target), item, stack or (os.path.realpath(path),))
        self.modules.append(module)
        return module


def _spec_files_near(path: str) -> list[str]:
    folder = os.path.dirname(path) or "."
    try:
        return [f for f in os.listdir(folder) if f.endswith(".dtree")]
    except (OSError, ValueError):  # ValueError: a NUL character in the path
        return []

