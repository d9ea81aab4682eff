"""Editorial flows through the Wagtail admin, as an editor and a reviewer would do them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page, PageLogEntry
from wagtail.users.models import UserProfile

from content.models import KnowledgeArticle, KnowledgeIndexPage
from content.services import knowledge_index
from tests.factories import BranchFactory, ProductFactory, article_form, make_article

pytestmark = pytest.mark.django_db

HQ_EDITORS, HQ_REVIEWERS = "总部编辑", "总部审核员"


def login(client: Client, username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw")
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


@pytest.fixture
def hq() -> None:
    BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})


def add_url() -> str:
    return reverse(
        "wagtailadmin_pages:add", args=("content", "knowledgearticle", knowledge_index().pk)
    )


def test_editor_submits_reviewer_approves_and_the_article_is_live(hq: None) -> None:
    editor_client, reviewer_client = Client(), Client()
    editor = login(editor_client, "editor", HQ_EDITORS)
    reviewer = login(reviewer_client, "reviewer", HQ_REVIEWERS)

    response = editor_client.post(add_url(), article_form(**{"action-submit": "True"}))

    assert response.status_code == 302, response.context["form"].errors
    article = KnowledgeArticle.objects.get()
    assert article.key.startswith("KB-") and article.slug == article.key.lower()
    assert not article.live
    assert article.current_workflow_state.workflow.name == "总部审核"
    assert article.current_workflow_task.name == f"{HQ_REVIEWERS}审批"

    # the editor may not publish directly
    editor_client.post(
        reverse("wagtailadmin_pages:edit", args=(article.pk,)),
        article_form(key=article.key, **{"action-publish": "True"}),
    )
    article.refresh_from_db()
    assert not article.live

    approve = reviewer_client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(article.pk, "approve", article.current_workflow_task_state.pk),
        ),
        {"comment": "同意发布"},
    )

    assert approve.status_code in (200, 302)
    article.refresh_from_db()
    assert article.live
    assert article.title == "如何变更保单联系电话？"
    assert sorted(t.name for t in article.tags.all()) == ["保全", "联系方式"]
    actions = set(PageLogEntry.objects.filter(page=article).values_list("action", "user"))
    assert ("wagtail.workflow.start", editor.pk) in actions
    assert ("wagtail.workflow.approve", reviewer.pk) in actions
    assert ("wagtail.publish", reviewer.pk) in actions


def test_unknown_variable_is_a_form_error_not_a_500(hq: None) -> None:
    client = Client()
    login(client, "editor", HQ_EDITORS)

    response = client.post(
        add_url(),
        article_form(body="## 联系\n\n请致电 {{ branch.fax }}", **{"action-submit": "True"}),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "unknown variable {{ branch.fax }}" in " ".join(errors["body"])
    assert not KnowledgeArticle.objects.exists()


def test_malformed_markdown_structure_is_a_form_error(hq: None) -> None:
    client = Client()
    login(client, "editor", HQ_EDITORS)

    response = client.post(
        add_url(), article_form(body="## 材料\n\n甲\n\n## 材料\n\n乙", **{"action-submit": "1"})
    )

    assert response.status_code == 200
    assert "duplicate section heading" in " ".join(response.context["form"].errors["body"])


def test_preview_shows_rendered_markdown_with_hq_variables(hq: None) -> None:
    client = Client()
    login(client, "editor", HQ_EDITORS)
    preview_url = reverse(
        "wagtailadmin_pages:preview_on_add",
        args=("content", "knowledgearticle", knowledge_index().pk),
    )
    form = article_form(body="## 联系方式\n\n请致电 **{{ branch.hotline }}**\n\n<script>x</script>")

    assert client.post(preview_url, form).json()["is_valid"]
    html = client.get(preview_url).content.decode()

    assert '<h2 id="联系方式">联系方式</h2>' in html
    assert "<strong>95500</strong>" in html
    assert "<script>x" not in html


def test_revision_compare_renders(hq: None) -> None:
    article = make_article(key="KB-300001")
    make_article(key="KB-300001", summary="修改后的简答。")
    first, second = article.revisions.order_by("created_at")
    client = Client()
    login(client, "reviewer", HQ_REVIEWERS)

    response = client.get(
        reverse("wagtailadmin_pages:revisions_compare", args=(article.pk, first.pk, second.pk))
    )

    assert response.status_code == 200
    assert "修改后的简答。" in response.content.decode()


def test_scheduled_go_live_is_applied_by_publish_scheduled(
    hq: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = make_article(key="KB-300002", status="draft")
    article = article.get_latest_revision_as_object()
    article.go_live_at = timezone.now() + dt.timedelta(hours=1)
    revision = article.save_revision()
    revision.publish()
    article.refresh_from_db()
    assert not article.live  # scheduled, not yet live

    call_command("publish_scheduled", stdout=io.StringIO())
    article.refresh_from_db()
    assert not article.live  # too early

    in_two_hours = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: in_two_hours)
    call_command("publish_scheduled", stdout=io.StringIO())

    article.refresh_from_db()
    assert article.live


def test_article_listing_filters_by_category_channel_product_and_status(hq: None) -> None:
    ProductFactory(code="KN-A")
    make_article(key="KB-400001", category="理赔/医疗", channels=["bot"], products=["KN-A"])
    make_article(key="KB-400002", category="保全/变更", channels=["agent"])
    make_article(key="KB-400003", category="保全/变更", channels=["agent"], status="draft")
    client = Client()
    login(client, "editor", HQ_EDITORS)
    url = reverse("knowledge_articles:index")

    def keys(**params: object) -> set[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return {page.specific.key for page in response.context["pages"]}

    from content.models import Category, Product

    medical = Category.objects.get(path="理赔/医疗").pk
    assert keys(category=medical) == {"KB-400001"}
    assert keys(channels="agent") == {"KB-400002", "KB-400003"}
    assert keys(products=Product.objects.get(code="KN-A").pk) == {"KB-400001"}
    assert keys(status="draft") == {"KB-400003"}
    assert keys(status="live") == {"KB-400001", "KB-400002"}


def test_the_article_listing_reads_the_categories_of_fifty_articles_at_once(hq: None) -> None:
    """Each listed article's category comes with the page, not in a query per row."""
    client = Client()
    login(client, "editor", HQ_EDITORS)
    for n in range(50):
        make_article(key=f"KB-4001{n:02d}", category=f"理赔/类{n}")

    with CaptureQueriesContext(connection) as run:
        listing = client.get(reverse("knowledge_articles:index"))

    assert listing.status_code == 200 and "理赔/类49" in listing.content.decode()
    categories = [q for q in run.captured_queries if 'FROM "content_category"' in q["sql"]]
    assert len(categories) <= 2  # the listed ones, and the category filter's choices


def test_the_article_listing_shows_an_editor_only_the_articles_below_their_pages(
    hq: None,
) -> None:
    """Head-office editors, who may edit below the knowledge index, list every article
    (without Wagtail's per-page filter); an editor of pages elsewhere lists none."""
    make_article(key="KB-400201", category="理赔/医疗")
    make_article(key="KB-400202", category="理赔/医疗", status="draft")
    elsewhere = Page.get_first_root_node().add_child(instance=Page(title="其他", slug="other"))
    outsiders = Group.objects.create(name="其他页面编辑")
    outsiders.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=outsiders, page=elsewhere, permission=Permission.objects.get(codename="change_page")
    )
    url = reverse("knowledge_articles:index")

    clients: dict[str, Client] = {}

    def listed(group: str) -> set[str]:
        if group not in clients:
            clients[group] = Client()
            login(clients[group], f"user-{group}", group)
        response = clients[group].get(url)
        assert response.status_code == 200
        return {page.specific.key for page in response.context["pages"]}

    assert listed(HQ_EDITORS) == {"KB-400201", "KB-400202"}
    assert listed(outsiders.name) == set()

    # an article put by code below a page the editors may not explore: not listed to them
    stray = KnowledgeArticle.objects.get(key="KB-400202")
    stray.move(elsewhere, pos="last-child")
    assert listed(HQ_EDITORS) == {"KB-400201"}
    assert listed(outsiders.name) == {"KB-400202"}
    # a second knowledge index they may not explore: its articles are not listed to them
    other = Page.get_first_root_node().add_child(
        instance=KnowledgeIndexPage(title="其他知识库", slug="other-kb")
    )
    KnowledgeArticle.objects.get(key="KB-400202").move(other, pos="last-child")
    assert listed(HQ_EDITORS) == {"KB-400201"}


def test_the_admin_speaks_chinese_and_an_editor_can_switch_to_english(hq: None) -> None:
    client = Client()
    user = login(client, "editor", HQ_EDITORS)

    home = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "控制面板" in home.content.decode()  # even for an English-speaking browser
    add_page = client.get(add_url()).content.decode()
    assert "标准问题" in add_page and "相似问法" in add_page

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    english = client.get(add_url()).content.decode()
    assert "Standard question" in english and "Similar questions" in english


class FakeDeadlock(Exception):
    """What psycopg raises for a deadlock: its SQLSTATE is all that matters here."""

    sqlstate = "40P01"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a real outer transaction
def test_a_deadlock_during_an_admin_publish_is_retried_not_shown(
    hq: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from content.services import snapshots

    reviewer_client = Client()
    login(reviewer_client, "reviewer", HQ_REVIEWERS)
    real_write = snapshots.article_snapshot_write
    attempts: list[int] = []

    def deadlocks_once(article: KnowledgeArticle, revision_id: int) -> object:
        attempts.append(revision_id)
        if len(attempts) == 1:
            raise OperationalError("deadlock detected") from FakeDeadlock()
        return real_write(article, revision_id)

    monkeypatch.setattr(snapshots, "article_snapshot_write", deadlocks_once)

    response = reviewer_client.post(add_url(), article_form(**{"action-publish": "True"}))

    assert response.status_code == 302
    assert len(attempts) == 2  # the whole request ran again
    article = KnowledgeArticle.objects.get()  # once: the first attempt left nothing behind
    assert article.live
    assert article.revisions.count() == 1
    assert article.published.revision_id == article.live_revision_id


def test_an_articles_key_never_changes(hq: None) -> None:
    reviewer_client = Client()
    login(reviewer_client, "reviewer", HQ_REVIEWERS)
    article = make_article(key="KB-920001")

    response = reviewer_client.post(
        reverse("wagtailadmin_pages:edit", args=(article.pk,)),
        article_form(key="KB-920009", **{"action-publish": "True"}),
    )

    assert response.status_code == 200  # the form again, with the error
    assert "key" in response.context["form"].errors
    assert KnowledgeArticle.objects.filter(key="KB-920001", live=True).exists()
    assert not KnowledgeArticle.objects.filter(key="KB-920009").exists()


@pytest.mark.parametrize("wrong", ["x", "1.5", "99999999999999999999999"])
@pytest.mark.parametrize("field", ["category", "products"])
def test_a_choice_that_is_no_id_is_a_form_error(hq: None, field: str, wrong: str) -> None:
    """A hand-made POST: the editor again with the field's error, never a server error."""
    client = Client()
    login(client, "editor", HQ_EDITORS)
    response = client.post(add_url(), article_form(**{field: wrong}))
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not KnowledgeArticle.objects.exists()
