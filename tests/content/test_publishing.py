"""Publishing is atomic by construction: one service, receivers that refuse to run outside a
transaction, scheduled work one object at a time, tree positions nobody else takes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.actions.publish_page_revision import PublishPageRevisionAction

from content.actors import Actor
from content.models import Action, ChangeEvent, KnowledgeArticle, PublishedArticle
from content.services import publish, unpublish
from content.services import snapshots as snapshot_service
from content.services.articles import knowledge_index
from content.services.changelog import TransactionRequired
from content.services.scheduling import scheduled_publishing_apply
from tests.factories import OPERATOR, BranchFactory, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def hq() -> None:
    BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})


def scheduled(key: str, **when: dt.datetime) -> KnowledgeArticle:
    """A draft of `key` whose publish waits for its go-live time (as the admin schedules)."""
    draft = make_article(key=key, status="draft").get_latest_revision_as_object()
    for name, value in when.items():
        setattr(draft, name, value)
    publish(draft.save_revision(), actor=OPERATOR)
    return KnowledgeArticle.objects.get(key=key)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_outside_a_transaction_is_refused_by_the_snapshot_receiver() -> None:
    article = make_article(key="KB-800001", status="draft")
    revision = article.get_latest_revision()

    with pytest.raises(TransactionRequired):
        # Wagtail's action, called directly without a transaction: refused
        PublishPageRevisionAction(revision).execute(skip_permission_checks=True)

    article.refresh_from_db()
    assert not article.live and article.live_revision_id is None  # nothing half-published
    assert not PublishedArticle.objects.filter(key="KB-800001").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_publishing_service_commits_live_state_snapshot_and_event_together() -> None:
    article = make_article(key="KB-800002", status="draft")

    publish(article.get_latest_revision(), actor=OPERATOR)

    article.refresh_from_db()
    assert article.live
    assert PublishedArticle.objects.get(key="KB-800002").revision_id == article.live_revision_id
    assert ChangeEvent.objects.get(article_key="KB-800002").action == Action.PUBLISHED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_snapshot_rolls_the_publish_back(monkeypatch: pytest.MonkeyPatch) -> None:
    article = make_article(key="KB-800003", status="draft")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(snapshot_service, "article_snapshot_write", broken)
    with pytest.raises(RuntimeError):
        publish(article.get_latest_revision(), actor=OPERATOR)

    article.refresh_from_db()
    assert not article.live
    assert not ChangeEvent.objects.filter(article_key="KB-800003").exists()


def test_an_editor_without_publish_permission_cannot_publish() -> None:
    article = make_article(key="KB-800004", status="draft")
    clerk = Actor.editor(get_user_model().objects.create_user("clerk"))

    with pytest.raises(PermissionDenied):
        publish(article.get_latest_revision(), actor=clerk)
    with pytest.raises(PermissionDenied):
        unpublish(make_article(key="KB-800005"), actor=clerk)

    assert not KnowledgeArticle.objects.get(key="KB-800004").live
    assert KnowledgeArticle.objects.get(key="KB-800005").live


def test_scheduled_work_is_one_object_per_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    soon = timezone.now() + dt.timedelta(minutes=5)
    scheduled("KB-800010", go_live_at=soon)
    scheduled("KB-800011", go_live_at=soon)
    real_write = snapshot_service.article_snapshot_write

    def fails_for_the_first(article: KnowledgeArticle, revision_id: int) -> Any:
        if article.key == "KB-800010":
            raise RuntimeError("this one is broken")
        return real_write(article, revision_id)

    monkeypatch.setattr(snapshot_service, "article_snapshot_write", fails_for_the_first)
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert scheduled_publishing_apply() == (0, 1)

    assert KnowledgeArticle.objects.get(key="KB-800011").live
    first = KnowledgeArticle.objects.get(key="KB-800010")
    assert not first.live  # still scheduled: the next run tries again
    assert first.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_publish_scheduled_goes_through_the_publishing_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.management import call_command

    scheduled("KB-800012", go_live_at=timezone.now() + dt.timedelta(minutes=5))
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)

    call_command("publish_scheduled", stdout=io.StringIO())

    assert ChangeEvent.objects.get(article_key="KB-800012").action == Action.PUBLISHED


def test_new_articles_take_distinct_positions_and_are_counted() -> None:
    index = knowledge_index()
    for n in range(3):
        make_article(key=f"KB-80002{n}")
    # the admin's way: treebeard picks after the last child, the model takes a fresh one
    page = KnowledgeArticle(
        title="柜面如何办理保全？",
        summary="携带身份证件到柜面。",
        category=KnowledgeArticle.objects.get(key="KB-800020").category,
        key="KB-800030",
    )
    knowledge_index().add_child(instance=page)

    index.refresh_from_db()
    assert index.numchild == 4
    paths = list(index.get_children().values_list("path", flat=True))
    assert len(paths) == len(set(paths)) == 4
