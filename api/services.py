"""Writes of the API app: keys, feedback, webhook subscriptions.

Invariants:
* every service that an operator or editor calls checks the actor once, before writing
  (Django model permissions: ``api.add_apikey``, ``api.change_subscription``…); the shell
  commands act as an explicit system context;
* a key's secret exists only in the :class:`IssuedKey` returned at creation: it is shown
  once and never stored;
* a subscription is resumed or re-sent only from its undelivered events, in seq order, so
  a receiver never gets an event twice unless asked to (``resend`` of a delivered one).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from api.auth import key_digest, key_generate
from api.models import (
    ApiKey,
    Delivery,
    DeliveryStatus,
    Feedback,
    QueryDay,
    QueryLog,
    ResultEvent,
    Subscription,
    SubscriptionStatus,
    masked,
)
from api.models.keys import Scope
from content.actors import Actor, require_model
from content.models import Action, Branch, ChangeEvent, Channel


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # the key itself: shown once, never stored


def _known_branches(codes: Iterable[str], field: str) -> list[str]:
    codes = sorted({code.strip() for code in codes if code.strip()})
    known = set(Branch.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError({field: f"no branch {', '.join(unknown)}"})
    return codes


def _choices(values: Iterable[str], choices: Iterable[str], field: str) -> list[str]:
    values = [value.strip() for value in values if value.strip()]
    allowed = list(choices)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValidationError(
            {field: f"unknown {', '.join(unknown)} (choose from {', '.join(allowed)})"}
        )
    return values


def _scopes(values: Iterable[str]) -> list[str]:
    scopes = _choices(values, Scope.values, "scopes")
    if not scopes:
        raise ValidationError({"scopes": "at least one of " + ", ".join(Scope.values)})
    return scopes


def apikey_create(
    *,
    actor: Actor,
    name: str,
    scopes: Iterable[str],
    branches: Iterable[str] = (),
    channels: Iterable[str] = (),
    internal: bool = False,
    rate_per_minute: int | None = None,
) -> IssuedKey:
    """A new key; its secret is in the result only."""
    require_model(actor, "api.add_apikey")
    scopes = _scopes(scopes)
    secret, prefix = key_generate()
    key = ApiKey(
        name=name.strip(),
        prefix=prefix,
        digest=key_digest(secret),
        scopes=scopes,
        branches=_known_branches(branches, "branches"),
        channels=_choices(channels, Channel.values, "channels"),
        internal=internal,
        rate_per_minute=rate_per_minute,
        created_by=actor.user,
    )
    key.full_clean()
    key.save()
    return IssuedKey(key, secret)


def apikey_update(
    key: ApiKey,
    *,
    actor: Actor,
    name: str,
    scopes: Iterable[str],
    branches: Iterable[str] = (),
    channels: Iterable[str] = (),
    internal: bool = False,
    rate_per_minute: int | None = None,
    revoked: bool = False,
) -> ApiKey:
    """Change what `key` may do (never the key itself); `revoked` refuses it from now on."""
    require_model(actor, "api.change_apikey")
    key.name = name.strip()
    key.scopes = _scopes(scopes)
    key.branches = _known_branches(branches, "branches")
    key.channels = _choices(channels, Channel.values, "channels")
    key.internal = internal
    key.rate_per_minute = rate_per_minute
    if revoked and key.revoked_at is None:
        key.revoked_at = timezone.now()
    elif not revoked:
        key.revoked_at = None
    key.full_clean()
    key.save()
    return key


def apikey_revoke(*, actor: Actor, name: str) -> ApiKey:
    """Refuse `name`'s key from now on (it stays listed, with when it was last used)."""
    require_model(actor, "api.change_apikey")
    key = ApiKey.objects.filter(name=name).first()
    if key is None:
        raise ValidationError({"name": f"no API key named {name!r}"})
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def apikey_rotate(*, actor: Actor, name: str) -> IssuedKey:
    """A new secret for `name`'s key, everything it may read unchanged; the old secret is
    refused from now on (within ``KMS_API_MEMO_SECONDS`` in other processes)."""
    require_model(actor, "api.change_apikey")
    key = ApiKey.objects.filter(name=name).first()
    if key is None:
        raise ValidationError({"name": f"no API key named {name!r}"})
    secret, key.prefix = key_generate()
    key.digest = key_digest(secret)
    key.save(update_fields=["prefix", "digest"])
    return IssuedKey(key, secret)


def feedback_record(
    *,
    key: ApiKey,
    article_key: str,
    helpful: bool,
    branch: str,
    channel: str | None,
    query: str = "",
    comment: str = "",
    query_id: uuid.UUID | None = None,
) -> tuple[Feedback, bool]:
    """Store a reader's verdict (its query and comment masked like the query log); the caller
    checked the article is theirs to read. A verdict on a result of a logged query
    (`query_id`) replaces the one given before on the same result: a reader counts once.
    The verdict stored, and whether it is new (not a replacement)."""
    verdict = {
        "helpful": helpful,
        "query": masked(query),
        "branch_code": branch,
        "channel": channel or "",
        "comment": masked(comment),
        "api_key": key,
    }
    if query_id is None:
        return Feedback.objects.create(article_key=article_key, **verdict), True
    return Feedback.objects.update_or_create(
        query_id=query_id,
        article_key=article_key,
        defaults={**verdict, "created_at": timezone.now()},  # counted on the day it changed
    )


def result_event_record(
    *,
    key: ApiKey,
    article_key: str,
    action: str,
    branch: str,
    channel: str | None,
    query_id: uuid.UUID,
) -> tuple[ResultEvent, bool]:
    """Store that a reader opened or copied a result, once per result and action of a
    logged query; the caller checked they may read it. The event, and whether it is new."""
    return ResultEvent.objects.get_or_create(
        query_id=query_id,
        article_key=article_key,
        action=action,
        defaults={"branch_code": branch, "channel": channel or "", "key_name": key.name},
    )


PRUNE_BATCH = 10_000


def query_log_prune(*, now: dt.datetime | None = None) -> int:
    """Delete logged queries, their daily rollup and result events older than
    ``KMS_ANALYTICS_RETENTION_DAYS``, a batch at a time (a short write each: readers and
    editors are not held up); how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.KMS_ANALYTICS_RETENTION_DAYS)
    pruned = 0
    for model in (QueryLog, ResultEvent):
        while True:
            old = list(
                model.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                    :PRUNE_BATCH
                ]
            )
            if not old:
                break
            pruned += model.objects.filter(pk__in=old).delete()[0]
    # the rollup holds the same queries: it goes with them
    pruned += QueryDay.objects.filter(day__lt=timezone.localdate(cutoff)).delete()[0]
    return pruned


# --- webhook subscriptions ----------------------------------------------------------------


def _subscription(name: str) -> Subscription:
    subscription = Subscription.objects.filter(name=name).first()
    if subscription is None:
        raise ValidationError({"name": f"no webhook subscription named {name!r}"})
    return subscription


def subscription_add(
    *,
    actor: Actor,
    name: str,
    url: str,
    actions: Iterable[str] = (),
    branches: Iterable[str] = (),
    secret: str = "",
) -> Subscription:
    """Subscribe `url` to the events from now on (earlier ones: ``subscription_resend``)."""
    require_model(actor, "api.add_subscription")
    subscription = Subscription(
        name=name.strip(),
        url=url.strip(),
        secret=secret or secrets.token_hex(32),
        actions=_choices(actions, Action.values, "actions"),
        branches=_known_branches(branches, "branches"),
        created_by=actor.user,
        starts_after=ChangeEvent.objects.aggregate(head=Max("seq"))["head"] or 0,
    )
    subscription.full_clean()
    subscription.save()
    return subscription


def subscription_update(
    subscription: Subscription,
    *,
    actor: Actor,
    name: str,
    url: str,
    actions: Iterable[str] = (),
    branches: Iterable[str] = (),
) -> Subscription:
    """Change where and what `subscription` receives (from the next event on)."""
    require_model(actor, "api.change_subscription")
    subscription.name = name.strip()
    subscription.url = url.strip()
    subscription.actions = _choices(actions, Action.values, "actions")
    subscription.branches = _known_branches(branches, "branches")
    subscription.full_clean()
    subscription.save()
    return subscription


def subscription_pause(
    *, actor: Actor, name: str, reason: str = "paused by an operator"
) -> Subscription:
    """Stop sending; what arrives meanwhile is kept (as dead letters) for ``resume``."""
    require_model(actor, "api.change_subscription")
    subscription = _subscription(name)
    subscription_paused(subscription.pk, reason)
    subscription.refresh_from_db()
    return subscription


@transaction.atomic
def subscription_paused(subscription_id: int, reason: str) -> None:
    """Pause (system side, e.g. after too many failures): undelivered events become dead
    letters, kept until the subscription is resumed or they are re-sent."""
    Subscription.objects.filter(pk=subscription_id).update(
        status=SubscriptionStatus.PAUSED, paused_reason=reason[:2000]
    )
    Delivery.objects.filter(subscription_id=subscription_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.DEAD
    )


@transaction.atomic
def subscription_resume(*, actor: Actor, name: str) -> int:
    """Send again, starting with the dead letters in seq order; returns how many."""
    require_model(actor, "api.change_subscription")
    subscription = _subscription(name)
    Subscription.objects.filter(pk=subscription.pk).update(
        status=SubscriptionStatus.ACTIVE, paused_reason="", failures=0
    )
    return Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.DEAD).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )


def subscription_resend(*, actor: Actor, name: str, seqs: Iterable[int] = ()) -> int:
    """Send `seqs` again (delivered or dead), or every dead letter when none are named."""
    require_model(actor, "api.change_subscription")
    subscription = _subscription(name)
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise ValidationError(
            {"name": f"{name} is paused: resume it (which re-sends its dead letters) first"}
        )
    deliveries = Delivery.objects.filter(subscription=subscription)
    seqs = list(seqs)
    if seqs:
        deliveries = deliveries.filter(event_id__in=seqs)
        missing = sorted(set(seqs) - set(deliveries.values_list("event_id", flat=True)))
        if missing:
            raise ValidationError({"seq": f"{name} was never sent events {missing}"})
    else:
        deliveries = deliveries.filter(status=DeliveryStatus.DEAD)
    return deliveries.update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )


def subscription_remove(*, actor: Actor, name: str) -> None:
    require_model(actor, "api.delete_subscription")
    _subscription(name).delete()
