"""A bulk import run in-process lets the search indexer rebuild instead of replaying a
large backlog; a nudge (bounded) or a small backlog replays event by event."""

from __future__ import annotations

import pytest

from content import consumers
from search import indexing, tasks
from search.backends import engine
from search.backends.embedded import CURRENT
from search.models import EmbeddingBacklog
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def generation(index_dir) -> str:
    return (index_dir / CURRENT).read_text()


def test_a_large_backlog_is_caught_up_by_a_rebuild(search_index_dir, monkeypatch) -> None:
    monkeypatch.setattr(indexing, "REBUILD_BACKLOG_MIN", 3)
    make_article(key="KB-700001", title="退保手续费怎么算")
    consumers.drain(indexing.NAME)
    before = generation(search_index_dir)
    for n in range(2, 6):
        make_article(key=f"KB-70000{n}", title=f"退保问题{n}")
    consumers.drain(indexing.NAME, most=2)  # a bounded nudge never rebuilds
    assert generation(search_index_dir) == before
    for n in range(6, 10):
        make_article(key=f"KB-70000{n}", title=f"退保问题{n}")
    assert consumers.lag(indexing.NAME) >= 4
    consumers.rebuild_backlogs()
    consumers.drain(indexing.NAME)
    assert generation(search_index_dir) != before  # rebuilt beside, then switched
    assert consumers.lag(indexing.NAME) == 0
    assert engine().count() == 9


def test_a_small_backlog_is_replayed(search_index_dir) -> None:
    make_article(key="KB-700011", title="退保手续费怎么算")
    consumers.drain(indexing.NAME)
    before = generation(search_index_dir)
    make_article(key="KB-700012", title="退保问题")
    consumers.rebuild_backlogs()
    consumers.drain(indexing.NAME)
    assert generation(search_index_dir) == before
    assert engine().count() == 2


def test_articles_a_rebuild_catches_up_are_announced_for_embedding(
    search_index_dir, monkeypatch, settings, django_capture_on_commit_callbacks
) -> None:
    """Replaying the events would have announced their articles to ranking by meaning; a
    rebuild standing in for them announces them too (where tasks run eagerly, a large
    import then waits in the embedding backlog the scheduler drains)."""
    settings.KMS_SEARCH_SEMANTIC = {**settings.KMS_SEARCH_SEMANTIC, "enabled": True}
    monkeypatch.setattr(indexing, "REBUILD_BACKLOG_MIN", 3)
    monkeypatch.setattr(tasks, "EMBED_BATCH", 1)  # as an import's thousands
    for n in range(1, 5):
        make_article(key=f"KB-70002{n}", title=f"退保问题{n}")

    with django_capture_on_commit_callbacks(execute=True):
        consumers.rebuild_backlogs()

    assert sorted(EmbeddingBacklog.objects.values_list("key", flat=True)) == [
        f"KB-70002{n}" for n in range(1, 5)
    ]
