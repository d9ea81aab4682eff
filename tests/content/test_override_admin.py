"""Branch localisation in the admin: scoped editing, preview as branch, stale report, rebase."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from content.models import BranchOverride, BranchRole
from tests.factories import make_article, make_override

pytestmark = pytest.mark.django_db

BODY = (
    "导语。\n\n## 办理材料\n\n- 身份证\n- 发票\n\n## 办理流程\n\n1. 报案\n2. 提交\n\n"
    "## 联系方式\n\n请致电 {{ branch.hotline }}。\n"
)


def branch_user(client: Client, username: str, branch: object, role: str = "editor") -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw")
    user.groups.add(Group.objects.get(name="分公司用户"))
    BranchRole.objects.create(user=user, branch=branch, role=role)
    client.force_login(user)
    return user


def denied(response: object) -> bool:
    """Wagtail's admin answers a refused permission with 403, or a redirect home."""
    home = reverse("wagtailadmin_home")
    return response.status_code == 403 or (response.status_code == 302 and response.url == home)


def override_form(article_pk: int, branch_pk: int, slug: str = "办理材料", **extra: str) -> dict:
    data = {
        "article": article_pk,
        "branch": branch_pk,
        "visibility": "inherit",
        "summary": "",
        "note": "本地材料要求",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "sections-0-slug": slug,
        "sections-0-mode": "replace",
        "sections-0-body": "- 身份证\n- 广东省内异地就医备案凭证",
        "sections-0-ORDER": "1",
        "sections-0-id": "",
    }
    data.update(extra)
    return data


def test_a_branch_editor_creates_an_override_for_their_branch_and_submits_it(tree: dict) -> None:
    article = make_article(key="KB-500001", body=BODY)
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    response = client.post(
        reverse("wagtailsnippets_content_branchoverride:add"),
        override_form(article.pk, tree["GD"].pk, **{"action-submit": "1"}),
    )

    assert response.status_code == 302, response.context["form"].errors
    override = BranchOverride.objects.get()
    assert override.branch.code == "GD"
    assert override.based_on == article.live_revision
    assert not override.live  # waits for the GD reviewer
    assert override.current_workflow_state.workflow.name == "分公司审核"


def test_the_branch_reviewer_approves_and_guangdong_sees_its_version(tree: dict) -> None:
    article = make_article(key="KB-500002", body=BODY)
    editor, reviewer, other_reviewer = Client(), Client(), Client()
    branch_user(editor, "gd_editor", tree["GD"])
    branch_user(reviewer, "gd_reviewer", tree["GD"], role="reviewer")
    branch_user(other_reviewer, "sc_reviewer", tree["SC"], role="reviewer")
    editor.post(
        reverse("wagtailsnippets_content_branchoverride:add"),
        override_form(article.pk, tree["GD"].pk, **{"action-submit": "1"}),
    )
    override = BranchOverride.objects.get()
    task_state = override.current_workflow_task_state

    def approve(client: Client) -> object:
        url = reverse(
            "wagtailsnippets_content_branchoverride:workflow_action",
            args=(override.pk, "approve", task_state.pk),
        )
        return client.post(url, {})

    assert approve(other_reviewer).status_code == 403  # Sichuan cannot approve Guangdong's
    override.refresh_from_db()
    assert not override.live

    approve(reviewer)

    override.refresh_from_db()
    assert override.live
    from content.selectors import effective_article

    gd = effective_article("KB-500002", branch="GD")
    assert "异地就医备案凭证" in gd.section("办理材料").markdown
    assert "异地就医备案凭证" not in effective_article("KB-500002", branch="SC").html


def test_a_branch_editor_cannot_touch_another_branch_or_an_hq_article(tree: dict) -> None:
    article = make_article(key="KB-500003", body=BODY)
    sc_override = BranchOverride.objects.create(
        article=article, branch=tree["SC"], based_on=article.live_revision
    )
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    edit_sc = client.get(
        reverse("wagtailsnippets_content_branchoverride:edit", args=(sc_override.pk,))
    )
    post_sc = client.post(
        reverse("wagtailsnippets_content_branchoverride:edit", args=(sc_override.pk,)),
        override_form(article.pk, tree["SC"].pk),
    )
    edit_hq = client.get(reverse("wagtailadmin_pages:edit", args=(article.pk,)))
    rebase_sc = client.post(reverse("kms_override_rebase", args=(sc_override.pk,)))
    add_for_sc = client.post(
        reverse("wagtailsnippets_content_branchoverride:add"),
        override_form(article.pk, tree["SC"].pk),
    )

    assert edit_sc.status_code == 403
    assert post_sc.status_code == 403
    assert rebase_sc.status_code == 403
    assert denied(edit_hq)  # Wagtail's own page views refuse with a redirect and a message
    assert add_for_sc.status_code == 200 and "branch" in add_for_sc.context["form"].errors
    assert BranchOverride.objects.count() == 1
    listing = client.get(reverse("wagtailsnippets_content_branchoverride:list"))
    assert "KB-500003 @ SC" not in listing.content.decode()


def test_an_override_of_an_unknown_section_is_a_form_error(tree: dict) -> None:
    article = make_article(key="KB-500004", body=BODY)
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    response = client.post(
        reverse("wagtailsnippets_content_branchoverride:add"),
        override_form(article.pk, tree["GD"].pk, slug="不存在的章节"),
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "不存在的章节: no such section" in errors and "办理材料" in errors
    assert not BranchOverride.objects.exists()


def test_preview_as_branch_shows_the_effective_article(tree: dict) -> None:
    article = make_article(key="KB-500005", body=BODY)
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    gd = client.get(reverse("kms_preview_as_branch", args=(article.pk,)), {"branch": "GD"})
    bot = client.get(
        reverse("kms_preview_as_branch", args=(article.pk,)), {"branch": "GD", "channel": "sms"}
    )

    assert "020-1" in gd.content.decode()
    assert "该机构在此渠道看不到这篇知识" in bot.content.decode()


def test_stale_report_and_rebase_show_what_hq_changed(tree: dict) -> None:
    article = make_article(key="KB-500006", body=BODY)
    make_override(
        "KB-500006", "GD", sections={"办理材料": {"mode": "append", "body": "- 广东补充材料"}}
    )
    make_article(key="KB-500006", body=BODY.replace("- 发票", "- 电子发票"))
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])

    report = client.get(reverse("kms_stale_report")).content.decode()
    override = BranchOverride.objects.get()
    page = client.get(reverse("kms_override_rebase", args=(override.pk,))).content.decode()

    assert "KB-500006" in report and "办理材料" in report
    assert "- <ins>电子</ins>发票" in page
    assert client.post(reverse("kms_override_rebase", args=(override.pk,))).status_code == 302
    override.refresh_from_db()
    assert not override.stale
    assert override.based_on == article.__class__.objects.get(pk=article.pk).live_revision
    report_after = client.get(reverse("kms_stale_report")).content.decode()
    assert reverse("kms_override_rebase", args=(override.pk,)) not in report_after


def test_the_article_editor_lists_its_branch_variants(tree: dict) -> None:
    article = make_article(key="KB-500007", body=BODY)
    BranchOverride.objects.create(
        article=article, branch=tree["GD"], based_on=article.live_revision
    )
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(admin)

    page = client.get(reverse("wagtailadmin_pages:edit", args=(article.pk,))).content.decode()

    assert "广东分公司 (GD)" in page
    assert reverse("kms_preview_as_branch", args=(article.pk,)) in page


def test_previewing_an_override_draft_shows_the_branch_version(tree: dict) -> None:
    article = make_article(key="KB-500008", body=BODY)
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])
    preview_url = reverse("wagtailsnippets_content_branchoverride:preview_on_add")
    form = override_form(article.pk, tree["GD"].pk)

    assert client.post(preview_url, form).json()["is_valid"]
    html = client.get(preview_url).content.decode()

    assert "异地就医备案凭证" in html  # the draft's replacement section
    assert "020-1" in html  # Guangdong's hotline filled in


def test_reviewers_see_only_their_branchs_overrides_awaiting_review(tree: dict) -> None:
    from content.models import BranchReviewTask

    article = make_article(key="KB-500009", body=BODY)
    editor, gd, sc = Client(), Client(), Client()
    branch_user(editor, "gd_editor", tree["GD"])
    gd_reviewer = branch_user(gd, "gd_reviewer", tree["GD"], role="reviewer")
    sc_reviewer = branch_user(sc, "sc_reviewer", tree["SC"], role="reviewer")
    editor.post(
        reverse("wagtailsnippets_content_branchoverride:add"),
        override_form(article.pk, tree["GD"].pk, **{"action-submit": "1"}),
    )
    task = BranchReviewTask.objects.get()

    assert task.get_task_states_user_can_moderate(gd_reviewer).count() == 1
    assert task.get_task_states_user_can_moderate(sc_reviewer).count() == 0
    assert "KB-500009" in gd.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("wrong", ["x", "1.5", "99999999999999999999999"])
@pytest.mark.parametrize("field", ["article", "branch"])
def test_an_override_naming_what_is_no_id_is_a_form_error(
    tree: dict, field: str, wrong: str
) -> None:
    """A hand-made POST: the form again with the field's error, never a server error."""
    article = make_article(key="KB-500099", body=BODY)
    client = Client()
    branch_user(client, "gd_editor", tree["GD"])
    form = override_form(article.pk, tree["GD"].pk, **{"action-submit": "1"})
    response = client.post(
        reverse("wagtailsnippets_content_branchoverride:add"), {**form, field: wrong}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not BranchOverride.objects.exists()
