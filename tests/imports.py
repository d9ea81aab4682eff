"""Helpers for tests that drive ``kms_import`` the way a user does: files and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

# A head office with variables, one province and one product: what most records refer to.
TAXONOMY: list[dict[str, object]] = [
    {"type": "category", "path": "理赔", "name": "理赔"},
    {
        "type": "branch",
        "code": "HQ",
        "name": "总公司",
        "parent": None,
        "variables": {"hotline": "95500", "service_hours": "8:00-20:00", "address": "北京"},
    },
    {"type": "branch", "code": "GD", "name": "广东分公司", "parent": "HQ", "variables": {}},
    {"type": "product", "code": "KN-YL", "name": "康宁医疗", "line": "health", "status": "on_sale"},
]


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


def failed_import(path: Path | str, *args: str) -> str:
    """Run kms_import expecting exit status 1; returns everything it reported."""
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("kms_import", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue() + str(raised.value)
