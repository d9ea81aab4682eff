"""gunicorn, as the image runs it, takes every request the API documents as valid.

A search with every parameter at its longest, in Chinese (nine URL characters each), has
a request line of about 5,500 bytes; gunicorn's default limit (4,094) answered it with its
own plain-text 400 before the API saw it. The repository's ``gunicorn.conf.py``, which
gunicorn reads from the working directory, raises the limit.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest

from api.v1 import serializers
from tests.deployment.files import ROOT
from tests.deployment.processes import production_environ, run_python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def longest_search(character: str) -> str:
    """/api/v1/search with every parameter at the longest the API accepts."""
    fields = serializers.SearchParams().fields
    params = {
        "q": character * fields["q"].max_length,
        "category": character * fields["category"].max_length,
        "product": "P" * fields["product"].max_length,
        "tag": character * fields["tag"].max_length,
        "branch": "GD",
        "channel": "agent",
        "limit": "50",
        "offset": "100",
    }
    return "/api/v1/search?" + urllib.parse.urlencode(params)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory):
    environ = production_environ(tmp_path_factory.mktemp("gunicorn"))
    migrated = run_python(environ, "manage.py", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=30)


@pytest.mark.parametrize("character", ["理", "𠀀"])  # three and four bytes in UTF-8
def test_the_longest_valid_search_reaches_the_api(gunicorn: int, character: str) -> None:
    path = longest_search(character)
    assert len(path) > 4094  # past gunicorn's default
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=30)
    # as the TLS-terminating proxy in front of gunicorn forwards it
    headers = {"Host": "kms.example.com", "X-Forwarded-Proto": "https"}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    assert response.getheader("Content-Type", "").startswith("application/json"), body[:200]
    assert response.status == 401  # the API's own answer: no key was sent
