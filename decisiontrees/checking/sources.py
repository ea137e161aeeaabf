"""Reading spec files: UTF-8 text, includes relative to the including file, cycles reported."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from decisiontrees.errors import Span
from decisiontrees.language.diagnostics import Reporter, suggest
from decisiontrees.language.parser import parse_module
from decisiontrees.language.syntax import Include, Module


@dataclass
class Sources:
    """The files of one load: each read once, includes followed, cycles reported."""

    reporter: Reporter
    modules: list[Module]
    loaded: dict[str, Module | None] = field(default_factory=dict)

    def load_file(self, path: str, include: Include | None, stack: tuple[str, ...]) -> Module | None:
        if "\x00" in path:
            self.cannot_read(path, include, stack, "a path cannot contain a NUL character")
            return None
        key = os.path.realpath(path)
        if key in stack:
            cycle = [os.path.basename(p) for p in stack[stack.index(key):]] + [os.path.basename(key)]
            assert include is not None
            self.reporter.error(include.span, "include cycle: " + " → ".join(cycle))
            return None
        if key in self.loaded:
            return self.loaded[key]
        self.loaded[key] = None
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            self.cannot_read(path, include, stack, error.strerror or str(error))
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            before = data[: error.start]
            line = before.count(b"\n") + 1
            column = len(before) - (before.rfind(b"\n") + 1) + 1
            self.reporter.error(
                Span(path, line, column, line, column + 1),
                f"not valid UTF-8: byte 0x{data[error.start]:02x} cannot start a character",
                "save the file as UTF-8",
            )
            return None
        module = self.parse_text(text, path, stack + (key,))
        self.loaded[key] = module
        return module

    def cannot_read(self, path: str, include: Include | None, stack: tuple[str, ...],
                    reason: str) -> None:
        if include is None:
            self.reporter.error(Span(path, 1, 1, 1, 1), f"cannot read {_shown(path)}: {reason}")
            return
        including = {os.path.basename(p) for p in stack}
        hint = suggest(os.path.basename(path), set(_spec_files_near(path)) - including)
        self.reporter.error(include.span, f"cannot include \"{_shown(include.path)}\": {reason}", hint)

    def parse_text(self, text: str, path: str, stack: tuple[str, ...]) -> Module | None:
        if text.startswith("\ufeff"):
            text = text[1:]
        module = parse_module(text, path, self.reporter)
        if module is None:
            return None
        if not module.items:
            what = "is empty" if not text.strip() else "has no declarations or statements"
            self.reporter.error(Span(path, 1, 1, 1, 2), f"the file {what}",
                                "declare outcomes and trees; see docs/language.md")
            return None
        for item in module.items:
            if isinstance(item, Include):
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


def _shown(path: str) -> str:
    """A path as text, with characters that cannot be printed escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)
