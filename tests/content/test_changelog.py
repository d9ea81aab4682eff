"""The change log: events commit with their snapshots, consumers never skip or double-apply."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from content import consumers
from content.dispatch import changes_committed
from content.models import Action, ChangeEvent, ConsumerCursor, PublishedArticle
from content.selectors import effective_article
from content.services.snapshots import effective_dates_apply
from kms.celery import app as celery_app
from tests.factories import BranchFactory, make_article

pytestmark = pytest.mark.django_db


class Recorder(consumers.Consumer):
    """A consumer that remembers what it handled and can be told to fail on one event."""

    name = "recorder"

    def __init__(self) -> None:
        self.handled: list[int] = []
        self.fail_on: int | None = None
        self.attempts = 0
        self.outage: list[BaseException] = []  # raised, one per attempt, before recovering

    def handle(self, event: ChangeEvent) -> None:
        self.attempts += 1
        if self.outage:
            raise self.outage.pop(0)
        if event.seq == self.fail_on:
            raise ConnectionError("search engine down")
        self.handled.append(event.seq)


@pytest.fixture
def recorder() -> Recorder:
    consumer = consumers.registry.register(Recorder())
    yield consumer
    consumers.registry.unregister(consumer.name)


@pytest.fixture(autouse=True)
def hq() -> None:
    hq = BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})
    BranchFactory(code="GD", parent=hq)


def test_a_publish_appends_its_event_with_the_snapshot() -> None:
    article = make_article(key="KB-600001")

    event = ChangeEvent.objects.get()
    assert (event.article_key, event.action) == ("KB-600001", Action.PUBLISHED)
    assert event.revision_id == article.live_revision_id == article.published.revision_id
    assert event.branches == ["GD", "HQ"]


def test_nothing_is_queued_before_commit(django_capture_on_commit_callbacks) -> None:
    announced: list[object] = []

    def count(sender: object, **kwargs: object) -> None:
        announced.append(sender)

    changes_committed.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_article(key="KB-600002")
            make_article(key="KB-600003")
            assert announced == []  # still inside the transaction: nothing told yet
    finally:
        changes_committed.disconnect(count)

    assert ChangeEvent.objects.count() == 2
    assert len(announced) == 1  # one nudge for the whole transaction, after commit


def test_a_rolled_back_publish_leaves_no_event_and_no_snapshot() -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        make_article(key="KB-600004")
        raise Boom

    assert not ChangeEvent.objects.exists()
    assert not PublishedArticle.objects.exists()


def test_a_broker_outage_during_publish_is_caught_up_by_the_sweep(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    from content import tasks

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.consumers_run_all, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(key="KB-600007")  # the publish itself succeeds

    assert recorder.handled == []
    monkeypatch.undo()

    tasks.consumers_run_all()  # what beat runs every few seconds

    assert recorder.handled == [ChangeEvent.objects.get().seq]


def test_a_consumer_that_fails_mid_batch_resumes_without_skipping_or_double_applying(
    recorder: Recorder,
) -> None:
    for n in range(1, 6):
        make_article(key=f"KB-60010{n}")
    seqs = list(ChangeEvent.objects.values_list("seq", flat=True))
    recorder.fail_on = seqs[2]

    with pytest.raises(ConnectionError):
        consumers.catch_up("recorder")

    cursor = ConsumerCursor.objects.get(name="recorder")
    assert recorder.handled == seqs[:2]
    assert cursor.position == seqs[1]
    assert "search engine down" in cursor.last_error and cursor.failures == 1

    recorder.fail_on = None
    consumers.catch_up("recorder")

    assert recorder.handled == seqs  # each event exactly once, in order
    assert ConsumerCursor.objects.get(name="recorder").failures == 0


@pytest.fixture
def errors_kept_in_results() -> Iterator[None]:
    """Eager tasks keep their errors in the result, so that eager retries run (with errors
    propagating, Celery raises the first Retry instead of running the task again)."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


def test_the_consumer_task_retries_transient_errors_until_the_event_is_handled(
    recorder: Recorder, errors_kept_in_results: None
) -> None:
    from content.tasks import consumer_run

    make_article(key="KB-600200")
    recorder.handled, recorder.attempts = [], 0
    recorder.outage = [ConnectionError("search engine down"), TimeoutError("still down")]

    result = consumer_run.apply(args=("recorder",))  # eager: each retry runs at once

    assert result.successful()

    assert recorder.handled == [ChangeEvent.objects.get().seq]
    assert recorder.attempts == 3
    assert ConsumerCursor.objects.get(name="recorder").failures == 0


def test_the_consumer_task_does_not_retry_a_bug(
    recorder: Recorder, errors_kept_in_results: None
) -> None:
    from content.tasks import consumer_run

    make_article(key="KB-600201")
    recorder.handled, recorder.attempts = [], 0
    recorder.outage = [ValueError("a bug, not an outage")]

    result = consumer_run.apply(args=("recorder",))

    assert isinstance(result.result, ValueError)
    assert recorder.attempts == 1
    cursor = ConsumerCursor.objects.get(name="recorder")
    assert (cursor.failures, cursor.position) == (1, 0)
    assert "a bug" in cursor.last_error


def test_replay_hands_events_to_a_consumer_again(recorder: Recorder) -> None:
    make_article(key="KB-600301")
    make_article(key="KB-600302")
    first, second = ChangeEvent.objects.values_list("seq", flat=True)
    consumers.catch_up("recorder")

    out = io.StringIO()
    call_command("kms_consumers", "--replay", "recorder", "--from", str(second), stdout=out)

    assert recorder.handled == [first, second, second]
    assert "replayed 1 events" in out.getvalue()
    assert "recorder" in out.getvalue()


def test_scheduled_go_live_emits_its_event(monkeypatch: pytest.MonkeyPatch) -> None:
    from content.tasks import time_driven_changes_apply

    article = make_article(key="KB-600400", status="draft").get_latest_revision_as_object()
    article.go_live_at = timezone.now() + dt.timedelta(minutes=5)
    article.save_revision().publish()
    assert not ChangeEvent.objects.filter(article_key="KB-600400").exists()

    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    time_driven_changes_apply()

    assert ChangeEvent.objects.get(article_key="KB-600400").action == Action.PUBLISHED


def test_scheduled_expiry_emits_an_expired_event(monkeypatch: pytest.MonkeyPatch) -> None:
    from content.tasks import time_driven_changes_apply

    article = make_article(key="KB-600401").get_latest_revision_as_object()
    article.expire_at = timezone.now() + dt.timedelta(minutes=5)
    article.save_revision().publish()

    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    time_driven_changes_apply()

    last = ChangeEvent.objects.filter(article_key="KB-600401").last()
    assert last.action == Action.EXPIRED
    assert effective_article("KB-600401") is None


def test_effective_dates_take_articles_in_and_out_of_effect() -> None:
    make_article(key="KB-600500", effective_from="2030-01-01", effective_to="2030-12-31")
    assert effective_article("KB-600500") is None  # not yet in effect

    assert effective_dates_apply(on=dt.date(2030, 1, 1)) == 1
    assert effective_article("KB-600500") is not None
    assert effective_dates_apply(on=dt.date(2030, 6, 1)) == 0  # nothing changed
    assert effective_dates_apply(on=dt.date(2031, 1, 1)) == 1

    actions = list(
        ChangeEvent.objects.filter(article_key="KB-600500").values_list("action", flat=True)
    )
    assert actions == [Action.PUBLISHED, Action.EFFECTIVE, Action.EXPIRED]


def test_the_cache_purge_consumer_invalidates_cached_reader_views() -> None:
    from content.cache import article_cache_key

    make_article(key="KB-600600")
    consumers.catch_up("cache-purge")
    before = article_cache_key("KB-600600", "GD")

    make_article(key="KB-600600", summary="新简答。")
    consumers.catch_up("cache-purge")

    assert article_cache_key("KB-600600", "GD") != before
