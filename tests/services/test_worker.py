"""Services mode end to end: a real Celery worker (with beat) on Redis and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from content.models import ChangeEvent, ConsumerCursor
from kms.celery import app as celery_app
from search import indexing, vectors
from search.models import PassageVector
from tests.factories import BranchFactory, make_article

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(condition: object, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A Celery worker with embedded beat, against the test database and Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kms.settings.dev",
        "DATABASE_URL": _database_url(),
        "KMS_DATA_DIR": str(tmp_path),
    }
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kms",
            "worker",
            "--beat",
            "--pool=solo",
            "--queues=celery,embedding",  # both (make worker and docker-compose run one each)
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: celery_app.control.ping(timeout=0.5), 60, "the worker to start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        celery_app.conf.task_always_eager = True
        log.close()


def test_a_publish_reaches_every_consumer_through_the_worker(worker: subprocess.Popen) -> None:
    BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})

    make_article(key="KB-800001")  # commits; the after-commit nudge goes through Redis

    seq = ChangeEvent.objects.get(article_key="KB-800001").seq
    took = wait_for(
        lambda: ConsumerCursor.objects.filter(name="cache-purge", position__gte=seq).exists(),
        30,
        "the cache-purge consumer to pass the event",
    )
    assert took < 30


def test_a_publish_is_embedded_on_the_embedding_queue(worker: subprocess.Popen) -> None:
    """The worker ranks by meaning (its settings' default): it indexes the article, then
    embeds its passage from the embedding queue."""
    BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})

    make_article(key="KB-800003", title="退保怎么办理？")

    wait_for(lambda: PassageVector.objects.exists(), 60, "the worker to embed the passage")
    (stored,) = PassageVector.objects.all()
    (text,) = indexing.passages(["KB-800003"])
    assert stored.digest == vectors.digest(text) and "退保怎么办理？" in text


def test_a_scheduled_go_live_is_logged_by_beat_within_30_seconds(
    worker: subprocess.Popen,
) -> None:
    BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})
    article = make_article(key="KB-800002", status="draft").get_latest_revision_as_object()
    go_live = timezone.now() + dt.timedelta(seconds=2)
    article.go_live_at = go_live
    article.save_revision().publish()
    assert not ChangeEvent.objects.filter(article_key="KB-800002").exists()

    wait_for(
        lambda: ChangeEvent.objects.filter(article_key="KB-800002", action="published").exists(),
        45,
        "beat to publish the scheduled article",
    )
    event = ChangeEvent.objects.get(article_key="KB-800002")
    assert (event.occurred_at - go_live).total_seconds() < 30
