"""Review reminders: the owners of live articles past their review date are told, once.

Invariant: a reminder row is made for each article, review date and person to tell before
anyone is told, and marked e-mailed only once the mail server took the e-mail
(:mod:`content.notifications`, after commit): a run the mail server refused is e-mailed
by the next, and a retried or overlapping run tells nobody twice; who is told is the
article's owner, else whoever last saved it, else every active superuser (imported
articles have neither).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from content.models import KnowledgeArticle, ReviewReminder


def _told(article: KnowledgeArticle, fallback: list[Any]) -> list[Any]:
    for person in (article.owner, getattr(article.latest_revision, "user", None)):
        if person is not None and person.is_active:
            return [person]
    return fallback


def review_reminders_create(*, today: dt.date | None = None) -> list[int]:
    """Reminders for every live article whose review date has passed and who has not been
    told about that date yet (a few queries, however many are due); the ids of those made
    now."""
    today = today or timezone.localdate()
    due = (
        KnowledgeArticle.objects.live()
        .filter(review_due__lte=today)
        .select_related("owner", "latest_revision__user")
        .order_by("review_due", "pk")
    )
    superusers = list(get_user_model().objects.filter(is_superuser=True, is_active=True))
    wanted = {
        (article.pk, article.review_due, person.pk)
        for article in due
        for person in _told(article, superusers)
    }
    known = set(
        ReviewReminder.objects.filter(article__in=due).values_list(
            "article_id", "review_due", "user_id"
        )
    )
    new = [
        ReviewReminder(article_id=article, review_due=review_due, user_id=user)
        for article, review_due, user in sorted(wanted - known)
    ]
    with transaction.atomic():
        return [reminder.pk for reminder in ReviewReminder.objects.bulk_create(new)]


def review_reminders_unsent() -> QuerySet[ReviewReminder]:
    """Reminders not e-mailed yet to an active person with an address, of live articles
    still past the same review date (one an editor has re-dated since is not sent)."""
    return ReviewReminder.objects.filter(
        sent_at__isnull=True,
        user__is_active=True,
        article__live=True,
        review_due=F("article__review_due"),
    ).exclude(user__email="")


def review_reminders_of(user: Any, *, most: int) -> tuple[list[ReviewReminder], int]:
    """`user`'s first `most` reminders of live articles still past the same review date
    (a new date set by an editor settles one), and how many there are."""
    pending = ReviewReminder.objects.filter(
        user=user, article__live=True, review_due=F("article__review_due")
    )
    shown = list(pending.select_related("article").order_by("review_due", "article__title")[:most])
    return shown, pending.count() if len(shown) == most else len(shown)
