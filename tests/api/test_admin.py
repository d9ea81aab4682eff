"""The API's admin: keys shown once, webhook subscriptions with their dead letters."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from api.auth import key_digest
from api.models import ApiKey, Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from api.services import subscription_add, subscription_paused
from content.models import ChangeEvent
from tests.api.conftest import CLAIMS, Api
from tests.content.test_override_admin import branch_user
from tests.factories import OPERATOR


def test_an_administrator_creates_a_key_and_sees_it_once(kb: dict, admin_client: Client) -> None:
    response = admin_client.post(
        reverse("apikey:add"),
        {
            "name": "gd-desk",
            "scopes": ["read", "search"],
            "branches": ["GD"],
            "channels": ["agent"],
        },
    )

    assert response.status_code == 200
    key = response.context["secret"]
    stored = ApiKey.objects.get(name="gd-desk")
    assert key in response.content.decode()
    assert stored.digest == key_digest(key) and stored.branches == ["GD"]
    assert (
        Api(key).get(f"articles/{CLAIMS}", {"branch": "GD-SZ", "channel": "agent"}).status_code
        == 200
    )
    listing = admin_client.get(reverse("apikey:index")).content.decode()
    edit = admin_client.get(reverse("apikey:edit", args=(stored.pk,))).content.decode()
    assert "gd-desk" in listing and key not in listing and key not in edit


def test_bad_choices_are_form_errors_and_make_nothing(kb: dict, admin_client: Client) -> None:
    response = admin_client.post(reverse("apikey:add"), {"name": "x", "scopes": []})

    assert response.status_code == 200
    assert "scopes" in response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_revoking_in_the_admin_refuses_the_key(
    kb: dict, admin_client: Client, issue: object
) -> None:
    key = issue(name="kiosk", scopes=["read"])
    stored = ApiKey.objects.get(name="kiosk")

    admin_client.post(
        reverse("apikey:edit", args=(stored.pk,)),
        {"name": "kiosk", "scopes": ["read"], "revoked": "on"},
    )

    assert Api(key).get("branches").status_code == 401


def test_a_key_cannot_be_copied(kb: dict) -> None:
    from django.urls import NoReverseMatch

    try:
        reverse("apikey:copy", args=(1,))
    except NoReverseMatch:
        return
    raise AssertionError("API keys offer a copy view: a copy would share the key")


def test_branch_editors_see_no_keys_or_webhooks(kb: dict, issue: object) -> None:
    issue(name="secret-bot")
    client = Client()
    branch_user(client, "gd_editor", kb["GD"])

    for url in (reverse("apikey:index"), reverse("kms_webhooks:index"), reverse("apikey:add")):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"secret-bot" not in response.content


def test_a_paused_subscription_shows_its_dead_letters_and_resumes(
    kb: dict, admin_client: Client
) -> None:
    subscription = subscription_add(actor=OPERATOR, name="bot", url="https://bot.example.com/kms")
    event = ChangeEvent.objects.order_by("-seq").first()
    Delivery.objects.create(subscription=subscription, event=event, last_error="HTTP 500: down")
    subscription_paused(subscription.pk, "8 consecutive failures; last: HTTP 500: down")

    page = admin_client.get(reverse("kms_webhooks:edit", args=(subscription.pk,))).content.decode()
    admin_client.post(reverse("kms_webhook_action", args=(subscription.pk, "resume")))

    assert "HTTP 500: down" in page and subscription.secret in page
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_a_subscription_made_in_the_admin_gets_a_secret(kb: dict, admin_client: Client) -> None:
    response = admin_client.post(
        reverse("kms_webhooks:add"),
        {"name": "crm", "url": "https://crm.example.com/kms", "actions": ["published"]},
    )

    subscription = Subscription.objects.get(name="crm")
    assert response.status_code == 302
    assert len(subscription.secret) == 64 and subscription.actions == ["published"]


def test_a_webhook_url_must_be_http(kb: dict, admin_client: Client) -> None:
    response = admin_client.post(
        reverse("kms_webhooks:add"), {"name": "crm", "url": "javascript:alert(1)"}
    )

    assert response.status_code == 200 and "url" in response.context["form"].errors
    assert not Subscription.objects.exists()
