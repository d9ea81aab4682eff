"""Consumers and periodic tasks: clear failures, no overlapping runs."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from content import consumers
from content.locks import single_run
from content.models import ChangeEvent, KnowledgeArticle
from content.services import publish
from content.tasks import time_driven_changes_apply
from tests.factories import OPERATOR, BranchFactory, make_article

pytestmark = pytest.mark.django_db


class CacheDown(consumers.Consumer):
    """A consumer whose cache server does not answer."""

    name = "cache-down"

    def handle(self, event: ChangeEvent) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def cache_down() -> Iterator[None]:
    consumers.registry.register(CacheDown())
    yield
    consumers.registry.unregister(CacheDown.name)


@pytest.fixture(autouse=True)
def hq() -> None:
    BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})


def test_a_consumer_whose_server_is_down_is_a_clear_message_not_a_traceback(
    cache_down: None,
) -> None:
    make_article(key="KB-830001")

    with pytest.raises(CommandError) as raised:
        call_command("kms_consumers", "--run", stdout=io.StringIO())

    message = str(raised.value)
    assert raised.value.returncode == 1
    assert "consumer cache-down" in message
    assert "Connection refused" in message
    assert "stopped after event #0" in message


def test_a_time_driven_run_skips_while_another_is_still_going(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft = make_article(key="KB-830002", status="draft").get_latest_revision_as_object()
    draft.go_live_at = timezone.now() + dt.timedelta(minutes=5)
    publish(draft.save_revision(), actor=OPERATOR)
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)

    with single_run("time-driven-changes", timeout=60) as acquired:
        assert acquired
        time_driven_changes_apply()  # beat fires again while the first run holds the lock
        assert not KnowledgeArticle.objects.get(key="KB-830002").live

    time_driven_changes_apply()
    assert KnowledgeArticle.objects.get(key="KB-830002").live
    assert cache.get("kms:task-lock:time-driven-changes") is None  # released


def test_a_commit_passes_on_a_share_of_a_backlog_and_the_sweep_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import transaction

    from content import tasks
    from content.models import Action, ConsumerCursor
    from content.services.changelog import changes_append_bulk

    monkeypatch.setattr(tasks, "NUDGE_MOST", 30)
    with transaction.atomic():  # a big import's events, as its commit leaves them
        changes_append_bulk(
            [ChangeEvent(article_key=f"KB-{n}", action=Action.PUBLISHED) for n in range(100)]
        )

    tasks.consumers_run_all(tasks.NUDGE_MOST)  # what the nudge after a commit does
    after_nudge = ConsumerCursor.objects.get(name="cache-purge").position
    tasks.consumers_run_all()  # the periodic sweep
    after_sweep = ConsumerCursor.objects.get(name="cache-purge").position

    head = ChangeEvent.objects.order_by("-seq").first().seq
    assert 30 <= after_nudge - (head - 100) < 100  # a bounded share, not the whole backlog
    assert after_sweep == head


class Broken(consumers.Consumer):
    """A consumer with a bug."""

    name = "a-broken"  # sorted first: the others run after it

    def handle(self, event: ChangeEvent) -> None:
        raise LookupError("no branch ''")


def test_a_failing_consumer_neither_fails_the_commit_nor_stops_the_others() -> None:
    from content import tasks
    from content.models import ConsumerCursor

    consumers.registry.register(Broken())
    try:
        make_article(key="KB-830002")
        tasks.consumers_run_all()  # what the nudge does where tasks run eagerly
    finally:
        consumers.registry.unregister(Broken.name)
    head = ChangeEvent.objects.order_by("-seq").first().seq
    assert ConsumerCursor.objects.get(name="cache-purge").position == head
    broken = ConsumerCursor.objects.get(name=Broken.name)
    assert broken.position < head and "no branch" in broken.last_error
