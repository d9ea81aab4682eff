"""Webhooks: a change-log consumer records deliveries; senders POST them, signed, in order.

Invariants (see api.models.webhooks for the delivery states):
* the consumer only writes delivery rows — it never waits on a receiver — so a slow or
  dead receiver holds back neither other consumers nor an editor's publish;
* a subscription's deliveries are sent one at a time in seq order by whoever holds its
  lease; a failure stops that subscription only (the others have leases of their own);
* every POST is signed: ``X-KMS-Signature: sha256=HMAC(secret, "<timestamp>.<body>")`` with
  the timestamp in ``X-KMS-Timestamp``; ``X-KMS-Event-Id`` (the event's seq) is the same on
  every attempt, so a receiver can drop repeats;
* only http(s) URLs are called, without following redirects, with a time limit; unless
  ``KMS_WEBHOOK_ALLOW_PRIVATE`` is on, a host that resolves to a loopback, private or
  link-local address is refused (it would let an admin reach the internal network).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import socket
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.dispatch import deliveries_due
from api.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from api.services import subscription_paused
from content.consumers import Consumer
from content.models import BranchTree, ChangeEvent

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)  # longer than one run may take (RUN_BUDGET + a timeout)
RUN_BUDGET = 30.0  # seconds one run sends for, then it hands over to the next
BACKOFF_CAP = 3600.0
USER_AGENT = "KMS-Webhooks/1"


def event_payload(event: ChangeEvent) -> dict[str, object]:
    """The JSON an event is sent as: the change feed's item plus its id."""
    return {
        "id": str(event.seq),
        "seq": event.seq,
        "key": event.article_key,
        "action": event.action,
        "branches": event.branches,
        "revision": event.revision_id,
        "at": event.occurred_at.isoformat(),
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What ``X-KMS-Signature`` carries for `body` sent at `timestamp`."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> float:
    """Seconds before attempt `attempts` + 1: exponential, capped, with full jitter."""
    ceiling = min(BACKOFF_CAP, settings.KMS_WEBHOOK_BACKOFF * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not a secret)


class WebhookConsumer(Consumer):
    """Records one delivery per (matching subscription, event); sending is elsewhere."""

    name = "webhooks"
    batch_size = 500  # rows are unique per (subscription, event): a replay adds nothing

    def handle_batch(self, events: Sequence[ChangeEvent]) -> None:
        subscriptions = list(Subscription.objects.all())
        if not subscriptions:
            return
        tree = BranchTree.load()
        rows = []
        for subscription in subscriptions:
            covered = tree.covering(subscription.branches) if subscription.branches else None
            status = (
                DeliveryStatus.PENDING
                if subscription.status == SubscriptionStatus.ACTIVE
                else DeliveryStatus.DEAD  # kept for when it is resumed
            )
            rows += [
                Delivery(subscription=subscription, event=event, status=status)
                for event in events
                if event.seq > subscription.starts_after
                and (not subscription.actions or event.action in subscription.actions)
                and (covered is None or not covered.isdisjoint(event.branches))
            ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        due = sorted({row.subscription_id for row in rows if row.status == DeliveryStatus.PENDING})
        if due:  # the catch-up's transaction must commit first: senders read the rows
            transaction.on_commit(
                lambda: deliveries_due.send(sender=type(self), subscription_ids=due)
            )


@dataclass(frozen=True)
class Attempt:
    ok: bool
    error: str = ""


def _refused_host(url: str) -> str | None:
    """Why `url`'s host may not be called, or None."""
    if settings.KMS_WEBHOOK_ALLOW_PRIVATE:
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError) as error:
        return f"cannot resolve {host}: {error}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            return f"{host} resolves to {ip}, an internal address (KMS_WEBHOOK_ALLOW_PRIVATE)"
    return None


def delivery_send(subscription: Subscription, event: ChangeEvent) -> Attempt:
    """POST `event` to `subscription` once; success is a 2xx answer in time."""
    if reason := _refused_host(subscription.url):
        return Attempt(False, reason)
    body = json.dumps(event_payload(event), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-KMS-Event-Id": str(event.seq),
        "X-KMS-Timestamp": timestamp,
        "X-KMS-Signature": signature(subscription.secret, timestamp, body),
    }
    timeout = settings.KMS_WEBHOOK_TIMEOUT
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=(min(timeout, 3.0), timeout),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return Attempt(False, f"{type(error).__name__}: {error}"[:2000])
    if 200 <= response.status_code < 300:
        return Attempt(True)
    return Attempt(False, f"HTTP {response.status_code}: {response.text[:500]}")


def _lease_take(subscription_id: int) -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = Subscription.objects.filter(Q(pk=subscription_id) & free).update(
        lease_until=now + LEASE
    )
    return taken == 1


def _lease_release(subscription_id: int) -> None:
    Subscription.objects.filter(pk=subscription_id).update(lease_until=None)


def _next_pending(subscription_id: int) -> Delivery | None:
    return (
        Delivery.objects.filter(subscription_id=subscription_id, status=DeliveryStatus.PENDING)
        .select_related("event")
        .order_by("event_id")
        .first()
    )


def _failed(subscription: Subscription, delivery: Delivery, error: str) -> bool:
    """Record a failed attempt; True when the subscription had to be paused."""
    delivery.attempts += 1
    delivery.last_error = error
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=backoff(delivery.attempts))
    delivery.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    failures = subscription.failures + 1
    Subscription.objects.filter(pk=subscription.pk).update(failures=failures)
    logger.warning(
        "webhook failed subscription=%s seq=%d attempts=%d error=%s",
        subscription.name,
        delivery.event_id,
        delivery.attempts,
        error,
    )
    if failures < settings.KMS_WEBHOOK_MAX_FAILURES:
        return False
    subscription_paused(subscription.pk, f"{failures} consecutive failures; last: {error}")
    logger.error("webhook paused subscription=%s failures=%d", subscription.name, failures)
    return True


def subscription_deliver(subscription_id: int) -> int:
    """Send the subscription's due deliveries in seq order until one fails, none is due,
    or the run's budget is spent; returns how many were delivered. Does nothing when
    another worker holds the subscription's lease."""
    if not _lease_take(subscription_id):
        return 0
    delivered, more = 0, False
    deadline = time.monotonic() + RUN_BUDGET
    try:
        while True:
            subscription = Subscription.objects.get(pk=subscription_id)
            delivery = _next_pending(subscription_id)
            if subscription.status != SubscriptionStatus.ACTIVE or delivery is None:
                break
            if delivery.next_attempt_at > timezone.now():
                break  # backing off: later ones wait behind it, in order
            if time.monotonic() > deadline:
                more = True
                break
            attempt = delivery_send(subscription, delivery.event)
            if not attempt.ok:
                _failed(subscription, delivery, attempt.error)
                break
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.DELIVERED,
                delivered_at=timezone.now(),
                attempts=delivery.attempts + 1,
                last_error="",
            )
            Subscription.objects.filter(pk=subscription_id).update(failures=0)
            delivered += 1
    finally:
        _lease_release(subscription_id)
    if more:
        deliveries_due.send(sender=subscription_deliver, subscription_ids=[subscription_id])
    return delivered


def subscriptions_due() -> list[int]:
    """Active subscriptions whose first pending delivery is due now."""
    pending = Delivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=timezone.now(),
        subscription__status=SubscriptionStatus.ACTIVE,
    )
    return sorted(set(pending.values_list("subscription_id", flat=True)))
