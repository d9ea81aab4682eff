"""A branch's reviewers keep their branch's best bets; HQ's search team keeps them all.

Every URL of the best-bets admin that names a best bet is probed, read from the URL
configuration itself, so a view Wagtail adds later is probed too.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from content.models import BranchRole
from search.models import PromotedResult
from tests.factories import BranchFactory, make_article
from tests.urls import served_patterns

pytestmark = pytest.mark.django_db

VIEWSET = "wagtailsnippets_search_promotedresult"
CHOOSER = "wagtailsnippetchoosers_search_promotedresult"
ADD = "/admin/snippets/search/promotedresult/add/"
LIST = "/admin/snippets/search/promotedresult/"


@pytest.fixture
def tree() -> dict[str, object]:
    hq = BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})
    gd = BranchFactory(code="GD", name="广东分公司", parent=hq)
    sc = BranchFactory(code="SC", name="四川分公司", parent=hq)
    return {"HQ": hq, "GD": gd, "SC": sc}


@pytest.fixture
def bets(tree: dict) -> dict[str, PromotedResult]:
    article = make_article(key="KB-610001", title="理赔材料清单")
    return {
        "GD": PromotedResult.objects.create(query="广东理赔", article=article, branch=tree["GD"]),
        "SC": PromotedResult.objects.create(query="四川理赔", article=article, branch=tree["SC"]),
        "ALL": PromotedResult.objects.create(query="全国理赔", article=article, branch=None),
    }


def branch_client(tree: dict, role: str) -> Client:
    user = User.objects.create_user(f"gd_{role}", f"gd_{role}@example.com", "pw")
    user.groups.add(Group.objects.get(name="分公司用户"))
    BranchRole.objects.create(user=user, branch=tree["GD"], role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gd_reviewer(tree: dict) -> Client:
    return branch_client(tree, "reviewer")


def form(article: object, branch: object, query: str = "广东退保") -> dict:
    return {"query": query, "article": article.pk, "branch": branch or "", "order": 0}


def test_a_branch_reviewer_lists_and_edits_only_their_branchs_best_bets(
    gd_reviewer: Client, bets: dict
) -> None:
    listing = gd_reviewer.get(LIST).content.decode()
    assert "广东理赔" in listing
    assert "四川理赔" not in listing and "全国理赔" not in listing
    edit = reverse(f"{VIEWSET}:edit", args=(bets["GD"].pk,))
    assert gd_reviewer.get(edit).status_code == 200


def test_every_url_naming_another_branchs_best_bet_is_a_404(
    gd_reviewer: Client, bets: dict
) -> None:
    routes = [
        (namespace, pattern)
        for namespace, pattern in served_patterns()
        if namespace == VIEWSET and "pk" in pattern.pattern.regex.groupindex
    ]
    assert {pattern.name for _, pattern in routes} >= {"edit", "delete", "copy", "history"}
    for other in (bets["SC"], bets["ALL"]):
        for namespace, pattern in routes:
            url = reverse(f"{namespace}:{pattern.name}", kwargs={"pk": other.pk})
            assert gd_reviewer.get(url).status_code == 404, url
            assert gd_reviewer.post(url, {}).status_code == 404, url
    assert PromotedResult.objects.count() == 3


def test_bulk_delete_does_not_name_or_delete_other_branches_best_bets(
    gd_reviewer: Client, bets: dict
) -> None:
    url = reverse("wagtail_bulk_action", args=("search", "promotedresult", "delete"))
    response = gd_reviewer.get(url, {"id": [bets["SC"].pk, bets["ALL"].pk]})
    assert response.status_code == 404
    assert "四川理赔" not in response.content.decode()
    gd_reviewer.post(f"{url}?id={bets['SC'].pk}&id={bets['GD'].pk}", {})
    assert PromotedResult.objects.filter(pk=bets["SC"].pk).exists()


@pytest.mark.parametrize("wrong", ["x", "", "99999999999999999999999"])
def test_ids_that_are_no_ids_are_404s_in_the_chooser_and_bulk_delete(
    gd_reviewer: Client, bets: dict, wrong: str
) -> None:
    chosen = reverse(f"{CHOOSER}:chosen_multiple")
    assert gd_reviewer.get(chosen, {"id": wrong}).status_code == 404
    bulk = reverse("wagtail_bulk_action", args=("search", "promotedresult", "delete"))
    assert gd_reviewer.get(bulk, {"id": wrong}).status_code == 404


def test_the_chooser_offers_only_the_users_best_bets(gd_reviewer: Client, bets: dict) -> None:
    for view in ("choose", "choose_results"):
        response = gd_reviewer.get(reverse(f"{CHOOSER}:{view}"))
        text = response.content.decode()
        if response["Content-Type"] == "application/json":  # the modal's HTML, in JSON
            text = json.dumps(response.json(), ensure_ascii=False)
        assert "广东理赔" in text
        assert "四川理赔" not in text and "全国理赔" not in text
    chosen = reverse(f"{CHOOSER}:chosen", args=(bets["SC"].pk,))
    assert gd_reviewer.get(chosen).status_code == 404


def test_a_branch_reviewer_adds_a_best_bet_for_their_branch_only(
    gd_reviewer: Client, tree: dict, bets: dict
) -> None:
    article = bets["GD"].article
    for branch in ("", tree["SC"].pk):  # every branch, another branch: form errors
        response = gd_reviewer.post(ADD, form(article, branch))
        assert response.status_code == 200, branch
        assert "error" in response.content.decode()
    assert not PromotedResult.objects.filter(query="广东退保").exists()
    assert gd_reviewer.post(ADD, form(article, tree["GD"].pk)).status_code == 302
    assert PromotedResult.objects.get(query="广东退保").branch == tree["GD"]


def test_a_branch_editor_who_does_not_review_manages_no_best_bets(tree: dict, bets: dict) -> None:
    gd_editor = branch_client(tree, "editor")
    assert gd_editor.get(LIST).status_code in (302, 403)
    assert gd_editor.post(ADD, form(bets["GD"].article, tree["GD"].pk)).status_code in (302, 403)
    assert not PromotedResult.objects.filter(query="广东退保").exists()


def test_hqs_search_team_keeps_every_best_bet_and_makes_them_for_every_branch(
    tree: dict, bets: dict
) -> None:
    team = Group.objects.create(name="搜索运营")
    team.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="search", codename__endswith="result"),
    )
    user = User.objects.create_user("search_team", "team@example.com", "pw")
    user.groups.add(team)
    client = Client()
    client.force_login(user)
    listing = client.get(LIST).content.decode()
    assert all(query in listing for query in ("广东理赔", "四川理赔", "全国理赔"))
    assert client.post(ADD, form(bets["GD"].article, "", query="全国退保")).status_code == 302
    assert PromotedResult.objects.get(query="全国退保").branch is None


def test_a_reviewer_with_the_change_permission_only_still_adds_for_their_branch(
    gd_reviewer: Client, tree: dict, bets: dict
) -> None:
    """Adding asks for Django's add permission, not change: change alone does not make a
    branch reviewer's new best bets every branch's."""
    user = User.objects.get(username="gd_reviewer")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="search", codename="change_promotedresult")
    )
    response = gd_reviewer.post(ADD, form(bets["GD"].article, "", query="全国退保"))
    assert response.status_code == 200  # the branch is required of them
    assert not PromotedResult.objects.filter(query="全国退保").exists()
