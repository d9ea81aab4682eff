"""The embedded default in child processes: a fresh data directory, manage.py, servers.

For tests that need what only separate processes show — the scheduler thread of
``runserver``, a cache several web processes share.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL")


def embedded_environ(data_dir: Path) -> dict[str, str]:
    """This process's environment without any service: SQLite, disk cache, eager tasks."""
    environ = {name: value for name, value in os.environ.items() if name not in SERVICES}
    environ.update(KMS_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="kms.settings.dev")
    return environ


def manage(environ: dict[str, str], *args: str) -> str:
    """Run manage.py; its standard output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def runserver(environ: dict[str, str], *options: str) -> Iterator[str]:
    """A ``manage.py runserver`` process; yields its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", *options],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the server stopped"
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=5).close()  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
