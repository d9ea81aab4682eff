"""Releases go live as one transaction, tagged in the change log, and roll back as a whole."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from content.models import ChangeEvent, KnowledgeArticle, Release, ReleaseItem, ReleaseStatus
from content.selectors import effective_article
from content.services.releases import release_apply, release_rollback, releases_due_apply
from tests.factories import OPERATOR, BranchFactory, make_article, make_override

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def hq() -> None:
    BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})


def draft_change(key: str, summary: str) -> None:
    make_article(key=key, summary=summary, status="draft")


@pytest.fixture
def launch() -> Release:
    """A product launch: one changed article and one brand-new article."""
    make_article(key="KB-700001", summary="旧规则。")
    draft_change("KB-700001", "新规则自1月1日起生效。")
    make_article(key="KB-700002", summary="新产品介绍。", status="draft")
    release = Release.objects.create(name="2027 新产品上市")
    for key in ("KB-700001", "KB-700002"):
        ReleaseItem.objects.create(release=release, article=KnowledgeArticle.objects.get(key=key))
    return release


def test_a_release_goes_live_at_once_with_one_group_of_events(launch: Release) -> None:
    before = ChangeEvent.objects.count()

    release_apply(launch, actor=OPERATOR)

    assert effective_article("KB-700001").summary == "新规则自1月1日起生效。"
    assert effective_article("KB-700002").summary == "新产品介绍。"
    events = ChangeEvent.objects.filter(seq__gt=0).order_by("seq")[before:]
    assert {(e.article_key, e.release_id) for e in events} == {
        ("KB-700001", launch.pk),
        ("KB-700002", launch.pk),
    }
    launch.refresh_from_db()
    assert launch.status == ReleaseStatus.APPLIED


def test_a_release_is_all_or_nothing(launch: Release, monkeypatch: pytest.MonkeyPatch) -> None:
    from content.services import snapshots

    real_write = snapshots.article_snapshot_write

    def fail_on_second(article: object, revision_id: int) -> object:
        if article.key == "KB-700002":
            raise RuntimeError("disk full")
        return real_write(article, revision_id)

    monkeypatch.setattr(snapshots, "article_snapshot_write", fail_on_second)
    events = ChangeEvent.objects.count()

    with pytest.raises(RuntimeError):
        release_apply(launch, actor=OPERATOR)

    assert effective_article("KB-700001").summary == "旧规则。"  # first item rolled back too
    assert effective_article("KB-700002") is None
    assert ChangeEvent.objects.count() == events
    launch.refresh_from_db()
    assert launch.status == ReleaseStatus.DRAFT


def test_rolling_back_restores_what_was_live_before(launch: Release) -> None:
    release_apply(launch, actor=OPERATOR)

    release_rollback(launch, actor=OPERATOR)

    assert effective_article("KB-700001").summary == "旧规则。"
    assert effective_article("KB-700002") is None  # was not live before the release
    launch.refresh_from_db()
    assert launch.status == ReleaseStatus.ROLLED_BACK
    assert ChangeEvent.objects.filter(release=launch).count() == 4


def test_a_scheduled_release_is_applied_when_due(launch: Release) -> None:
    launch.scheduled_at = timezone.now() - dt.timedelta(seconds=1)
    launch.status = ReleaseStatus.SCHEDULED
    launch.save()

    assert releases_due_apply() == 1
    assert effective_article("KB-700002") is not None


def test_an_applied_release_cannot_be_applied_twice(launch: Release) -> None:
    release_apply(launch, actor=OPERATOR)

    with pytest.raises(ValidationError):
        release_apply(launch, actor=OPERATOR)


def test_an_editor_applies_and_rolls_back_a_release_in_the_admin(launch: Release) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    edit = client.get(reverse("wagtailsnippets_content_release:edit", args=(launch.pk,)))
    assert edit.status_code == 200

    client.post(reverse("kms_release_action", args=(launch.pk, "apply")))
    assert effective_article("KB-700002") is not None
    client.post(reverse("kms_release_action", args=(launch.pk, "rollback")))
    assert effective_article("KB-700002") is None


def test_hq_reviewers_may_apply_releases_and_editors_may_not(launch: Release) -> None:
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    def member(name: str, group: str) -> Client:
        user = User.objects.create_user(name, f"{name}@example.com", "pw")
        user.groups.add(Group.objects.get(name=group))
        client = Client()
        client.force_login(user)
        return client

    member("editor", "总部编辑").post(reverse("kms_release_action", args=(launch.pk, "apply")))
    assert effective_article("KB-700002") is None

    member("reviewer", "总部审核员").post(reverse("kms_release_action", args=(launch.pk, "apply")))
    assert effective_article("KB-700002") is not None


def test_an_unknown_release_action_is_not_found(launch: Release) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))

    response = client.post(reverse("kms_release_action", args=(launch.pk, "explode")))

    assert response.status_code == 404
    launch.refresh_from_db()
    assert launch.status == ReleaseStatus.DRAFT


@pytest.fixture
def hq_reviewer() -> object:
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("hqrev", "hqrev@example.com", "pw")
    user.groups.add(Group.objects.get(name="总部审核员"))
    return user


@pytest.fixture
def gd_draft() -> object:
    from content.models import Branch

    BranchFactory(code="GD", parent=Branch.objects.get(code="HQ"))
    make_article(key="KB-700010", summary="总部版本。")
    return make_override("KB-700010", "GD", summary="广东版本。", status="draft")


def test_an_item_pointed_at_another_object_publishes_a_revision_of_that_object(
    launch: Release, gd_draft: object, hq_reviewer: object
) -> None:
    from content.actors import Actor

    item = ReleaseItem.objects.create(release=launch, override=gd_draft)
    item.override, item.article = None, KnowledgeArticle.objects.get(key="KB-700010")
    item.save()  # as the release form saves an item whose target was changed

    release_apply(launch, actor=Actor.editor(hq_reviewer))

    gd_draft.refresh_from_db()
    assert not gd_draft.live  # the GD reviewer's decision, not the HQ reviewer's
    assert effective_article("KB-700010", branch="GD").summary == "总部版本。"


def test_a_revision_of_another_object_is_refused(launch: Release, gd_draft: object) -> None:
    item = ReleaseItem.objects.filter(release=launch).first()
    ReleaseItem.objects.filter(pk=item.pk).update(revision=gd_draft.latest_revision)

    with pytest.raises(ValidationError, match="no revision of it"):
        release_apply(launch, actor=OPERATOR)

    assert not ChangeEvent.objects.filter(release=launch).exists()


def test_a_scheduled_release_goes_live_as_whoever_scheduled_it(
    launch: Release, gd_draft: object, hq_reviewer: object
) -> None:
    from content.actors import Actor
    from content.services.releases import release_schedule

    launch.scheduled_at = timezone.now() + dt.timedelta(minutes=5)
    launch.save()
    release_schedule(launch, actor=Actor.editor(hq_reviewer))
    ReleaseItem.objects.create(release=launch, override=gd_draft)  # added after scheduling
    Release.objects.filter(pk=launch.pk).update(scheduled_at=timezone.now())

    assert releases_due_apply() == 0  # the HQ reviewer may not publish GD's override

    gd_draft.refresh_from_db()
    launch.refresh_from_db()
    assert not gd_draft.live
    assert effective_article("KB-700002") is None  # all or nothing
    # back to its editors, saying why, rather than failing again every ten seconds
    assert launch.status == ReleaseStatus.DRAFT
    assert "hqrev may not publish overrides of GD" in launch.unscheduled_because
    assert releases_due_apply() == 0


def test_a_release_scheduled_by_someone_who_left_goes_back_to_draft(
    launch: Release, hq_reviewer: object
) -> None:
    from content.actors import Actor
    from content.services.releases import release_schedule

    launch.scheduled_at = timezone.now() + dt.timedelta(minutes=5)
    launch.save()
    release_schedule(launch, actor=Actor.editor(hq_reviewer))
    hq_reviewer.is_active = False
    hq_reviewer.save()
    Release.objects.filter(pk=launch.pk).update(scheduled_at=timezone.now())

    assert releases_due_apply() == 0

    launch.refresh_from_db()
    assert launch.status == ReleaseStatus.DRAFT
    assert "no longer active" in launch.unscheduled_because


def test_deleting_an_article_that_is_in_a_release_removes_it_from_the_release(
    launch: Release,
) -> None:
    KnowledgeArticle.objects.get(key="KB-700002").delete()

    assert [item.article.key for item in launch.items.all()] == ["KB-700001"]
