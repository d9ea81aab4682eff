"""Helpers for tests that drive ``kms_import`` the way a user does: files and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def jsonl(tmp_path: Path, *records: object, name: str = "records.jsonl") -> Path:
    """Write records (dicts, or raw strings for broken lines) as a JSONL file."""
    path = tmp_path / name
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
        ),
        encoding="utf-8",
    )
    return path


def run_import(path: Path | str, *args: str) -> tuple[str, str]:
    """Run kms_import; returns its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("kms_import", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failed_import(path: Path, *args: str) -> str:
    """Run kms_import expecting exit status 1; returns everything it reported."""
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("kms_import", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue() + str(raised.value)
