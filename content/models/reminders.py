"""Review reminders: that an article's owner was told its review date has passed.

Invariant: one reminder per article, review date and person — a reminder is e-mailed
once (``sent_at`` says when; empty until the mail server took it), and again only when an
editor sets a new review date that passes too.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.articles import KnowledgeArticle


class ReviewReminder(models.Model):
    article = models.ForeignKey(
        KnowledgeArticle,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="review_reminders",
    )
    review_due = models.DateField(_("review due"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="review_reminders",
    )
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["article", "review_due", "user"], name="review_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article} {self.review_due} → {self.user}"
