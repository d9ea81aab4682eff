"""On PostgreSQL, imports never block editors and concurrency never reaches the user.

Each test holds an import's transaction open half-way (its progress callback waits) while
another transaction runs, so what the second one waits for is visible, not inferred from
timings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from content import consumers, importing, tasks
from content.models import ChangeEvent, ConsumerCursor, KnowledgeArticle, KnowledgeIndexPage
from content.records import article_record as record_of
from content.services import article_upsert, category_ensure
from tests.factories import OPERATOR, BranchFactory, article_record, make_article
from tests.services.threads import TIMEOUT, Pause, Worker, wait_until, waits_for_a_lock

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def setup(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Consumers would run eagerly in the writers' threads after each commit: not the subject.
    monkeypatch.setattr(tasks.consumers_run_all, "delay", lambda *args, **kwargs: None)
    BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})
    category_ensure("理赔/医疗")  # shared by every import below, as in real use
    yield


def parsed(*raws: dict[str, Any]) -> list:
    result = importing.parse([json.dumps(raw, ensure_ascii=False) for raw in raws])
    assert not result.problems, result.problems
    return result.records


def new_articles(prefix: str, count: int, **fields: Any) -> list:
    return parsed(
        *(article_record(key=f"{prefix}{n:04d}", tags=[], **fields) for n in range(count))
    )


def importer(name: str, records: list, pause: Pause | None = None) -> Worker:
    return Worker(name, lambda: importing.apply(records, actor=OPERATOR, progress=pause))


def an_editors_publish(key: str, summary: str) -> Worker:
    def publish() -> int:
        record = record_of(KnowledgeArticle.objects.get(key=key), status="published")
        article_upsert(record | {"summary": summary}, actor=OPERATOR)
        return ChangeEvent.objects.filter(article_key=key).latest("seq").seq

    return Worker(f"editor-{key}", publish)


def test_an_editors_publish_is_not_held_up_by_an_import_in_progress() -> None:
    make_article(key="KB-890000")
    pause = Pause(after=500)  # after the first bulk chunk: pages, snapshots, events written
    big_import = importer("import", new_articles("KB-91", 1000), pause).start()
    wait_until(pause.reached.is_set, "the import to write its first chunk")

    editor = an_editors_publish("KB-890000", "可在App提交材料。").start()
    wait_until(
        lambda: editor.done.is_set() or waits_for_a_lock(editor.pid),
        "the editor's publish to commit or to wait for a lock",
    )
    published_during_import = editor.done.is_set()
    pause.release.set()
    import_counts = big_import.finish()
    editor_seq = editor.finish()

    assert published_during_import, "the editor's publish waited for the import to commit"
    assert import_counts["article created"] == 1000
    # the log stays in commit order: the editor committed first
    import_seqs = ChangeEvent.objects.filter(article_key__startswith="KB-91", action="published")
    assert editor_seq < min(
        import_seqs.exclude(article_key="KB-890000").values_list("seq", flat=True)
    )


def test_two_imports_of_different_new_articles_both_succeed() -> None:
    pause = Pause(after=1)
    first = importer("first", new_articles("KB-92", 30), pause).start()
    wait_until(pause.reached.is_set, "the first import to write its articles")

    second = importer("second", new_articles("KB-93", 30)).start()
    wait_until(
        lambda: second.done.is_set() or waits_for_a_lock(second.pid),
        "the second import to commit or to wait",
    )
    second_finished_alone = second.done.is_set()
    pause.release.set()

    assert first.finish()["article created"] == 30
    assert second.finish()["article created"] == 30
    assert second_finished_alone, "the second import waited for the first one"
    paths = list(KnowledgeArticle.objects.values_list("path", flat=True))
    assert len(paths) == len(set(paths)) == 60
    assert KnowledgeIndexPage.objects.get().numchild == 60


def test_overlapping_updates_queue_instead_of_deadlocking(caplog: pytest.LogCaptureFixture) -> None:
    make_article(key="KB-940001")
    make_article(key="KB-940002")

    def edits(order: tuple[str, ...], summary: str) -> list:
        return parsed(*(article_record(key=key, summary=summary) for key in order))

    pause = Pause(after=1)  # one article updated, the other still to come
    forwards = importer("forwards", edits(("KB-940001", "KB-940002"), "甲版本。"), pause).start()
    wait_until(pause.reached.is_set, "the first import to update one article")
    backwards = importer("backwards", edits(("KB-940002", "KB-940001"), "乙版本。")).start()
    wait_until(
        lambda: backwards.done.is_set() or waits_for_a_lock(backwards.pid),
        "the second import to wait for the first",
    )
    pause.release.set()

    assert forwards.finish()["article updated"] == 2
    assert backwards.finish()["article updated"] == 2  # no deadlock reached the user
    summaries = set(KnowledgeArticle.objects.values_list("published__summary", flat=True))
    assert summaries == {"乙版本。"}  # the second import applied whole, after the first
    # both locked in the same order, so there was nothing to retry
    assert not [r for r in caplog.records if r.name == "content.services.transactions"]


def test_a_conflict_on_a_new_category_is_retried_transparently() -> None:
    pause = Pause(after=1)
    first = importer("first", new_articles("KB-95", 2, category="新险种/甲"), pause).start()
    wait_until(pause.reached.is_set, "the first import to create the category")
    second = importer("second", new_articles("KB-96", 2, category="新险种/甲")).start()
    wait_until(lambda: waits_for_a_lock(second.pid), "the second import to wait for it")
    pause.release.set()

    assert first.finish()["article created"] == 2
    assert second.finish()["article created"] == 2  # retried after a unique violation
    assert KnowledgeArticle.objects.filter(category__path="新险种/甲").count() == 4


class Counting(consumers.Consumer):
    name = "counting"

    def __init__(self) -> None:
        self.handled: list[int] = []

    def handle(self, event: ChangeEvent) -> None:
        self.handled.append(event.seq)


def test_a_catch_up_that_finds_its_consumer_busy_skips_instead_of_waiting() -> None:
    counting = consumers.registry.register(Counting())
    try:
        make_article(key="KB-970001")
        ConsumerCursor.objects.get_or_create(name="counting")
        holding, release = threading.Event(), threading.Event()

        def busy_worker() -> None:
            with transaction.atomic():
                ConsumerCursor.objects.select_for_update().get(name="counting")
                holding.set()
                release.wait(TIMEOUT)

        worker = Worker("busy", busy_worker).start()
        wait_until(holding.is_set, "the other worker to hold the consumer")

        assert consumers.catch_up("counting") is None  # at once, not after the other
        assert counting.handled == []
        release.set()
        worker.finish()
        assert consumers.drain("counting") == 1
        assert counting.handled == [ChangeEvent.objects.get(article_key="KB-970001").seq]
    finally:
        consumers.registry.unregister("counting")


def test_two_imports_of_the_same_new_articles_both_succeed() -> None:
    pause = Pause(after=1)
    records = new_articles("KB-98", 5)
    first = importer("first", records, pause).start()
    wait_until(pause.reached.is_set, "the first import to write its articles")
    second = importer("second", new_articles("KB-98", 5)).start()
    wait_until(lambda: waits_for_a_lock(second.pid), "the second import to wait for the first")
    pause.release.set()

    assert first.finish()["article created"] == 5
    # retried once the first committed: the articles exist now, and say the same
    assert second.finish()["article unchanged"] == 5
    assert KnowledgeArticle.objects.filter(key__startswith="KB-98").count() == 5
