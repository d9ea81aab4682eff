"""Webhooks: a change-log consumer records deliveries; senders POST them, signed, in order.

Invariants (see api.models.webhooks for the delivery states):
* the consumer only writes delivery rows — it never waits on a receiver — so a slow or
  dead receiver holds back neither other consumers nor an editor's publish;
* a subscription's deliveries are sent one at a time in seq order by whoever holds its
  lease; a failure stops that subscription only (the others have leases of their own);
* every POST is signed: ``X-KMS-Signature: sha256=HMAC(secret, "<timestamp>.<body>")`` with
  the timestamp in ``X-KMS-Timestamp``; ``X-KMS-Event-Id`` (the event's seq) is the same on
  every attempt, so a receiver can drop repeats;
* only http(s) URLs are called, without following redirects, with a time limit, at the
  one address that was resolved and checked; unless ``KMS_WEBHOOK_ALLOW_PRIVATE`` is on,
  a host with any address that is not a public internet one is refused (it would let an
  admin reach the internal network, or a cloud's metadata service).
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
from ipaddress import IPv4Address, IPv6Address

import certifi
import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool

from api.dispatch import deliveries_due
from api.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from api.services import subscription_paused
from content.consumers import Consumer
from content.models import BranchTree, ChangeEvent

logger = logging.getLogger(__name__)
IPAddress = IPv4Address | IPv6Address

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


def internal(ip: IPAddress) -> bool:
    """Whether `ip` is not a public internet address — loopback, private, link-local,
    shared (100.64/10, where clouds keep their metadata services), reserved, multicast —
    or an IPv6 address that carries such an IPv4 one (mapped, 6to4, Teredo)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and internal(embedded):
            return True
    return not ip.is_global or ip.is_multicast


def _address(host: str, port: int) -> str:
    """The one address of `host` the delivery will connect to, checked; ValueError says why
    it may not be called. (Connecting to this address, not the name, means a second DNS
    answer cannot send the delivery somewhere else.)"""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise ValueError(f"cannot resolve {host}: {error}") from error
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))
    if not settings.KMS_WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if internal(ipaddress.ip_address(address)):
                raise ValueError(
                    f"{host} resolves to {address}, an internal address (KMS_WEBHOOK_ALLOW_PRIVATE)"
                )
    if not addresses:
        raise ValueError(f"{host} has no address")
    return addresses[0]


def _pool(url: urllib.parse.SplitResult, address: str) -> HTTPConnectionPool:
    timeout = settings.KMS_WEBHOOK_TIMEOUT
    options = {
        "timeout": urllib3.Timeout(connect=min(timeout, 3.0), read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if url.scheme == "https":
        host = url.hostname or ""
        return HTTPSConnectionPool(
            address,
            url.port or 443,
            server_hostname=host,
            assert_hostname=host,
            ca_certs=certifi.where(),
            **options,
        )
    return HTTPConnectionPool(address, url.port or 80, **options)


def delivery_send(subscription: Subscription, event: ChangeEvent) -> Attempt:
    """POST `event` to `subscription` once; success is a 2xx answer in time."""
    url = urllib.parse.urlsplit(subscription.url)
    host = url.hostname or ""
    try:
        address = _address(host, url.port or (443 if url.scheme == "https" else 80))
    except ValueError as error:
        return Attempt(False, str(error))
    body = json.dumps(event_payload(event), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Host": url.netloc.rpartition("@")[2],
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-KMS-Event-Id": str(event.seq),
        "X-KMS-Timestamp": timestamp,
        "X-KMS-Signature": signature(subscription.secret, timestamp, body),
    }
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    pool = _pool(url, address)
    try:
        response = pool.urlopen("POST", target, body=body, headers=headers, redirect=False)
    except urllib3.exceptions.HTTPError as error:
        return Attempt(False, f"{type(error).__name__}: {error}"[:2000])
    finally:
        pool.close()
    if 200 <= response.status < 300:
        return Attempt(True)
    reply = response.data[:200].decode("utf-8", "replace")
    return Attempt(False, f"HTTP {response.status}: {reply}")


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
