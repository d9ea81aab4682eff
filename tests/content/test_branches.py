"""Branch changes reach readers through the change log: variables, moves, new and deleted
branches; branches still in use are never deleted; editors are warned before a variable
that published text uses disappears."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from content.models import Action, Branch, BranchRole, ChangeEvent
from content.selectors import effective_article
from content.services import branch_delete, branch_save
from tests.factories import OPERATOR, BranchFactory, make_article, make_override
from tests.imports import jsonl, run_import

pytestmark = pytest.mark.django_db

CONTACT = "## 联系方式\n\n请致电 {{ branch.hotline }}。\n"
PLAIN = "## 办理流程\n\n1. 报案\n2. 审核\n"


@pytest.fixture(autouse=True)
def tree() -> dict[str, Branch]:
    hq = BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})
    gd = BranchFactory(code="GD", name="广东分公司", parent=hq, variables={"hotline": "020-1"})
    sz = BranchFactory(code="GD-SZ", name="深圳分公司", parent=gd, variables={})
    sc = BranchFactory(code="SC", name="四川分公司", parent=hq, variables={})
    return {"HQ": hq, "GD": gd, "GD-SZ": sz, "SC": sc}


@pytest.fixture
def articles() -> None:
    make_article(key="KB-700001", body=CONTACT)  # uses the hotline
    make_article(key="KB-700002", body=PLAIN)  # does not


def events_after(seq: int) -> list[ChangeEvent]:
    return list(ChangeEvent.objects.filter(seq__gt=seq).order_by("seq"))


def head() -> int:
    return ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def edit(code: str, **values: Any) -> None:
    branch = Branch.objects.get(code=code)
    for name, value in values.items():
        setattr(branch, name, value)
    branch_save(branch, actor=OPERATOR)


def contact_text(branch: str) -> str:
    effective = effective_article("KB-700001", branch=branch)
    assert effective is not None
    return effective.text


def test_a_hotline_edit_is_logged_for_the_articles_and_branches_it_changes(
    articles: None,
) -> None:
    before = head()

    edit("HQ", variables={"hotline": "95511"})

    (event,) = events_after(before)
    assert (event.article_key, event.action) == ("KB-700001", Action.BRANCH_CHANGED)
    # GD and GD-SZ read GD's own hotline: their text did not change
    assert event.branches == ["HQ", "SC"]
    assert "95511" in contact_text("SC")
    assert "020-1" in contact_text("GD-SZ")


def test_a_province_hotline_edit_reaches_its_cities(articles: None) -> None:
    before = head()

    edit("GD", variables={"hotline": "020-2"})

    (event,) = events_after(before)
    assert (event.article_key, event.branches) == ("KB-700001", ["GD", "GD-SZ"])


def test_a_hotline_in_a_branchs_override_text_is_followed_too(articles: None) -> None:
    make_override(
        "KB-700002",
        "SC",
        sections={"办理流程": {"mode": "append", "body": "四川请拨 {{ branch.hotline }}。"}},
        status="published",
    )
    before = head()

    edit("HQ", variables={"hotline": "95511"})

    changed = {event.article_key: event.branches for event in events_after(before)}
    assert changed == {"KB-700001": ["HQ", "SC"], "KB-700002": ["SC"]}


def test_a_change_nobody_reads_logs_nothing(articles: None) -> None:
    before = head()

    edit("SC", name="四川省分公司", variables={"fax": "028-9"})

    assert events_after(before) == []


def test_moving_a_branch_logs_what_its_readers_now_see(articles: None) -> None:
    make_override(
        "KB-700002",
        "GD",
        hidden=True,
        status="published",
    )
    assert effective_article("KB-700002", branch="GD-SZ") is None
    before = head()

    edit("GD-SZ", parent=Branch.objects.get(code="SC"))

    changed = {event.article_key: event.branches for event in events_after(before)}
    # GD's hotline and GD's hiding no longer apply in Shenzhen
    assert changed == {"KB-700001": ["GD-SZ"], "KB-700002": ["GD-SZ"]}
    assert effective_article("KB-700002", branch="GD-SZ") is not None
    assert "95500" in contact_text("GD-SZ")


def test_new_and_deleted_branches_are_logged_without_an_article(articles: None) -> None:
    before = head()

    branch_save(
        Branch(code="GD-GZ", name="广州分公司", parent=Branch.objects.get(code="GD")),
        actor=OPERATOR,
    )
    branch_delete(Branch.objects.get(code="GD-GZ"), actor=OPERATOR)

    assert [(e.action, e.article_key, e.branches) for e in events_after(before)] == [
        (Action.BRANCH_ADDED, "", ["GD-GZ"]),
        (Action.BRANCH_REMOVED, "", ["GD-GZ"]),
    ]


def test_a_branch_import_that_changes_a_hotline_is_logged(articles: None, tmp_path: Any) -> None:
    before = head()

    run_import(
        jsonl(
            tmp_path,
            {
                "type": "branch",
                "code": "GD",
                "name": "广东分公司",
                "parent": "HQ",
                "variables": {"hotline": "020-3"},
            },
        )
    )

    assert [(e.article_key, e.branches) for e in events_after(before)] == [
        ("KB-700001", ["GD", "GD-SZ"])
    ]


def test_a_branch_import_that_would_leave_a_placeholder_unfilled_is_refused(
    articles: None, tmp_path: Any
) -> None:
    before = head()
    record = {"type": "branch", "code": "HQ", "name": "总公司", "parent": None, "variables": {}}

    with pytest.raises(CommandError) as refused:
        run_import(jsonl(tmp_path, record))

    message = str(refused.value)
    assert ":1: variables: " in message and "{{ branch.hotline }} in KB-700001" in message
    assert "nothing imported" in message
    assert Branch.objects.get(code="HQ").variables == {"hotline": "95500"}
    assert head() == before
    assert "95500" in contact_text("SC")


def test_a_branch_import_may_drop_a_value_a_parent_still_gives(
    articles: None, tmp_path: Any
) -> None:
    record = {"type": "branch", "code": "GD", "name": "广东分公司", "parent": "HQ", "variables": {}}

    run_import(jsonl(tmp_path, record))

    assert "95500" in contact_text("GD")  # HQ's value now


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("HQ", "it is the head office"),
        ("GD", "it has %(count)d sub-branch(es)"),
        ("SC", "it has %(count)d override(s)"),
        ("GD-SZ", "%(count)d editor/reviewer role(s) are assigned in it"),
    ],
)
def test_branches_in_use_are_never_deleted(articles: None, code: str, reason: str) -> None:
    make_override(
        "KB-700002",
        "SC",
        hidden=True,
        status="draft",
    )
    user = get_user_model().objects.create_user("sz_editor")
    BranchRole.objects.create(user=user, branch=Branch.objects.get(code="GD-SZ"), role="editor")
    before = head()

    with pytest.raises(ValidationError) as refused:
        branch_delete(Branch.objects.get(code=code), actor=OPERATOR)

    assert (gettext(reason) % {"count": 1}) in str(refused.value)

    assert Branch.objects.filter(code=code).exists()
    assert events_after(before) == []


def test_a_branchs_code_never_changes() -> None:
    branch = Branch.objects.get(code="SC")
    branch.code = "SCX"

    with pytest.raises(ValidationError, match="code"):
        branch_save(branch, actor=OPERATOR)

    assert Branch.objects.filter(code="SC").exists()


# --- the admin ---------------------------------------------------------------------


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    return client


def branch_form(branch: Branch, **changes: Any) -> dict[str, Any]:
    data = {
        "code": branch.code,
        "name": branch.name,
        "parent": branch.parent_id or "",
        "variables": "\n".join(f"{k} = {v}" for k, v in branch.variables.items()),
    }
    return data | changes


def test_the_admin_warns_before_removing_a_variable_published_text_uses(
    articles: None, admin_client: Client
) -> None:
    hq = Branch.objects.get(code="HQ")
    url = reverse("wagtailsnippets_content_branch:edit", args=(hq.pk,))
    before = head()

    refused = admin_client.post(url, branch_form(hq, variables=""))

    assert refused.status_code == 200  # the form again, with the warning
    page = refused.content.decode()
    assert "KB-700001" in page and "KB-700002" not in page
    assert Branch.objects.get(code="HQ").variables == {"hotline": "95500"}

    confirmed = admin_client.post(
        url, branch_form(hq, variables="", confirm_empty_placeholders="on")
    )

    assert confirmed.status_code == 302
    assert Branch.objects.get(code="HQ").variables == {}
    assert [e.article_key for e in events_after(before)] == ["KB-700001"]


def test_the_admin_logs_a_hotline_edit(articles: None, admin_client: Client) -> None:
    gd = Branch.objects.get(code="GD")
    before = head()

    response = admin_client.post(
        reverse("wagtailsnippets_content_branch:edit", args=(gd.pk,)),
        branch_form(gd, variables="hotline = 020-9"),
    )

    assert response.status_code == 302
    assert [(e.article_key, e.branches) for e in events_after(before)] == [
        ("KB-700001", ["GD", "GD-SZ"])
    ]


def test_the_admin_refuses_to_delete_a_branch_in_use(admin_client: Client) -> None:
    gd = Branch.objects.get(code="GD")

    response = admin_client.post(
        reverse("wagtailsnippets_content_branch:delete", args=(gd.pk,)), follow=True
    )

    assert gettext("it has %(count)d sub-branch(es)") % {"count": 1} in response.content.decode()
    assert Branch.objects.filter(code="GD").exists()


def test_bulk_deletes_go_through_the_same_checks_and_log(admin_client: Client) -> None:
    BranchFactory(code="XZ", name="西藏分公司", parent=Branch.objects.get(code="HQ"))
    xz, gd = Branch.objects.get(code="XZ"), Branch.objects.get(code="GD")
    url = reverse("wagtail_bulk_action", args=("content", "branch", "delete"))
    before = head()

    admin_client.post(f"{url}?id={gd.pk}&id={xz.pk}", follow=True)
    assert set(Branch.objects.values_list("code", flat=True)) >= {"GD", "XZ"}  # GD in use

    admin_client.post(f"{url}?id={xz.pk}", follow=True)
    assert not Branch.objects.filter(code="XZ").exists()
    assert [(e.action, e.branches) for e in events_after(before)] == [
        (Action.BRANCH_REMOVED, ["XZ"])
    ]


def test_the_admin_warns_before_a_move_leaves_a_placeholder_without_a_value(
    admin_client: Client,
) -> None:
    edit("GD", variables={"hotline": "020-1", "fax": "020-9"})
    make_article(key="KB-700003", body="## 传真\n\n请传真至 {{ branch.fax }}。\n")
    sz, sc = Branch.objects.get(code="GD-SZ"), Branch.objects.get(code="SC")
    url = reverse("wagtailsnippets_content_branch:edit", args=(sz.pk,))

    refused = admin_client.post(url, branch_form(sz, parent=sc.pk))

    assert refused.status_code == 200
    assert "KB-700003" in " ".join(refused.context["form"].errors["parent"])
    assert Branch.objects.get(code="GD-SZ").parent == Branch.objects.get(code="GD")

    moved = admin_client.post(url, branch_form(sz, parent=sc.pk, confirm_empty_placeholders="on"))

    assert moved.status_code == 302
    assert Branch.objects.get(code="GD-SZ").parent == sc
