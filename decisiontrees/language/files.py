"""Reading spec files and other tools' files: bounded, regular files only, UTF-8 with the place
of the first bad byte.

A path that names a device (``/dev/zero``), a FIFO or a folder is refused before it is opened,
and no file larger than ``MAX_FILE_BYTES`` is read.
"""

from __future__ import annotations

import os
import stat

from decisiontrees.errors import Diagnostic, Span, SpecError
from decisiontrees.language.diagnostics import shown_line

MAX_FILE_BYTES = 64 * 2**20


class Unreadable(Exception):
    """A file that is not read; the message says why (for a located diagnostic)."""


def read_bytes(path: str) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; Unreadable saying why not."""
    if "\x00" in path:
        raise Unreadable("a path cannot contain a NUL character")
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("it is not a regular file (a device, a FIFO or a socket)")
        if info.st_size > MAX_FILE_BYTES:
            raise Unreadable(f"it is larger than {MAX_FILE_BYTES // 2**20} MB")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise Unreadable(error.strerror or str(error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"it is larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def decode(data: bytes, path: str) -> str | Diagnostic:
    """The text of UTF-8 ``data`` (a byte-order mark dropped), or a diagnostic at the first
    byte that is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        end = data.find(b"\n", error.start)
        # the line up to the bad byte is UTF-8: columns count its characters, not its bytes
        column = len(before[line_start:].decode("utf-8")) + 1
        whole = data[line_start:end if end >= 0 else len(data)].decode("utf-8", "replace")
        shown, offset = shown_line(whole.rstrip("\r"), column)
        return Diagnostic(Span(path, line, column, line, column + 1),
                          f"not valid UTF-8: byte 0x{data[error.start]:02x} cannot start a character",
                          "save the file as UTF-8", shown, offset)
    return text.removeprefix("\ufeff")


def read_text(path: str) -> str:
    """A file's text; SpecError (located) when it cannot be read or is not UTF-8."""
    try:
        data = read_bytes(path)
    except Unreadable as reason:
        raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2), f"cannot read {shown_path(path)}: "
                                    f"{reason}")]) from None
    text = decode(data, path)
    if isinstance(text, Diagnostic):
        raise SpecError([text])
    return text


def shown_path(path: str) -> str:
    """A path as text, with characters that cannot be printed escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)
