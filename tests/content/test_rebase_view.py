"""The rebase page of an override HQ has not made stale: nothing to review, nothing to confirm."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from content.models import BranchOverride, BranchRole
from content.services import unpublish
from tests.factories import OPERATOR, BranchFactory, make_article, make_override

pytestmark = pytest.mark.django_db

BODY = "导语。\n\n## 办理材料\n\n- 身份证\n- 发票\n\n## 办理流程\n\n1. 报案\n2. 提交\n"
NOTHING_TO_REVIEW = "Nothing this override touches changed in HQ."
HQ_CHANGED = (
    "HQ changed parts of %(key)s that %(branch)s overrides. Compare, adjust the override if "
    "needed, then rebase to acknowledge HQ's current version."
)
CONFIRM = "Rebase on HQ's current version"
CONFIRMED = "%(override)s is now based on HQ's current version."
EDIT_NEEDED = (
    "HQ removed sections this override changes: edit the override to remove or move those changes."
)


@pytest.fixture
def override() -> BranchOverride:
    hq = BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})
    BranchFactory(code="GD", name="广东分公司", parent=hq, variables={"hotline": "020-1"})
    make_article(key="KB-510001", body=BODY)
    make_override(
        "KB-510001", "GD", sections={"办理材料": {"mode": "append", "body": "- 广东补充材料"}}
    )
    # HQ edits a section the override does not touch: still not stale.
    make_article(key="KB-510001", body=BODY.replace("2. 提交", "2. 在线提交"))
    override = BranchOverride.objects.get()
    assert not override.stale
    return override


@pytest.fixture
def client(override: BranchOverride) -> Client:
    client = Client()
    user = User.objects.create_user("gd_editor", "gd@example.com", "pw")
    user.groups.add(Group.objects.get(name="分公司用户"))
    BranchRole.objects.create(user=user, branch=override.branch, role="editor")
    client.force_login(user)
    return client


def test_the_page_says_once_that_there_is_nothing_to_review_and_offers_no_confirm(
    override: BranchOverride, client: Client
) -> None:
    url = reverse("kms_override_rebase", args=(override.pk,))

    page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count(gettext(NOTHING_TO_REVIEW)) == 1
    assert gettext(HQ_CHANGED) % {"key": "KB-510001", "branch": "GD"} not in html
    assert gettext(CONFIRM) not in html
    assert f'action="{url}"' not in html and '<form method="post">' not in html


def test_confirming_records_no_revision_and_says_there_was_nothing_to_acknowledge(
    override: BranchOverride, client: Client
) -> None:
    revisions = override.revisions.count()
    latest, based_on = override.latest_revision_id, override.based_on_id

    response = client.post(reverse("kms_override_rebase", args=(override.pk,)))

    override.refresh_from_db()
    assert response.status_code == 302
    assert override.revisions.count() == revisions
    assert (override.latest_revision_id, override.based_on_id) == (latest, based_on)
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert told == [gettext(NOTHING_TO_REVIEW)]
    assert gettext(CONFIRMED) % {"override": override} not in told


def test_an_override_whose_only_problem_is_a_removed_section_needs_an_edit_not_a_rebase(
    override: BranchOverride, client: Client
) -> None:
    make_article(key="KB-510001", body="导语。\n\n## 办理流程\n\n1. 报案\n")  # 办理材料 removed
    override.refresh_from_db()
    assert override.orphaned_sections == ["办理材料"] and not override.stale_parts
    revisions = override.revisions.count()
    url = reverse("kms_override_rebase", args=(override.pk,))

    page = client.get(url).content.decode()
    response = client.post(url)

    assert 'type="submit"' not in page  # no rebase to confirm
    override.refresh_from_db()
    assert override.revisions.count() == revisions  # a rebase would change nothing
    assert override.orphaned_sections == ["办理材料"]
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert told == [gettext(EDIT_NEEDED)]


def test_the_rebase_page_of_an_override_whose_article_hq_took_down_is_not_an_error(
    override: BranchOverride, client: Client
) -> None:
    make_article(key="KB-510001", body=BODY.replace("- 发票", "- 电子发票"))  # now stale
    override.refresh_from_db()
    assert override.stale_parts == ["办理材料"]
    unpublish(override.article, actor=OPERATOR)

    page = client.get(reverse("kms_override_rebase", args=(override.pk,)))

    assert page.status_code == 200
    override.refresh_from_db()
    assert not override.stale  # nothing of HQ's left to be stale against
