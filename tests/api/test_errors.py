"""Every error under /api/ is JSON {"error": {"code", "message", "details"}}, never HTML."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from api.models import ApiKey
from tests.api.conftest import CLAIMS, Api

WRONG_KEY = "kms_00000000_" + "x" * 43


def call(client: Client, method: str, path: str, key: str | None, **extra: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return getattr(client, method)(path, **extra, **headers)


@pytest.fixture
def keys(kb: dict, issue: Callable[..., str]) -> dict[str, str]:
    revoked = issue(name="revoked")
    ApiKey.objects.filter(name="revoked").update(revoked_at="2026-01-01T00:00:00Z")
    return {
        "all": issue(),
        "read": issue(scopes=["read"]),
        "gd": issue(branches=["GD"]),
        "gd_sc": issue(branches=["GD", "SC"]),
        "bot": issue(channels=["bot"]),
        "revoked": revoked,
        "slow": issue(rate_per_minute=2),
    }


# (name, method, path, key, request extras, status, code, details)
CASES = [
    (
        "unknown parameter",
        "get",
        f"articles/{CLAIMS}",
        "all",
        {"data": {"colour": "red"}},
        400,
        "invalid_parameters",
        {"colour"},
    ),
    (
        "bad value",
        "get",
        "articles",
        "all",
        {"data": {"limit": "many"}},
        400,
        "invalid_parameters",
        {"limit"},
    ),
    (
        "two bad values",
        "get",
        "articles",
        "all",
        {"data": {"limit": "0", "channel": "fax"}},
        400,
        "invalid_parameters",
        {"limit", "channel"},
    ),
    (
        "a parameter twice",
        "get",
        "articles",
        "all",
        {"QUERY_STRING": "branch=GD&branch=SC"},
        400,
        "invalid_parameters",
        {"branch"},
    ),
    (
        "unknown branch",
        "get",
        "articles",
        "all",
        {"data": {"branch": "XX"}},
        400,
        "invalid_parameters",
        {"branch"},
    ),
    ("branch needed", "get", "articles", "gd_sc", {}, 400, "invalid_parameters", {"branch"}),
    (
        "since below zero",
        "get",
        "changes",
        "all",
        {"data": {"since": "-1"}},
        400,
        "invalid_parameters",
        {"since"},
    ),
    (
        "key in the URL",
        "get",
        "articles",
        None,
        {"data": {"key": "kms_x"}},
        401,
        "not_authenticated",
        set(),
    ),
    ("no key", "get", "articles", None, {}, 401, "not_authenticated", set()),
    ("wrong key", "get", "articles", WRONG_KEY, {}, 401, "authentication_failed", set()),
    ("revoked key", "get", "articles", "revoked", {}, 401, "authentication_failed", set()),
    (
        "missing scope",
        "post",
        "feedback",
        "read",
        {"data": "{}", "content_type": "application/json"},
        403,
        "permission_denied",
        set(),
    ),
    (
        "other branch",
        "get",
        "articles",
        "gd",
        {"data": {"branch": "SC"}},
        403,
        "permission_denied",
        set(),
    ),
    (
        "other channel",
        "get",
        "articles",
        "bot",
        {"data": {"channel": "agent"}},
        403,
        "permission_denied",
        set(),
    ),
    ("unknown path", "get", "nothing-here", "all", {}, 404, "not_found", set()),
    ("unknown version", "get", "/api/v9/articles", "all", {}, 404, "not_found", set()),
    ("wrong method", "delete", f"articles/{CLAIMS}", "all", {}, 405, "method_not_allowed", set()),
    (
        "bad JSON",
        "post",
        "feedback",
        "all",
        {"data": "{not json", "content_type": "application/json"},
        400,
        "invalid_json",
        set(),
    ),
    (
        "not JSON",
        "post",
        "feedback",
        "all",
        {"data": "a=b", "content_type": "text/plain"},
        415,
        "unsupported_media_type",
        set(),
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "key", "extra", "status", "code", "details"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_each_error_names_its_cause_in_json(
    keys: dict[str, str],
    name: str,
    method: str,
    path: str,
    key: str | None,
    extra: dict,
    status: int,
    code: str,
    details: set[str],
) -> None:
    url = path if path.startswith("/") else f"/api/v1/{path}"
    response = call(Client(), method, url, keys.get(key, key) if key else None, **extra)

    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert set(error["details"]) == details
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_throttled_key_is_told_when_to_come_back(keys: dict[str, str]) -> None:
    slow = Api(keys["slow"])
    answers = [slow.get("branches").status_code for _ in range(3)]

    refused = slow.get("branches")
    assert answers == [200, 200, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert Api(keys["all"]).get("branches").status_code == 200  # other keys are not affected


def test_a_crash_is_a_json_500_without_a_traceback(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("api.v1.views.published_articles", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/articles", HTTP_AUTHORIZATION=f"Bearer {api.key}")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "internal error; it has been logged",
            "details": {},
        }
    }
    assert b"secret internals" not in response.content


def test_errors_django_renders_itself_stay_json(api: Api, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["kms.example.com"]

    response = Client().get("/api/v1/health", HTTP_HOST="attacker.example.com")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_body_over_the_limit_is_refused_before_it_is_read(api: Api) -> None:
    response = api.post("feedback", {"key": CLAIMS, "helpful": True, "comment": "很" * 20_000})

    assert response.status_code == 400
    assert "body" in response.json()["error"]["details"]


def test_a_chunked_body_is_a_411_asking_for_its_length(api: Api) -> None:
    """A body sent in chunks, with no Content-Length, reads as empty here: it is refused
    as such, not answered as if the client had forgotten its fields."""
    body = json.dumps({"key": CLAIMS, "helpful": True})
    response = api.post("feedback", body, HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="")

    assert response.status_code == 411
    assert response.json()["error"]["code"] == "length_required"


def test_the_api_speaks_english_whatever_the_admin_speaks(api: Api) -> None:
    response = api.get("articles", {"limit": "0"})

    assert response.json()["error"]["details"]["limit"] == [
        "Ensure this value is greater than or equal to 1."
    ]


def test_json_nested_too_deeply_is_bad_json_not_a_crash(api: Api) -> None:
    response = api.post("feedback", "[" * 5_000 + "]" * 5_000)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_a_number_too_long_for_python_is_bad_json_in_our_words(api: Api) -> None:
    response = api.post("feedback", '{"key": "KB-000001", "helpful": ' + "9" * 5_000 + "}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_json" and "sys." not in error["message"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method,path", [("get", "health"), ("get", "search"), ("post", "events")])
def test_too_many_parameters_is_a_json_400(
    api: Api, settings: Any, debug: bool, method: str, path: str
) -> None:
    settings.DEBUG = debug  # as `make run` serves: Django's debug error path must not crash
    query = "&".join(f"p{n}=1" for n in range(1_001))
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {api.key}")

    response = getattr(client, method)(f"/api/v1/{path}?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameters" and "1000" in error["message"]


def test_a_post_to_no_endpoint_is_a_404_not_a_csrf_refusal(api: Api) -> None:
    browser_like = Api(api.key, Client(enforce_csrf_checks=True))
    for path in ("events/", "nothing-here"):
        response = browser_like.post(path, {"key": CLAIMS})
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "presented", ["kms_\x00\x00\x00\x00\x00\x00\x00\x00_" + "a" * 43, "kms_ZZ_x"]
)
def test_a_malformed_key_is_refused_before_any_lookup(api: Api, presented: str) -> None:
    response = Api(presented).get("branches")

    assert response.status_code == 401


def test_a_key_refused_for_its_scope_still_spends_its_rate(
    kb: dict, issue: Callable[..., str]
) -> None:
    rated = Api(issue(scopes=["read"], rate_per_minute=3))
    refused = [rated.get("changes").status_code for _ in range(3)]

    assert refused == [403, 403, 403]
    assert rated.get("branches").status_code == 429


def test_every_keyed_answer_varies_by_key_and_asks_to_revalidate(api: Api) -> None:
    for path in ("changes", "branches", "articles", f"articles/{CLAIMS}"):
        response = api.get(path)
        assert "Authorization" in response["Vary"], path
        assert response["Cache-Control"] == "private, no-cache", path


@pytest.mark.parametrize("path", ["schema", "docs"])
def test_the_schema_and_docs_take_no_parameters(path: str) -> None:
    response = Client().get(f"/api/v1/{path}", {"foo": "1"})

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"foo"}
