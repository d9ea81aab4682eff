"""The taxonomies, feedback and health: what a client needs besides the articles."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from django.db import OperationalError
from django.test import Client

from api.models import Feedback
from content import consumers
from search import vectors
from tests.api.conftest import CLAIMS, COUNTER_ONLY, HIDDEN_IN_SC, INTERNAL, Api
from tests.factories import ProductFactory


def test_branches_come_as_a_tree_with_their_variables(api: Api) -> None:
    tree = api.get("branches").json()

    assert [node["code"] for node in tree] == ["HQ"]
    hq = tree[0]
    assert [child["code"] for child in hq["children"]] == ["GD", "SC"]
    gd = hq["children"][0]
    assert gd["variables"] == {"hotline": "020-12345678"}
    assert [child["code"] for child in gd["children"]] == ["GD-SZ"]


def test_categories_come_as_a_tree_of_paths(api: Api) -> None:
    tree = api.get("categories").json()

    claims = next(node for node in tree if node["path"] == "理赔")
    assert {child["path"] for child in claims["children"]} == {"理赔/医疗", "理赔/调查"}


def test_products_carry_line_and_sale_status(api: Api) -> None:
    ProductFactory(code="KN-YL-2023", name="康宁医疗", line="health", status="stopped")

    products = api.get("products").json()

    assert {
        "code": "KN-YL-2023",
        "name": "康宁医疗",
        "line": "health",
        "status": "stopped",
    } in products


def test_feedback_is_stored_with_its_query_and_reader(api: Api) -> None:
    response = api.post(
        "feedback",
        {
            "key": CLAIMS,
            "helpful": False,
            "query": "住院报销材料",
            "branch": "GD",
            "channel": "agent",
            "comment": "缺少异地就医说明",
        },
    )

    assert response.status_code == 201
    stored = Feedback.objects.get(pk=response.json()["id"])
    assert (stored.article_key, stored.helpful, stored.query) == (CLAIMS, False, "住院报销材料")
    assert (stored.branch_code, stored.channel, stored.comment) == (
        "GD",
        "agent",
        "缺少异地就医说明",
    )
    assert stored.api_key.digest  # whose client sent it


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"helpful": True}, {"key"}),
        ({"key": CLAIMS}, {"helpful"}),
        ({"key": CLAIMS, "helpful": "maybe"}, {"helpful"}),
        ({"key": CLAIMS, "helpful": True, "rating": 5}, {"rating"}),
        ({"key": CLAIMS, "helpful": True, "query": "问" * 501}, {"query"}),
        ({"key": "KB-999999", "helpful": True}, {"key"}),
        ({"key": INTERNAL, "helpful": True}, {"key"}),  # not for this key's audience
        ({"key": HIDDEN_IN_SC, "helpful": True, "branch": "SC"}, {"key"}),
        ({"key": COUNTER_ONLY, "helpful": True, "channel": "bot"}, {"key"}),
        ([1, 2], {"non_field_errors"}),
    ],
)
def test_bad_feedback_names_each_field_and_stores_nothing(
    api: Api, body: object, fields: set[str]
) -> None:
    response = api.post("feedback", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_body"
    assert set(response.json()["error"]["details"]) == fields
    assert not Feedback.objects.exists()


def test_feedback_for_another_branch_is_refused(kb: dict, issue: Callable[..., str]) -> None:
    response = Api(issue(branches=["GD"])).post(
        "feedback", {"key": CLAIMS, "helpful": True, "branch": "SC"}
    )

    assert response.status_code == 403


def test_health_needs_no_key_and_reports_every_consumer(api: Api) -> None:
    consumers.drain("search-index")  # what the after-commit nudge does (tests never commit)
    response = Client().get("/api/v1/health")

    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["change_seq"] > 0
    assert set(body["consumers"]) >= {"cache-purge", "webhooks"}
    assert set(body["consumers"]["webhooks"]) == {"position", "lag", "failures"}
    assert body["search"] == "ok"


def test_health_says_when_the_search_index_is_missing(api: Api, search_index_dir) -> None:
    consumers.drain("search-index")
    shutil.rmtree(search_index_dir)
    body = Client().get("/api/v1/health").json()
    assert body["status"] == "ok" and body["search"] == "unavailable"  # the rest still answers


def test_health_says_whether_search_ranks_by_meaning(
    api: Api, settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Client().get("/api/v1/health").json()["meaning"] == "off"  # the test settings'
    settings.KMS_SEARCH_SEMANTIC = {**settings.KMS_SEARCH_SEMANTIC, "enabled": True}
    assert Client().get("/api/v1/health").json()["meaning"] == "on"
    monkeypatch.setattr(vectors, "_loaded", lambda: None)  # as on a CPU it cannot run on
    body = Client().get("/api/v1/health").json()
    assert body["status"] == "ok" and body["meaning"] == "unavailable"  # search answers by words


def test_health_is_a_json_503_when_the_database_is_down(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("django.db.models.QuerySet.aggregate", down)

    response = Client().get("/api/v1/health")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["meaning"] == "off"


def test_a_branch_key_sees_the_variables_of_its_branches_and_their_ancestors_only(
    kb: dict, issue: Callable[..., str]
) -> None:
    tree = Api(issue(branches=["GD-SZ"])).get("branches").json()

    hq = tree[0]
    gd, sc = hq["children"]
    assert hq["variables"] and gd["variables"] == {"hotline": "020-12345678"}
    assert sc["code"] == "SC" and sc["variables"] == {}  # not its branch: the tree, no values
