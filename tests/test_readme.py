"""The README documents exactly the environment variables the settings read."""

from __future__ import annotations

import re
from pathlib import Path

from kms.settings.environment import VARIABLES

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_table_lists_every_variable_and_no_other() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.MULTILINE))

    assert documented == set(VARIABLES)


def test_quick_start_is_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]

    assert commands == ["make run", "make test"]
