"""HQ articles in the admin as branch users and HQ staff reach them: preview as a branch,
copying (never aliasing) an article, and the page chooser.

* "Preview as branch" shows what a branch's readers see, so it is for those who edit the
  HQ article (any branch) and for a branch's own editors and reviewers (their branches);
* an article's key is unique, so an article can be copied (the copy gets a new key) but
  not aliased;
* branch users choose among the articles readers see, by the titles readers see: HQ's
  drafts stay HQ's.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from content.models import KnowledgeArticle
from content.services import knowledge_index
from tests.content.test_override_admin import BODY, branch_user
from tests.factories import make_article, make_override

pytestmark = pytest.mark.django_db

HQ_EDITORS, HQ_REVIEWERS = "总部编辑", "总部审核员"
KEY = "KB-700001"
SC_SUMMARY, GD_SUMMARY = "四川专属摘要：请到成都柜面办理", "广东专属摘要：请到广州柜面办理"
DRAFT_TITLE = "尚未发布的总部草稿问题"


def hq_user(client: Client, username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw")
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


@pytest.fixture
def localised(tree: dict) -> KnowledgeArticle:
    article = make_article(key=KEY, body=BODY)
    make_override(KEY, "SC", summary=SC_SUMMARY)
    make_override(KEY, "GD", summary=GD_SUMMARY)
    return article


def preview(client: Client, article: KnowledgeArticle, **query: str) -> object:
    return client.get(reverse("kms_preview_as_branch", args=(article.pk,)), query)


# --- preview as branch ---------------------------------------------------------------------


def test_a_branch_editor_cannot_preview_another_branch(
    tree: dict, localised: KnowledgeArticle
) -> None:
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    response = preview(client, localised, branch="SC")

    assert response.status_code == 403
    assert SC_SUMMARY not in response.content.decode()


def test_a_branch_editor_previews_their_own_branch_only(
    tree: dict, localised: KnowledgeArticle
) -> None:
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    chosen = preview(client, localised, branch="GD").content.decode()
    unchosen = preview(client, localised)

    assert GD_SUMMARY in chosen
    assert unchosen.status_code == 200
    assert GD_SUMMARY in unchosen.content.decode()  # their branch, not HQ's
    assert 'value="SC"' not in chosen
    assert '<option value="">HQ</option>' not in chosen  # nor HQ's own version


@pytest.mark.parametrize("group", [HQ_EDITORS, HQ_REVIEWERS])
def test_who_edits_the_hq_article_previews_every_branch(
    tree: dict, localised: KnowledgeArticle, group: str
) -> None:
    client = Client()
    hq_user(client, "hq", group)

    sc = preview(client, localised, branch="SC").content.decode()
    gd = preview(client, localised, branch="GD").content.decode()
    hq = preview(client, localised).content.decode()

    assert SC_SUMMARY in sc and GD_SUMMARY in gd
    assert SC_SUMMARY not in hq and GD_SUMMARY not in hq
    assert 'value="SC"' in hq and 'value="GD"' in hq


def test_an_admin_user_without_branch_or_article_rights_cannot_preview(
    tree: dict, localised: KnowledgeArticle
) -> None:
    client = Client()
    user = User.objects.create_user("nobody", "nobody@example.com", "pw")
    user.groups.add(Group.objects.get(name="分公司用户"))  # admin access, no branch role
    client.force_login(user)

    for query in ({"branch": "SC"}, {"branch": "GD"}, {}):
        response = preview(client, localised, **query)
        assert response.status_code == 403, query
        assert SC_SUMMARY not in response.content.decode()


def test_a_branch_editor_cannot_preview_an_hq_draft(tree: dict) -> None:
    draft = make_article(key="KB-700002", title=DRAFT_TITLE, status="draft")
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    response = preview(client, draft, branch="GD")

    assert response.status_code == 403
    assert DRAFT_TITLE not in response.content.decode()


# --- copying an article --------------------------------------------------------------------


def copy_form(article: KnowledgeArticle, **extra: str) -> dict:
    return {
        "new_title": f"{article.title}（副本）",
        "new_slug": f"{article.slug}-copy",
        "new_parent_page": str(knowledge_index().pk),
        **extra,
    }


def test_an_article_is_not_offered_as_an_alias(tree: dict) -> None:
    article = make_article(key=KEY, body=BODY)
    client = Client()
    hq_user(client, "hq_reviewer", HQ_REVIEWERS)

    page = client.get(reverse("wagtailadmin_pages:copy", args=(article.pk,)))

    assert page.status_code == 200
    assert 'name="new_title"' in page.content.decode()
    assert 'name="alias"' not in page.content.decode()


def test_asking_for_an_alias_anyway_never_makes_one(tree: dict) -> None:
    article = make_article(key=KEY, body=BODY)
    client = Client()
    hq_user(client, "hq_reviewer", HQ_REVIEWERS)

    response = client.post(
        reverse("wagtailadmin_pages:copy", args=(article.pk,)), copy_form(article, alias="on")
    )

    assert response.status_code in (200, 302)
    assert not KnowledgeArticle.objects.filter(alias_of__isnull=False).exists()
    assert KnowledgeArticle.objects.get(pk=article.pk).key == KEY
    keys = list(KnowledgeArticle.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("publish", [False, True])
def test_a_copy_of_an_article_gets_a_key_of_its_own(tree: dict, publish: bool) -> None:
    article = make_article(key=KEY, body=BODY)
    client = Client()
    hq_user(client, "hq_reviewer", HQ_REVIEWERS)
    extra = {"publish_copies": "on"} if publish else {}

    response = client.post(
        reverse("wagtailadmin_pages:copy", args=(article.pk,)), copy_form(article, **extra)
    )

    assert response.status_code == 302
    copy = KnowledgeArticle.objects.exclude(pk=article.pk).get()
    assert copy.key.startswith("KB-") and copy.key != KEY
    assert copy.slug == copy.key.lower()
    assert copy.title == f"{article.title}（副本）"
    assert copy.live is publish
    assert KnowledgeArticle.objects.get(pk=article.pk).key == KEY


# --- the page chooser ----------------------------------------------------------------------


@pytest.fixture
def drafts(tree: dict) -> KnowledgeArticle:
    """A never-published article, and a live one whose next title is still a draft."""
    make_article(key="KB-700002", title=DRAFT_TITLE, status="draft")
    live = make_article(key=KEY, title="医疗险理赔材料（现行）", body=BODY)
    make_article(key=KEY, title="医疗险理赔材料（修订草稿）", body=BODY, status="draft")
    return live


def chooser_pages(client: Client, query: str) -> str:
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": query})
    browse = client.get(reverse("wagtailadmin_choose_page_child", args=(knowledge_index().pk,)))
    assert search.status_code == 200 and browse.status_code == 200
    return search.content.decode() + browse.json()["html"]


def test_the_page_chooser_shows_branch_users_only_what_readers_see(
    tree: dict, drafts: KnowledgeArticle
) -> None:
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    shown = chooser_pages(client, "医疗险理赔材料") + chooser_pages(client, DRAFT_TITLE)

    assert "医疗险理赔材料（现行）" in shown
    assert "修订草稿" not in shown
    assert DRAFT_TITLE not in shown


def test_the_page_chooser_still_shows_hq_editors_their_drafts(
    tree: dict, drafts: KnowledgeArticle
) -> None:
    client = Client()
    hq_user(client, "hq_editor", HQ_EDITORS)

    shown = chooser_pages(client, "医疗险理赔材料") + chooser_pages(client, DRAFT_TITLE)

    assert "医疗险理赔材料（修订草稿）" in shown
    assert DRAFT_TITLE in shown
