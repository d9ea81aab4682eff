"""An override stays where it was made, and only its branch's reviewers take a live one down.

Deleting a live override is unpublishing it for the branch's readers, so it asks for the
branch's reviewer role, in the single and the bulk delete alike; editors still delete
drafts nobody reads. An override's article and branch never change once it exists.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from content.models import Action, BranchOverride, ChangeEvent
from content.selectors import effective_article
from tests.content.test_admin_branch_scope import VIEWSET, draft_override, edit_form, publish
from tests.content.test_override_admin import BODY, branch_user
from tests.factories import make_article, make_override

pytestmark = pytest.mark.django_db

LOCAL = "广东省内异地就医备案凭证"  # the text draft_override puts in GD's override


@pytest.fixture
def live_override(tree: dict) -> BranchOverride:
    override = draft_override(tree)
    reviewer = Client()
    branch_user(reviewer, "gd_publisher", tree["GD"], role="reviewer")
    publish(reviewer, override)
    override.refresh_from_db()
    assert override.live
    return override


def delete_url(override: BranchOverride) -> str:
    return reverse(f"{VIEWSET}:delete", args=(override.pk,))


def bulk_delete_url(override: BranchOverride) -> str:
    url = reverse("wagtail_bulk_action", args=("content", "branchoverride", "delete"))
    return f"{url}?id={override.pk}"


def gd_reads_the_override() -> bool:
    return LOCAL in effective_article("KB-600001", branch="GD").html


@pytest.mark.parametrize("url", [delete_url, bulk_delete_url], ids=["single", "bulk"])
def test_a_branch_editor_cannot_delete_a_live_override(
    tree: dict, live_override: BranchOverride, url: object
) -> None:
    editor = Client()
    branch_user(editor, "gd_editor", tree["GD"])

    confirm = editor.get(url(live_override))
    response = editor.post(url(live_override), {})

    assert response.status_code in (302, 403)
    assert BranchOverride.objects.filter(pk=live_override.pk, live=True).exists()
    assert gd_reads_the_override()
    assert f'action="{url(live_override)}"' not in confirm.content.decode()


def test_a_live_override_offers_no_delete_to_a_branch_editor(
    tree: dict, live_override: BranchOverride
) -> None:
    editor = Client()
    branch_user(editor, "gd_editor", tree["GD"])

    listing = editor.get(reverse(f"{VIEWSET}:list")).content.decode()
    edit = editor.get(reverse(f"{VIEWSET}:edit", args=(live_override.pk,))).content.decode()

    assert str(live_override) in listing
    assert delete_url(live_override) not in listing
    assert delete_url(live_override) not in edit


@pytest.mark.parametrize("url", [delete_url, bulk_delete_url], ids=["single", "bulk"])
def test_the_branchs_reviewer_deletes_a_live_override_and_readers_are_told(
    tree: dict, live_override: BranchOverride, url: object
) -> None:
    reviewer = Client()
    branch_user(reviewer, "gd_reviewer", tree["GD"], role="reviewer")
    listing = reviewer.get(reverse(f"{VIEWSET}:list")).content.decode()
    confirm = reviewer.get(url(live_override)).content.decode()
    seq = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    response = reviewer.post(url(live_override), {})

    assert response.status_code == 302
    assert not BranchOverride.objects.filter(pk=live_override.pk).exists()
    assert not gd_reads_the_override()
    removed = ChangeEvent.objects.filter(seq__gt=seq, action=Action.OVERRIDE_REMOVED)
    assert [event.article_key for event in removed] == ["KB-600001"]
    assert delete_url(live_override) in listing
    assert f'action="{url(live_override)}"' in confirm


@pytest.mark.parametrize("url", [delete_url, bulk_delete_url], ids=["single", "bulk"])
def test_a_branch_editor_still_deletes_a_draft_override(tree: dict, url: object) -> None:
    override = draft_override(tree)
    editor = Client()
    branch_user(editor, "gd_editor", tree["GD"])
    listing = editor.get(reverse(f"{VIEWSET}:list")).content.decode()

    response = editor.post(url(override), {})

    assert response.status_code == 302
    assert not BranchOverride.objects.filter(pk=override.pk).exists()
    assert delete_url(override) in listing


# --- an override's article and branch are fixed once it exists ------------------------------


def other_article(*, with_gd_override: bool) -> int:
    other = make_article(key="KB-600002", body=BODY)
    if with_gd_override:
        make_override("KB-600002", "GD", summary="广东版摘要")
    return other.pk


def test_the_edit_form_shows_article_and_branch_fixed(
    tree: dict, live_override: BranchOverride
) -> None:
    reviewer = Client()
    branch_user(reviewer, "gd_reviewer", tree["GD"], role="reviewer")

    response = reviewer.get(reverse(f"{VIEWSET}:edit", args=(live_override.pk,)))

    form = response.context["form"]
    assert form.fields["article"].disabled
    assert form.fields["branch"].disabled


@pytest.mark.parametrize("action", ["action-publish", "action-submit", None])
@pytest.mark.parametrize("with_gd_override", [False, True])
def test_posting_another_article_is_refused_not_saved(
    tree: dict, live_override: BranchOverride, action: str | None, with_gd_override: bool
) -> None:
    other_pk = other_article(with_gd_override=with_gd_override)
    reviewer = Client()
    branch_user(reviewer, "gd_reviewer", tree["GD"], role="reviewer")
    data = edit_form(live_override, article=str(other_pk))
    if action:
        data[action] = "1"
    revisions = live_override.revisions.count()

    response = reviewer.post(reverse(f"{VIEWSET}:edit", args=(live_override.pk,)), data)

    assert response.status_code == 200
    assert "article" in response.context["form"].errors
    live_override.refresh_from_db()
    assert live_override.article.key == "KB-600001"
    assert live_override.revisions.count() == revisions
    assert live_override.latest_revision.as_object().article_id == live_override.article_id
    assert gd_reads_the_override()
    moved = BranchOverride.objects.filter(article_id=other_pk, branch=tree["GD"])
    assert moved.count() == (1 if with_gd_override else 0)


def test_posting_another_branch_is_refused_not_saved(tree: dict) -> None:
    override = draft_override(tree)
    both = Client()
    user = branch_user(both, "gd_sc_editor", tree["GD"])
    user.branch_roles.create(branch=tree["SC"], role="editor")
    data = edit_form(override, branch=str(tree["SC"].pk))

    response = both.post(reverse(f"{VIEWSET}:edit", args=(override.pk,)), data)

    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    override.refresh_from_db()
    assert override.branch.code == "GD"


def test_an_unchanged_article_and_branch_still_save(tree: dict) -> None:
    override = draft_override(tree)
    editor = Client()
    branch_user(editor, "gd_editor", tree["GD"])
    data = edit_form(override, note="新的备注")
    data.pop("article")
    data.pop("branch")  # what a browser sends: disabled fields are not submitted

    response = editor.post(reverse(f"{VIEWSET}:edit", args=(override.pk,)), data)

    assert response.status_code == 302
    override.refresh_from_db()
    assert override.note == "新的备注"
    assert (override.article.key, override.branch.code) == ("KB-600001", "GD")
