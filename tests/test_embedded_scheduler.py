"""`make run` keeps time: in the embedded default (no Redis, no beat), the server process
publishes a scheduled article on time, as services mode does.

End to end, like a user: a fresh data directory, migrations, an article scheduled a few
seconds ahead, then `manage.py runserver` — and nothing else — makes it go live.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.embedded import embedded_environ, manage, runserver

TIMEOUT = 60.0  # beat's interval is 10 s; this is reached only when broken

SCHEDULE = """
import datetime as dt
from django.utils import timezone
from content.actors import Actor
from content.models import Branch, KnowledgeArticle
from content.records import Catalog, validate_record
from content.services import article_upsert, publish
from tests.factories import article_record

operator = Actor.system_context("test")
Branch.objects.create(code="HQ", name="总公司", variables={"hotline": "95500"})
record, problems = validate_record(
    1, article_record(key="KB-990001", status="draft"), Catalog.from_database()
)
assert not problems, problems
article_upsert(record, actor=operator)
draft = KnowledgeArticle.objects.get(key="KB-990001").get_latest_revision_as_object()
draft.go_live_at = timezone.now() + dt.timedelta(seconds=2)
publish(draft.save_revision(), actor=operator)
assert not KnowledgeArticle.objects.get(key="KB-990001").live
"""


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    return embedded_environ(tmp_path)


@pytest.fixture
def server(embedded_env: dict[str, str]) -> Iterator[str]:
    manage(embedded_env, "migrate", "-v0")
    manage(embedded_env, "shell", "-c", SCHEDULE)
    with runserver(embedded_env) as base:
        yield base


def published(database: Path) -> tuple[bool, int]:
    with sqlite3.connect(database, timeout=10) as db:
        (live,) = db.execute(
            "SELECT live FROM wagtailcore_page WHERE slug = 'kb-990001'"
        ).fetchone()
        (events,) = db.execute(
            "SELECT count(*) FROM content_changeevent "
            "WHERE article_key = 'KB-990001' AND action = 'published'"
        ).fetchone()
    return bool(live), events


def test_runserver_alone_publishes_a_scheduled_article_on_time(
    server: str, embedded_env: dict[str, str]
) -> None:
    database = Path(embedded_env["KMS_DATA_DIR"]) / "kms.sqlite3"
    deadline = time.monotonic() + TIMEOUT
    while published(database) != (True, 1):
        assert time.monotonic() < deadline, "the scheduled article never went live"
        time.sleep(0.5)
