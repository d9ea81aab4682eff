"""Loading the settings, or running manage.py, in a subprocess with a chosen environment.

A settings module that refuses to load raises at import time, so it is only ever imported
in a child process: the test run's own settings are never touched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kms.settings.environment import VARIABLES
from tests.deployment.files import ROOT

PRODUCTION_SETTINGS = "kms.settings.production"
#: Long and varied enough for the production settings; used only by these tests.
TEST_SECRET_KEY = "test-only-secret-key-long-and-varied-enough-for-production-0123456789"
#: What a real deployment must set; production must refuse to start without each.
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")


def clean_environ(tmp_path: Path) -> dict[str, str]:
    """This process's environment without any KMS variable, data under tmp_path."""
    environ = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    environ["KMS_DATA_DIR"] = str(tmp_path / "data")
    return environ


def production_environ(tmp_path: Path, **variables: str) -> dict[str, str]:
    """Production settings with what they require (a SQLite file: nothing to reach)."""
    environ = clean_environ(tmp_path)
    environ.update(
        DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS,
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'kms.sqlite3'}",
        ALLOWED_HOSTS="kms.example.com",
    )
    environ.update(variables)
    return environ


def run_python(environ: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=dict(environ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


_LOAD = """
import json, sys, django
from django.conf import settings
if sys.argv[1] == "setup":
    django.setup()
print(json.dumps({name: getattr(settings, name) for name in sys.argv[2:]}, default=str))
"""


@dataclass(frozen=True)
class Loaded:
    """The outcome of starting Django with some environment."""

    process: subprocess.CompletedProcess[str]

    @property
    def settings(self) -> dict[str, Any]:
        assert self.process.returncode == 0, self.process.stderr
        return json.loads(self.process.stdout.strip().splitlines()[-1])

    @property
    def refusal(self) -> str:
        """The ImproperlyConfigured message the settings refused to load with."""
        assert self.process.returncode != 0, "the settings loaded"
        found = re.findall(r"ImproperlyConfigured: (.*)", self.process.stderr)
        assert found, f"the settings failed, but not with ImproperlyConfigured:\n{self.process}"
        return found[-1]


def load_settings(
    environ: Mapping[str, str], names: Iterable[str] = ("DEBUG",), *, setup: bool = False
) -> Loaded:
    """Load the settings with `environ` and read `names`; `setup` also imports every app."""
    return Loaded(run_python(environ, "-c", _LOAD, "setup" if setup else "settings", *names))
