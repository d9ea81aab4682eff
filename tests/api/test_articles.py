"""GET articles/{key}: the effective article a reader in a branch and channel sees."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import (
    CLAIMS,
    COUNTER_ONLY,
    GD_HOTLINE,
    GD_MATERIALS,
    HIDDEN_IN_SC,
    INTERNAL,
    NOT_YET,
    SC_HOTLINE,
    Api,
)
from tests.factories import HQ_VARIABLES, make_article, make_override


def section(body: dict, slug: str) -> str:
    return next(item["content"] for item in body["sections"] if item["slug"] == slug)


def test_guangdong_reads_its_own_section_and_hotline(api: Api) -> None:
    response = api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": "text"})

    assert response.status_code == 200
    body = response.json()
    assert body["branch"] == "GD" and body["overrides"] == ["GD"]
    assert section(body, "办理材料") == GD_MATERIALS
    assert GD_HOTLINE in section(body, "联系方式")
    assert body["stale"] is False


def test_shenzhen_inherits_guangdong_and_sichuan_does_not(api: Api) -> None:
    shenzhen = api.get(f"articles/{CLAIMS}", {"branch": "GD-SZ", "format": "text"}).json()
    sichuan = api.get(f"articles/{CLAIMS}", {"branch": "SC", "format": "text"}).json()

    assert section(shenzhen, "办理材料") == GD_MATERIALS
    assert GD_HOTLINE in section(shenzhen, "联系方式")  # GD's value: SZ defines none
    assert GD_MATERIALS not in section(sichuan, "办理材料")
    assert SC_HOTLINE in section(sichuan, "联系方式")
    assert sichuan["overrides"] == []


def test_without_a_branch_an_unrestricted_key_reads_hq(api: Api) -> None:
    body = api.get(f"articles/{CLAIMS}", {"format": "text"}).json()

    assert body["branch"] == "HQ"
    assert HQ_VARIABLES["hotline"] in section(body, "联系方式")


@pytest.mark.parametrize(
    ("fmt", "present", "absent"),
    [
        ("html", '<h2 id="办理材料">办理材料</h2>', "## 办理材料"),
        ("markdown", "## 办理材料", "<h2"),
        ("text", "办理材料", "<h2"),
    ],
)
def test_the_body_comes_in_the_format_asked_for(
    api: Api, fmt: str, present: str, absent: str
) -> None:
    body = api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": fmt}).json()

    assert body["format"] == fmt
    assert present in body["body"] and absent not in body["body"]
    assert GD_HOTLINE in body["body"]  # variables filled in every format
    assert "{{" not in body["body"]


def test_sections_carry_slug_heading_and_content_without_the_heading(api: Api) -> None:
    body = api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": "markdown"}).json()

    slugs = [item["slug"] for item in body["sections"]]
    assert slugs == ["_lead", "办理材料", "办理流程", "联系方式"]
    materials = body["sections"][1]
    assert materials["heading"] == "办理材料"
    assert materials["content"] == GD_MATERIALS


def test_the_etag_answers_304_until_the_article_changes(
    api: Api, django_capture_on_commit_callbacks
) -> None:
    first = api.get(f"articles/{CLAIMS}", {"branch": "GD"})
    etag = first["ETag"]

    same = api.get(f"articles/{CLAIMS}", {"branch": "GD"}, HTTP_IF_NONE_MATCH=etag)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(key=CLAIMS, summary="新的总部摘要。", products=[], tags=["理赔材料", "医疗险"])
    changed = api.get(f"articles/{CLAIMS}", {"branch": "GD"}, HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200 and etag.startswith('"')
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert same.status_code == 304 and same.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["summary"] == "新的总部摘要。"


def test_each_format_has_its_own_etag(api: Api) -> None:
    html = api.get(f"articles/{CLAIMS}", {"branch": "GD"})["ETag"]
    text = api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": "text"})["ETag"]

    assert html != text


def test_a_publish_is_served_as_soon_as_the_purge_passed_it(
    api: Api, django_capture_on_commit_callbacks
) -> None:
    before = api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": "text"}).json()
    with django_capture_on_commit_callbacks(execute=True):
        make_override(
            CLAIMS, "GD", sections={"办理材料": {"mode": "replace", "body": "广东新规。"}}
        )

    after = api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": "text"}).json()
    shenzhen = api.get(f"articles/{CLAIMS}", {"branch": "GD-SZ", "format": "text"}).json()

    assert section(before, "办理材料") == GD_MATERIALS
    assert section(after, "办理材料") == "广东新规。"
    assert section(shenzhen, "办理材料") == "广东新规。"


def test_a_branch_variable_change_is_served_at_once(
    api: Api, kb: dict, django_capture_on_commit_callbacks
) -> None:
    from content.actors import Actor
    from content.services.branches import branch_save

    api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": "text"})  # cached now
    gd = kb["GD"]
    gd.variables = {"hotline": "020-99999999"}
    with django_capture_on_commit_callbacks(execute=True):
        branch_save(gd, actor=Actor.system_context("tests"))

    body = api.get(f"articles/{CLAIMS}", {"branch": "GD", "format": "text"}).json()
    assert "020-99999999" in section(body, "联系方式")


@pytest.mark.parametrize(
    ("key", "params", "options"),
    [
        ("KB-999999", {}, {}),  # no such article
        (HIDDEN_IN_SC, {"branch": "SC"}, {}),  # hidden in the branch
        (COUNTER_ONLY, {"channel": "bot"}, {}),  # not for the channel asked for
        (COUNTER_ONLY, {}, {"channels": ["bot"]}),  # not for the key's channels
        (INTERNAL, {}, {}),  # internal, and the key is public only
        (NOT_YET, {}, {}),  # not in effect yet
        ("KB-1;DROP", {}, {}),  # not even a key
    ],
)
def test_what_a_reader_cannot_see_is_a_404_like_an_unknown_key(
    kb: dict, issue: Callable[..., str], key: str, params: dict, options: dict
) -> None:
    response = Api(issue(**options)).get(f"articles/{key}", params)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["message"] == f"no article {key} for this reader"


def test_an_internal_key_reads_internal_articles(kb: dict, issue: Callable[..., str]) -> None:
    response = Api(issue(internal=True)).get(f"articles/{INTERNAL}")

    assert response.status_code == 200
    assert response.json()["audience"] == "internal"


def test_a_hidden_article_reappears_in_a_branch_that_does_not_hide_it(api: Api) -> None:
    assert api.get(f"articles/{HIDDEN_IN_SC}", {"branch": "GD"}).status_code == 200
