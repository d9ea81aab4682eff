"""API keys: who a client is and what it may read.

Invariants:
* the key itself is never stored: only its SHA-256 digest, and a short public prefix to
  find the row by (compared again in constant time);
* an empty ``branches`` reads every branch; otherwise each listed branch covers its
  descendants. Branches are kept by code, so deleting a branch never widens a key (a key
  left naming only unknown branches reads nothing);
* an empty ``channels`` reads every channel; ``internal`` alone grants internal articles;
* a revoked key is refused from the moment ``revoked_at`` is set.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from api.models.records import Created
from content.fields import ChoiceListField, NameSetField
from content.models import Audience, Channel

NAME_MAX_LENGTH = 100


class Scope(models.TextChoices):
    READ = "read", _("Read articles, branches, categories and products")
    SEARCH = "search", _("Search, suggest and answer")
    CHANGES = "changes", _("Follow the change feed")
    FEEDBACK = "feedback", _("Send feedback on articles")


class ApiKey(Created):
    name = models.CharField(
        _("name"),
        max_length=NAME_MAX_LENGTH,
        unique=True,
        help_text=_("Who uses the key, e.g. gd-counter-app or wechat-bot."),
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = ChoiceListField(_("scopes"), choices=Scope.choices, default=list)
    branches = NameSetField(_("branches"), help_text=_("Branch codes; empty: every branch."))
    channels = ChoiceListField(_("channels"), choices=Channel.choices, default=list, blank=True)
    internal = models.BooleanField(
        _("internal articles"),
        default=False,
        help_text=_("Also read articles for internal staff. Never for a customer-facing bot."),
    )
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Empty: the site's default."),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audiences(self) -> tuple[str, ...]:
        return (Audience.PUBLIC, Audience.INTERNAL) if self.internal else (Audience.PUBLIC,)

    @property
    def active(self) -> bool:
        return self.revoked_at is None
