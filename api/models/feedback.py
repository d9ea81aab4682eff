"""What readers said of an article: kept for the knowledge team's analytics."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models import Channel

QUERY_MAX_LENGTH = 500
COMMENT_MAX_LENGTH = 2_000


class Feedback(models.Model):
    article_key = models.CharField(_("article key"), max_length=32, db_index=True)
    helpful = models.BooleanField(_("helpful"))
    query = models.CharField(_("query"), max_length=QUERY_MAX_LENGTH, blank=True)
    # the logged query (api.models.analytics.QueryLog) whose result this is about, if known
    query_id = models.UUIDField(_("query id"), null=True, blank=True, db_index=True)
    branch_code = models.CharField(_("branch"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    api_key = models.ForeignKey(
        "api.ApiKey",
        verbose_name=_("API key"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # one verdict per result of a logged query (api.services.feedback_record)
            models.UniqueConstraint(
                fields=["query_id", "article_key"],
                condition=models.Q(query_id__isnull=False),
                name="feedback_one_per_query_result",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_key} {'+' if self.helpful else '-'}"
