"""kms_apikey: keys are shown once, stored hashed, listed without the key, revocable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from api.auth import key_digest
from api.models import ApiKey
from tests.api.conftest import CLAIMS, Api


def create(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("kms_apikey", "create", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_alone_on_its_last_line_and_keeps_only_its_hash(kb: dict) -> None:
    out, err = create(
        "gd-counter", "--scopes", "read,changes", "--branches", "GD", "--channels", "counter"
    )

    key = out.strip().splitlines()[-1]
    stored = ApiKey.objects.get(name="gd-counter")
    assert key.startswith("kms_") and " " not in key
    assert "gd-counter" in err and "branches GD" in err
    assert stored.digest == key_digest(key) and key not in str(vars(stored))
    assert stored.scopes == ["read", "changes"] and stored.branches == ["GD"]
    assert stored.channels == ["counter"] and stored.audiences == ("public",)
    assert (
        Api(key).get(f"articles/{CLAIMS}", {"branch": "GD-SZ", "channel": "counter"}).status_code
        == 404
    )
    assert Api(key).get("articles", {"branch": "GD-SZ"}).status_code == 200


def test_internal_grants_internal_articles(kb: dict) -> None:
    create("agent-desk", "--scopes", "read", "--internal")

    assert ApiKey.objects.get(name="agent-desk").audiences == ("public", "internal")


def test_list_shows_what_each_key_may_do_but_never_the_key(kb: dict) -> None:
    key = create("wechat-bot", "--scopes", "read,search", "--channels", "bot")[0].strip()
    Api(key).get("branches")
    out = StringIO()

    call_command("kms_apikey", "list", stdout=out)

    listing = out.getvalue()
    assert "wechat-bot" in listing and "read,search" in listing and "active" in listing
    secret = key.split("_", 2)[2]  # urlsafe: the secret itself may hold "_"
    assert key not in listing and secret not in listing
    row = listing.splitlines()[2]
    assert "never" not in row  # last used: just now
    # in the site's time zone, as the logs, and saying which
    assert listing.splitlines()[0] == f"times in {settings.TIME_ZONE}"
    created = ApiKey.objects.get(name="wechat-bot").created_at
    assert f"{timezone.localtime(created):%Y-%m-%d %H:%M}" in row


def test_revoke_refuses_the_key_from_then_on(kb: dict) -> None:
    key = create("old-kiosk", "--scopes", "read")[0].strip()
    assert Api(key).get("branches").status_code == 200

    call_command("kms_apikey", "revoke", "old-kiosk", stdout=StringIO())

    assert Api(key).get("branches").status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--scopes", "write"], "scopes: unknown write"),
        (["x", "--scopes", ""], "scopes: at least one of read"),
        (["x", "--scopes", "read", "--branches", "NOPE"], "branches: no branch NOPE"),
        (["x", "--scopes", "read", "--channels", "fax"], "channels: unknown fax"),
        (["x", "--scopes", "read", "--rate", "0"], "--rate: at least 1"),
    ],
)
def test_bad_options_are_named_and_nothing_is_made(kb: dict, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        create(*args)

    assert not ApiKey.objects.filter(name="x").exists()


def test_a_name_is_used_once(kb: dict) -> None:
    create("twice", "--scopes", "read")

    with pytest.raises(CommandError, match="name: API key with this Name already exists"):
        create("twice", "--scopes", "read")  # in the command line's English, like the rest


def test_revoking_an_unknown_key_says_so(kb: dict) -> None:
    with pytest.raises(CommandError, match="no API key named 'ghost'"):
        call_command("kms_apikey", "revoke", "ghost")


def test_deleting_a_branch_never_widens_a_key(kb: dict) -> None:
    from content.models import Branch

    key = create("sz-only", "--scopes", "read", "--branches", "GD-SZ")[0].strip()
    Branch.objects.filter(code="GD-SZ").delete()

    assert Api(key).get("articles").status_code == 400  # its only branch is gone
    assert Api(key).get("articles", {"branch": "HQ"}).status_code == 403


def test_the_bearer_scheme_is_read_in_any_case(api: Api) -> None:
    for scheme in ("bearer", "BEARER", "Bearer"):
        found = api.get("articles/" + CLAIMS, HTTP_AUTHORIZATION=f"{scheme} {api.key}")
        assert found.status_code == 200, scheme
