"""Secrets a command keeps for the next run (the admin's password, the widget demo's key)
in a file only its owner may read — from the moment it exists, not after a chmod."""

from __future__ import annotations

import os
from pathlib import Path


def keep_secret(path: Path, secret: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as kept:
        kept.write(secret + "\n")
    path.chmod(0o600)  # a file that existed before keeps its old mode otherwise


def kept_secret(path: Path) -> str | None:
    """The secret kept in `path`, or None when there is none."""
    return path.read_text(encoding="utf-8").strip() if path.exists() else None
