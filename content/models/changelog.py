"""The change log: every reader-visible change, in commit order. The spine of KMS.

Invariants:
* an event is appended in the same transaction as the snapshot change it describes, so
  a rolled-back publish leaves no event and a committed one always has its event;
* ``seq`` increases in commit order: appends serialise on the one ``ChangeLogHead`` row
  (held until commit), so a consumer that has read up to N never later finds an event
  below N appear;
* consumers own a ``ConsumerCursor`` each and advance it only after their work succeeded;
* an event names one article (``article_key``) and the branches whose readers it affects;
  only the branch-wide actions (a branch added or removed) have an empty key.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    EXPIRED = "expired", _("Expired")
    EFFECTIVE = "effective", _("Came into effect")
    OVERRIDE_PUBLISHED = "override_published", _("Branch override published")
    OVERRIDE_REMOVED = "override_removed", _("Branch override removed")
    # A branch's variables or its place in the tree changed what its readers see.
    BRANCH_CHANGED = "branch_changed", _("Branch changed")
    # Branch-wide events carry no article key: they concern every article in `branches`.
    BRANCH_ADDED = "branch_added", _("Branch added")
    BRANCH_REMOVED = "branch_removed", _("Branch removed")


class ChangeLogHead(models.Model):
    """The single row every append locks, which orders appends by commit."""

    class Meta:
        verbose_name = _("change log head")

    def __str__(self) -> str:
        return "change log head"


class ChangeEvent(models.Model):
    seq = models.BigAutoField(primary_key=True)
    article_key = models.CharField(_("article key"), max_length=32, blank=True, db_index=True)
    branches = models.JSONField(_("affected branches"), default=list)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    revision_id = models.PositiveBigIntegerField(_("revision"), null=True, blank=True)
    release = models.ForeignKey(
        "content.Release",
        verbose_name=_("release"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering: ClassVar[list[str]] = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.article_key}"


class ConsumerCursor(models.Model):
    """How far one consumer has processed the log."""

    name = models.CharField(max_length=64, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("consumer cursor")

    def __str__(self) -> str:
        return f"{self.name}@{self.position}"
