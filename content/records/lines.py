"""The lines of a kms_import file, read as a stream with a bound on each line.

Invariants:

* Lines end at ``\\n`` and only there (a trailing ``\\r`` is JSON whitespace), never at the
  other characters ``str.splitlines`` treats as line ends — U+2028 inside a JSON string
  is text, not a line break.
* No more than ``MAX_LINE_BYTES`` (plus one read buffer) of any line is ever held in
  memory: a longer line is skipped and stands as an :class:`Unreadable` in its place, as
  does a line that is not UTF-8, so line numbers always count the file's lines.
* A file that cannot be read at all raises :class:`SourceError` before the first line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

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
        return _binary_lines(binary, progress) if binary is not None else _text_lines(stdin)
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
    return _closing(stream, _binary_lines(stream, progress))


def _closing(stream: BinaryIO, lines: Iterator[Line]) -> Iterator[Line]:
    with stream:
        yield from lines


def _binary_lines(stream: BinaryIO, progress: Callable[[int], None] | None) -> Iterator[Line]:
    done = 0
    first = True
    while raw := _read(stream, MAX_LINE_BYTES + 1):
        size = len(raw)
        if size > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while not raw.endswith(b"\n"):  # count the rest of the line without keeping it
                raw = _read(stream, _SKIP_CHUNK)
                if not raw:
                    break
                size += len(raw)
            length = size - raw.endswith(b"\n")
            yield Unreadable(f"the line is {length:,} bytes long; at most {MAX_LINE_BYTES:,}")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                at = f"{error.reason} at byte {error.start + 1} of the line"
                yield Unreadable(f"not UTF-8 text ({at})")
            else:
                yield _line(text, first)
        done += size
        first = False
        if progress is not None:
            progress(done)


def _text_lines(stream: TextIO) -> Iterator[Line]:
    first = True
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith("\n"):
            size = len(raw)
            while not raw.endswith("\n"):
                raw = stream.readline(_SKIP_CHUNK)
                if not raw:
                    break
                size += len(raw)
            length = size - raw.endswith("\n")
            yield Unreadable(f"the line is {length:,} characters long; at most {MAX_LINE_BYTES:,}")
        else:
            yield _line(raw, first)
        first = False


def _line(text: str, first: bool) -> str:
    text = text[:-1] if text.endswith("\n") else text
    return text.removeprefix("\ufeff") if first else text  # a byte-order mark, as Windows writes


def _read(stream: BinaryIO, limit: int) -> bytes:
    try:
        return stream.readline(limit)
    except OSError as error:
        raise SourceError(f"reading failed ({error.strerror or error})") from error
