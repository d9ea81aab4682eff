"""kms_import reads at most the import cap from any file or stream, even one endless line."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from content import limits
from content.records.lines import SourceError, read_lines

CAP = 16 * 1024 * 1024


class Endless(io.RawIOBase):
    """A stream of zero bytes that never ends (like /dev/zero) and counts what it gave."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:
        buffer[:] = b"\0" * len(buffer)
        self.given += len(buffer)
        return len(buffer)


@pytest.fixture(autouse=True)
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "IMPORT_MAX_BYTES", CAP)


def test_an_endless_line_on_stdin_stops_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    endless = Endless()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless)))

    with pytest.raises(SourceError, match="at most 16,777,216 bytes are imported at once"):
        list(read_lines("-"))

    assert endless.given < CAP + 4 * 1024 * 1024  # stopped within a chunk of the cap


def test_a_text_stream_stops_at_the_cap_too(monkeypatch: pytest.MonkeyPatch) -> None:
    class EndlessText(io.TextIOBase):
        def readline(self, size: int = -1) -> str:
            return "x" * size

    monkeypatch.setattr(sys, "stdin", EndlessText())

    with pytest.raises(SourceError, match="characters are imported at once"):
        list(read_lines("-"))


def test_a_file_over_the_cap_is_refused_before_its_first_line(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    with big.open("wb") as out:
        out.truncate(CAP + 1)

    with pytest.raises(SourceError, match=r"big.jsonl: is 16,777,217 bytes"):
        read_lines(str(big))
