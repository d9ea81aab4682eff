"""Webhooks against a real HTTP receiver on loopback: signed, in order, retried, paused,
kept as dead letters, re-sent — and never in the way of an editor's publish."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api import tasks, webhooks
from api.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from api.services import subscription_add
from content.models import ChangeEvent
from tests.api.conftest import CLAIMS, HIDDEN_IN_SC
from tests.api.receiver import Receiver
from tests.factories import OPERATOR, make_article, make_override


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def nudged(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The test sends (``deliver``); the consumer's nudges are only recorded."""
    calls: list[int] = []
    monkeypatch.setattr(tasks, "deliver_soon", calls.append)
    return calls


def subscribe(receiver: Receiver, name: str = "bot", **options: object) -> Subscription:
    return subscription_add(actor=OPERATOR, name=name, url=receiver.url, **options)


def edit(capture: object, number: int, key: str = CLAIMS) -> None:
    """HQ publishes a new version; the consumers run once it commits."""
    with capture(execute=True):
        make_article(key=key, summary=f"第{number}版摘要。", products=[], tags=["理赔材料"])


def deliver(subscription: Subscription) -> int:
    return webhooks.subscription_deliver(subscription.pk)


def test_each_event_is_posted_signed_with_its_id(
    kb: dict, receiver: Receiver, nudged: list[int], django_capture_on_commit_callbacks: object
) -> None:
    subscription = subscribe(receiver)
    edit(django_capture_on_commit_callbacks, 1)

    assert nudged == [subscription.pk]
    assert deliver(subscription) == 1

    (request,) = receiver.received
    event = ChangeEvent.objects.order_by("-seq").first()
    assert request.event == {
        "id": str(event.seq),
        "seq": event.seq,
        "key": CLAIMS,
        "action": "published",
        "branches": ["GD", "GD-SZ", "HQ", "SC"],
        "revision": event.revision_id,
        "at": event.occurred_at.isoformat(),
    }
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["x-kms-event-id"] == str(event.seq)
    timestamp = headers["x-kms-timestamp"]
    assert abs(int(timestamp) - time.time()) < 300
    # What a receiver does (README): HMAC-SHA256 over "<timestamp>.<body>" with the secret.
    expected = hmac.new(
        subscription.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["x-kms-signature"], f"sha256={expected}")


def test_events_arrive_in_order_and_only_the_subscribed_ones(
    kb: dict, receiver: Receiver, nudged: list[int], django_capture_on_commit_callbacks: object
) -> None:
    guangdong = subscribe(receiver, branches=["GD"], actions=["published", "override_published"])
    first = ChangeEvent.objects.order_by("-seq").first().seq
    edit(django_capture_on_commit_callbacks, 1)
    with django_capture_on_commit_callbacks(execute=True):
        make_override(HIDDEN_IN_SC, "SC", note="只有四川")  # not for a GD subscription
        make_override(CLAIMS, "GD-SZ", summary="深圳版本。")  # below GD: for it
    edit(django_capture_on_commit_callbacks, 2)

    deliver(guangdong)

    sent = [(item.event["key"], item.event["action"]) for item in receiver.received]
    assert sent == [
        (CLAIMS, "published"),
        (CLAIMS, "override_published"),
        (CLAIMS, "published"),
    ]
    assert receiver.seqs() == sorted(receiver.seqs()) and receiver.seqs()[0] > first


def test_a_failure_is_retried_later_and_the_rest_wait_behind_it(
    kb: dict, receiver: Receiver, nudged: list[int], django_capture_on_commit_callbacks: object
) -> None:
    subscription = subscribe(receiver)
    receiver.status = 503
    edit(django_capture_on_commit_callbacks, 1)
    edit(django_capture_on_commit_callbacks, 2)

    assert deliver(subscription) == 0
    failed = Delivery.objects.order_by("event_id").first()
    assert failed.attempts == 1 and "HTTP 503" in failed.last_error
    assert failed.next_attempt_at > timezone.now()  # backing off
    assert deliver(subscription) == 0 and len(receiver.received) == 1  # not yet

    receiver.status = 200
    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())  # time passes
    assert deliver(subscription) == 2

    assert receiver.seqs()[1:] == sorted(receiver.seqs()[1:])
    assert receiver.seqs()[0] == receiver.seqs()[1]  # the retry, then the one behind it
    assert Subscription.objects.get(pk=subscription.pk).failures == 0


def test_the_backoff_doubles_with_jitter_up_to_its_cap(settings: object) -> None:
    settings.KMS_WEBHOOK_BACKOFF = 2.0

    waits = [webhooks.backoff(attempt) for attempt in range(1, 20)]

    assert 1.0 <= waits[0] <= 2.0 and 4.0 <= waits[2] <= 8.0
    assert max(waits) <= webhooks.BACKOFF_CAP


def test_too_many_failures_pause_it_and_keep_everything_as_dead_letters(
    kb: dict,
    receiver: Receiver,
    nudged: list[int],
    settings: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    settings.KMS_WEBHOOK_MAX_FAILURES = 3
    subscription = subscribe(receiver)
    receiver.status = 500
    edit(django_capture_on_commit_callbacks, 1)
    edit(django_capture_on_commit_callbacks, 2)
    for _ in range(3):
        Delivery.objects.update(next_attempt_at=timezone.now())
        deliver(subscription)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAUSED
    assert "3 consecutive failures" in subscription.paused_reason
    edit(django_capture_on_commit_callbacks, 3)  # arrives while paused: kept
    dead = Delivery.objects.filter(status=DeliveryStatus.DEAD).order_by("event_id")
    kept = list(dead.values_list("event_id", flat=True))
    assert len(kept) == 3 and not Delivery.objects.filter(status=DeliveryStatus.PENDING)

    receiver.status = 200
    call_command("kms_webhook", "resume", "bot", stdout=StringIO())
    deliver(subscription)

    delivered = receiver.received[3:]  # after the three failed attempts
    assert [item.event["seq"] for item in delivered] == kept
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 3


def test_one_dead_receiver_holds_back_no_other_subscription(
    kb: dict, nudged: list[int], django_capture_on_commit_callbacks: object
) -> None:
    broken, working = Receiver(status=500), Receiver()
    try:
        first = subscribe(broken, name="broken")
        second = subscribe(working, name="working")
        edit(django_capture_on_commit_callbacks, 1)
        edit(django_capture_on_commit_callbacks, 2)

        deliver(first)
        deliver(second)

        assert len(broken.received) == 1
        assert len(working.received) == 2
    finally:
        broken.close()
        working.close()


def test_resend_repeats_a_delivered_event_with_the_same_id(
    kb: dict, receiver: Receiver, nudged: list[int], django_capture_on_commit_callbacks: object
) -> None:
    subscription = subscribe(receiver)
    edit(django_capture_on_commit_callbacks, 1)
    deliver(subscription)
    seq = receiver.seqs()[0]

    call_command("kms_webhook", "resend", "bot", "--seq", str(seq), stdout=StringIO())
    deliver(subscription)

    assert receiver.seqs() == [seq, seq]
    ids = {item.headers["X-KMS-Event-Id"] for item in receiver.received}
    assert ids == {str(seq)}


def test_a_redirect_is_a_failure_not_followed(
    kb: dict, nudged: list[int], django_capture_on_commit_callbacks: object
) -> None:
    moved = Receiver(status=302)
    try:
        subscription = subscribe(moved)
        edit(django_capture_on_commit_callbacks, 1)

        deliver(subscription)

        assert "HTTP 302" in Delivery.objects.get().last_error
    finally:
        moved.close()


def test_internal_addresses_need_the_operators_say_so(
    kb: dict,
    receiver: Receiver,
    nudged: list[int],
    settings: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    settings.KMS_WEBHOOK_ALLOW_PRIVATE = False
    subscription = subscribe(receiver)
    edit(django_capture_on_commit_callbacks, 1)

    deliver(subscription)

    assert receiver.received == []
    assert "internal address" in Delivery.objects.get().last_error


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "url: "),
        ("file:///etc/passwd", "url: "),
        ("not a url", "url: "),
    ],
)
def test_only_http_urls_are_accepted(kb: dict, url: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("kms_webhook", "add", "x", url, stdout=StringIO(), stderr=StringIO())

    assert not Subscription.objects.exists()


def test_the_commands_list_pause_and_remove(kb: dict, receiver: Receiver) -> None:
    out = StringIO()
    call_command("kms_webhook", "add", "bot", receiver.url, stdout=out, stderr=StringIO())
    secret = out.getvalue().strip()
    call_command("kms_webhook", "pause", "bot", stdout=StringIO())
    listing = StringIO()
    call_command("kms_webhook", "list", stdout=listing)
    call_command("kms_webhook", "remove", "bot", stdout=StringIO())

    assert len(secret) == 64
    assert "bot" in listing.getvalue() and "paused" in listing.getvalue()
    assert secret not in listing.getvalue()
    assert not Subscription.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_never_waits_on_a_hanging_receiver(kb: dict, settings: object) -> None:
    settings.KMS_WEBHOOK_TIMEOUT = 20.0
    hanging = Receiver(hold=True)
    try:
        subscribe(hanging)

        make_article(key=CLAIMS, summary="急需发布的新摘要。", products=[], tags=["理赔材料"])
        published_while_hanging = not hanging.release.is_set()

        assert hanging.arrived.wait(timeout=20)  # sent in the background, after the publish
        assert published_while_hanging
        assert not Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists()
    finally:
        hanging.release.set()
        assert tasks.background_wait(timeout=30)
        hanging.close()
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 1
    assert Delivery.objects.get().delivered_at > timezone.now() - dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("169.254.169.254", True),  # a cloud's metadata service
        ("100.100.100.200", True),  # Alibaba Cloud's, in the shared 100.64/10
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 around 127.0.0.1
        ("224.0.0.1", True),
        ("93.184.216.34", False),
        ("2606:2800:220:1:248:1893:25c8:1946", False),
    ],
)
def test_only_public_addresses_count_as_outside(address: str, refused: bool) -> None:
    import ipaddress

    assert webhooks.internal(ipaddress.ip_address(address)) is refused


def test_a_delivery_goes_to_the_address_that_was_checked(
    kb: dict,
    receiver: Receiver,
    nudged: list[int],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    import socket

    port = int(receiver.url.split(":")[2].split("/")[0])
    answers = iter([("127.0.0.1", port), ("127.0.0.2", port)])  # a second answer elsewhere
    lookups: list[str] = []
    resolve = socket.getaddrinfo

    def rebinding(host: str, *args: object, **kwargs: object) -> list:
        if host != "rebind.example":
            return resolve(host, *args, **kwargs)  # an address: nothing to look up
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", next(answers))]

    subscription = subscription_add(
        actor=OPERATOR, name="bot", url=f"http://rebind.example:{port}/kms-events"
    )
    edit(django_capture_on_commit_callbacks, 1)
    monkeypatch.setattr("api.webhooks.socket.getaddrinfo", rebinding)

    assert deliver(subscription) == 1

    assert lookups == ["rebind.example"]  # looked up once: the connection used that answer
    assert receiver.received[0].headers["Host"] == f"rebind.example:{port}"


def test_a_password_in_the_url_is_refused(kb: dict) -> None:
    # Operators read the project's language (Chinese); the message says what to use instead.
    with pytest.raises(CommandError, match="URL 中不能含用户名或密码"):
        call_command(
            "kms_webhook",
            "add",
            "x",
            "https://user:pw@crm.example.com/kms",
            stdout=StringIO(),
            stderr=StringIO(),
        )
