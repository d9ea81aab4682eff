"""Webhook subscriptions and their deliveries, one row per (subscription, event).

Invariants:
* a subscription receives the events after its ``starts_after`` (the head of the log when
  it was made) of its actions (every action when empty) that
  affect one of its branches or their descendants (every branch when empty), each once
  delivered, in ``seq`` order: a delivery waits until every earlier one of its
  subscription was delivered;
* nothing is lost while a receiver is down: a failed delivery stays pending with its next
  attempt later (exponential backoff with jitter); after too many consecutive failures the
  subscription is paused and every undelivered event becomes a dead letter, kept until an
  operator resumes the subscription or re-sends them. Events that arrive meanwhile are
  kept as dead letters too;
* a subscription is sent by one worker at a time: it holds the subscription's lease
  (``lease_until``) while it sends, and a worker that finds the lease held moves on.
"""

from __future__ import annotations

import urllib.parse
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models.records import Created
from content.fields import ChoiceListField, NameSetField
from content.models import Action, ChangeEvent

URL_MAX_LENGTH = 500


def without_credentials(url: str) -> None:
    """A receiver proves who sends by the signature, not by a password in the URL — which
    every listing of subscriptions would show."""
    if "@" in urllib.parse.urlsplit(url).netloc:
        raise ValidationError(_("No user name or password in the URL: check the signature."))


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


class Subscription(Created):
    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(
        _("URL"),
        max_length=URL_MAX_LENGTH,
        validators=[URLValidator(schemes=["http", "https"]), without_credentials],
        help_text=_("Where events are POSTed: an http or https URL."),
    )
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    actions = ChoiceListField(
        _("actions"),
        choices=Action.choices,
        default=list,
        blank=True,
        max_length=300,
        help_text=_("Empty: every action."),
    )
    branches = NameSetField(_("branches"), help_text=_("Branch codes; empty: every branch."))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.ACTIVE,
        editable=False,
    )
    paused_reason = models.TextField(_("why paused"), blank=True, editable=False)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0, editable=False)
    # The change-log head when it was made: it receives the events after that.
    starts_after = models.BigIntegerField(_("from change"), default=0, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        ChangeEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering: ClassVar[list[str]] = ["event_id"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["subscription", "event"], name="one_delivery_per_event")
        ]
        indexes: ClassVar[list] = [models.Index(fields=["subscription", "status", "event"])]

    def __str__(self) -> str:
        return f"{self.subscription} #{self.event_id} {self.status}"
