"""The widget's script and demo page, the demo key, key rotation and cross-origin reads."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from api import widget
from api.auth import key_lookup
from api.models import ApiKey
from api.services import apikey_revoke, apikey_rotate
from content import consumers
from search import indexing
from tests.api.conftest import Api
from tests.factories import OPERATOR

ALLOWED = "https://desk.example.com"


@pytest.fixture
def demo_on(settings, tmp_path) -> None:
    settings.KMS_WIDGET_DEMO = True
    settings.DATA_DIR = tmp_path


def test_the_script_is_the_committed_file_and_revalidates_by_etag(client: Client, db: None) -> None:
    response = client.get("/widget/kms-search.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response.content == widget.SCRIPT.read_bytes()
    again = client.get("/widget/kms-search.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.post("/widget/kms-search.js").status_code == 405


def test_the_demo_page_is_off_unless_switched_on(client: Client, settings) -> None:
    settings.KMS_WIDGET_DEMO = False

    assert client.get("/widget/demo/").status_code == 404


def test_the_demo_page_says_how_to_get_its_key(client: Client, db: None, demo_on: None) -> None:
    response = client.get("/widget/demo/")

    assert response.status_code == 200
    assert "kms_widget_demo" in response.content.decode()
    assert "<kms-search" not in response.content.decode()


def test_the_demo_key_reads_searches_and_rates_agent_articles_only(
    client: Client, db: None, demo_on: None, kb
) -> None:
    call_command("kms_widget_demo", stdout=io.StringIO())
    secret = widget.demo_key()

    page = client.get("/widget/demo/").content.decode()
    assert f'api-key="{secret}"' in page
    assert '<script src="/widget/kms-search.js"' in page
    key = ApiKey.objects.get(name=widget.DEMO_KEY_NAME)
    assert sorted(key.scopes) == ["feedback", "read", "search"]
    assert key.channels == ["agent"]
    assert not key.internal
    api = Api(secret)
    consumers.drain(indexing.NAME)
    assert api.get("search", {"q": "理赔"}).status_code == 200
    assert api.get("changes").status_code == 403


def test_the_demo_key_survives_reruns_and_is_reissued_when_its_file_is_lost(
    db: None, demo_on: None
) -> None:
    quiet = io.StringIO()
    call_command("kms_widget_demo", stdout=quiet)
    first = widget.demo_key()
    call_command("kms_widget_demo", stdout=quiet)
    assert widget.demo_key() == first

    widget.demo_key_file().unlink()
    call_command("kms_widget_demo", stdout=quiet)

    second = widget.demo_key()
    assert second and second != first
    assert key_lookup(first) is None
    assert ApiKey.objects.filter(name=widget.DEMO_KEY_NAME).count() == 1


def test_a_revoked_demo_key_stays_revoked(db: None, demo_on: None) -> None:
    call_command("kms_widget_demo", stdout=io.StringIO())
    apikey_revoke(actor=OPERATOR, name=widget.DEMO_KEY_NAME)

    with pytest.raises(CommandError, match="revoked"):
        call_command("kms_widget_demo")
    assert widget.demo_key() is None


def test_rotating_a_key_refuses_the_old_secret_and_keeps_its_rights(db: None, issue) -> None:
    old = issue(name="counter-app", scopes=["search"])

    new = apikey_rotate(actor=OPERATOR, name="counter-app")

    assert key_lookup(old) is None
    assert key_lookup(new.secret).scopes == ["search"]


def test_an_allowed_origin_may_read_the_api_and_its_errors(settings, api: Api) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]
    consumers.drain(indexing.NAME)

    found = api.get("search", {"q": "理赔"}, HTTP_ORIGIN=ALLOWED)
    refused = Api("kms_00000000_" + "x" * 43).get("search", {"q": "理赔"}, HTTP_ORIGIN=ALLOWED)

    assert found.status_code == 200
    assert found["Access-Control-Allow-Origin"] == ALLOWED
    assert refused.status_code == 401
    assert refused["Access-Control-Allow-Origin"] == ALLOWED


def test_a_preflight_allows_the_key_header_and_json_bodies(settings, client: Client) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]

    response = client.options(
        "/api/v1/feedback",
        HTTP_ORIGIN=ALLOWED,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert {"authorization", "content-type"} <= set(
        response["Access-Control-Allow-Headers"].split(", ")
    )


def test_other_origins_and_other_paths_get_no_cross_origin_headers(
    settings, api: Api, client: Client
) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]

    elsewhere = api.get("search", {"q": "理赔"}, HTTP_ORIGIN="https://evil.example.com")
    admin = client.get("/admin/login/", HTTP_ORIGIN=ALLOWED)

    assert "Access-Control-Allow-Origin" not in elsewhere
    assert "Access-Control-Allow-Origin" not in admin


def test_the_demo_page_is_never_cached(client: Client, db: None, demo_on: None) -> None:
    response = client.get("/widget/demo/")

    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
