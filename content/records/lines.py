"""The lines of a kms_import file, read as a stream with a bound on each line.

Invariants:

* Lines end at ``\\n`` and only there (a trailing ``\\r`` is JSON whitespace), never at the
  other characters ``str.splitlines`` treats as line ends — U+2028 inside a JSON string
  is text, not a line break.
* No more than ``MAX_LINE_BYTES`` (plus one read buffer) of any line is ever held in
  memory: a longer line is skipped and stands as an :class:`Unreadable` in its place, as
  does a line that is not UTF-8, so line numbers always count the file's lines.
* A file that cannot be read at all raises :class:`SourceError` before the first line.
* No more than ``IMPORT_MAX_BYTES`` (content.limits) are read from one file or stream:
  a bigger file raises :class:`SourceError` before its first line, a bigger stream as
  soon as it has given that much — so memory never grows with what is left to read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from content import limits

# A valid record is far smaller: an article at its limits is ~70,000 characters, an
# override with 50 section changes of 10,000 characters ~500,000 (1.5 MB of UTF-8,
# 3 MB if every character is written as a \u escape).
MAX_LINE_BYTES = 4 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024


class SourceError(Exception):
    """The file (or standard input) could not be read at all."""


@dataclass(frozen=True)
class Unreadable:
    """Stands for a line that could not be turned into text; says why."""

    message: str


Line = str | Unreadable


def read_lines(path: str, *, progress: Callable[[int], None] | None = None) -> Iterator[Line]:
    """The lines of `path` (``-``: standard input); `progress` gets the bytes read so far.

    The file is opened here, so an unreadable path raises :class:`SourceError` at once.
    """
    if path == "-":
        stdin: TextIO = sys.stdin
        binary = getattr(stdin, "buffer", None)
        if binary is None:
            return _text_lines(stdin)
        return _binary_lines(binary, progress, name="<stdin>")
    target = Path(path)
    if target.is_dir():
        raise SourceError(f"{path}: is a directory, not a file")
    try:
        stream = target.open("rb")
    except FileNotFoundError as error:
        raise SourceError(f"{path}: no such file") from error
    except IsADirectoryError as error:
        raise SourceError(f"{path}: is a directory, not a file") from error
    except OSError as error:
        raise SourceError(f"{path}: cannot be read ({error.strerror or error})") from error
    size = target.stat().st_size if target.is_file() else 0
    if size > limits.IMPORT_MAX_BYTES:
        stream.close()
        raise SourceError(_too_big(path, f"is {size:,} bytes"))
    return _closing(stream, _binary_lines(stream, progress, name=path))


def _too_big(name: str, size: str, unit: str = "bytes") -> str:
    return (
        f"{name}: {size}; at most {limits.IMPORT_MAX_BYTES:,} {unit} are imported at once "
        "(split the file, e.g. categories, branches and products first)"
    )


def _within_cap(read: int, name: str, unit: str) -> None:
    """Stop reading once more than the import cap was read, even inside one line."""
    if read > limits.IMPORT_MAX_BYTES:
        raise SourceError(_too_big(name, f"more than {limits.IMPORT_MAX_BYTES:,} {unit}", unit))


def _closing(stream: BinaryIO, lines: Iterator[Line]) -> Iterator[Line]:
    with stream:
        yield from lines


def _binary_lines(
    stream: BinaryIO, progress: Callable[[int], None] | None, *, name: str
) -> Iterator[Line]:
    done = 0
    first = True
    while raw := _read(stream, MAX_LINE_BYTES + 1):
        size = len(raw)
        line: Line
        if size > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while not raw.endswith(b"\n"):  # count the rest of the line without keeping it
                raw = _read(stream, _SKIP_CHUNK)
                if not raw:
                    break
                size += len(raw)
                _within_cap(done + size, name, "bytes")
            length = size - raw.endswith(b"\n")
            line = Unreadable(f"the line is {length:,} bytes long; at most {MAX_LINE_BYTES:,}")
        else:
            try:
                line = _line(raw.decode("utf-8"), first)
            except UnicodeDecodeError as error:
                at = f"{error.reason} at byte {error.start + 1} of the line"
                line = Unreadable(f"not UTF-8 text ({at})")
        done += size
        _within_cap(done, name, "bytes")
        yield line
        first = False
        if progress is not None:
            progress(done)


def _text_lines(stream: TextIO) -> Iterator[Line]:
    done = 0  # characters: a text stream's bytes are not known
    first = True
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        size = len(raw)
        line: Line
        if size > MAX_LINE_BYTES and not raw.endswith("\n"):
            while not raw.endswith("\n"):
                raw = stream.readline(_SKIP_CHUNK)
                if not raw:
                    break
                size += len(raw)
                _within_cap(done + size, "<stdin>", "characters")
            length = size - raw.endswith("\n")
            line = Unreadable(f"the line is {length:,} characters long; at most {MAX_LINE_BYTES:,}")
        else:
            line = _line(raw, first)
        done += size
        _within_cap(done, "<stdin>", "characters")
        yield line
        first = False


def _line(text: str, first: bool) -> str:
    text = text[:-1] if text.endswith("\n") else text
    return text.removeprefix("\ufeff") if first else text  # a byte-order mark, as Windows writes


def _read(stream: BinaryIO, limit: int) -> bytes:
    try:
        return stream.readline(limit)
    except OSError as error:
        raise SourceError(f"reading failed ({error.strerror or error})") from error
