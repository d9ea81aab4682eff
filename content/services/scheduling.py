"""Scheduled go-live and expiry of articles and overrides (Wagtail's ``go_live_at`` /
``expire_at``), applied by the scheduler.

Invariant: every due object is published or unpublished through content.services.publishing
in a transaction of its own, as the named system context ``scheduler``; one that fails is
logged and left for the next run, and never holds back or rolls back the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import Revision

from content.actors import Actor
from content.models import BranchOverride, KnowledgeArticle
from content.services.publishing import publish, unpublish

logger = logging.getLogger(__name__)

SCHEDULER = Actor.system_context("scheduler")
MODELS = (KnowledgeArticle, BranchOverride)


@dataclass(frozen=True)
class Due:
    expired: list[KnowledgeArticle | BranchOverride]
    going_live: list[Revision]


def due(now: dt.datetime | None = None) -> Due:
    """What the scheduler would do now."""
    now = now or timezone.now()
    expired = [
        obj
        for model in MODELS
        for obj in model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at")
    ]
    types = ContentType.objects.get_for_models(*MODELS).values()
    going_live = list(
        Revision.objects.filter(approved_go_live_at__lt=now, content_type__in=types).order_by(
            "approved_go_live_at"
        )
    )
    return Due(expired, going_live)


def scheduled_publishing_apply(now: dt.datetime | None = None) -> tuple[int, int]:
    """Expire what has expired and publish what is due; returns (expired, published)."""
    work = due(now)
    expired = published = 0
    for obj in work.expired:
        try:
            unpublish(obj, actor=SCHEDULER, expired=True, log_action="wagtail.unpublish.scheduled")
            expired += 1
        except Exception:
            logger.exception("scheduled expiry failed object=%s", obj)
    for revision in work.going_live:
        try:
            publish(revision, actor=SCHEDULER, log_action="wagtail.publish.scheduled")
            published += 1
        except Exception:
            logger.exception("scheduled go-live failed revision=%s", revision.pk)
    return expired, published
