"""Several web processes on the embedded default serve an edit as soon as it is purged.

A per-process memory cache would keep serving the old text from the process that did not
see the publish; the embedded default's cache lives on disk, shared by every process.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.embedded import embedded_environ, manage, runserver
from tests.factories import article_record

BRANCH = {
    "type": "branch",
    "code": "HQ",
    "name": "总公司",
    "parent": None,
    "variables": {"hotline": "95500"},
}
CATEGORY = {"type": "category", "path": "理赔/医疗", "name": "医疗"}


def write(path: Path, *records: dict) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return str(path)


def summary(base: str, key: str) -> str:
    request = urllib.request.Request(  # noqa: S310  (loopback)
        f"{base}/api/v1/articles/KB-100001", headers={"Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)["summary"]


def test_an_edit_published_elsewhere_is_served_by_every_process(tmp_path: Path) -> None:
    environ = embedded_environ(tmp_path / "data")
    manage(environ, "migrate", "-v0")
    first = article_record(key="KB-100001", summary="第一版。", category="理赔/医疗")
    manage(environ, "kms_import", write(tmp_path / "a.jsonl", CATEGORY, BRANCH, first))
    key = manage(environ, "kms_apikey", "create", "t", "--scopes", "read").strip().splitlines()[-1]

    with runserver(environ, "--noscheduler") as one, runserver(environ, "--noscheduler") as two:
        assert summary(one, key) == summary(two, key) == "第一版。"  # both have it cached

        second = {**first, "summary": "第二版。"}
        manage(environ, "kms_import", write(tmp_path / "b.jsonl", second))  # a third process

        assert summary(one, key) == "第二版。"
        assert summary(two, key) == "第二版。"
