"""Apply and roll back releases, each as one transaction and one group of events."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from content.models import Release, ReleaseStatus
from content.services.changelog import release_context

logger = logging.getLogger(__name__)


def _publish(revision: Any, user: Any) -> None:
    revision.publish(user=user, log_action=True, skip_permission_checks=True)


@transaction.atomic
def release_apply(release: Release, *, user: Any = None) -> Release:
    """Publish every item's pinned revision, all or nothing."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status not in (ReleaseStatus.DRAFT, ReleaseStatus.SCHEDULED):
        raise ValidationError(f"release {release} is already {release.get_status_display()}")
    items = list(release.items.select_related("article", "override", "revision"))
    if not items:
        raise ValidationError(f"release {release} has no items")
    with release_context(release.pk):
        for item in items:
            target = item.target
            if item.revision_id is None:
                raise ValidationError(f"{target}: no revision to publish")
            item.previous_revision_id = target.live_revision_id if target.live else None
            item.save(update_fields=["previous_revision"])
            _publish(item.revision, user)
    release.status = ReleaseStatus.APPLIED
    release.applied_at = timezone.now()
    release.save(update_fields=["status", "applied_at"])
    logger.info("release applied release=%s items=%d", release.pk, len(items))
    return release


@transaction.atomic
def release_rollback(release: Release, *, user: Any = None) -> Release:
    """Restore what was live before the release (unpublishing what was not live)."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.APPLIED:
        raise ValidationError(f"release {release} is not applied")
    with release_context(release.pk):
        for item in release.items.select_related("previous_revision"):
            target = type(item.target).objects.get(pk=item.target.pk)
            if item.previous_revision is not None:
                _publish(item.previous_revision, user)
            elif target.live:
                target.unpublish(user=user, log_action=True)
    release.status = ReleaseStatus.ROLLED_BACK
    release.save(update_fields=["status"])
    logger.info("release rolled back release=%s", release.pk)
    return release


def releases_due_apply() -> int:
    """Apply every scheduled release whose time has come; each is its own transaction."""
    due = Release.objects.filter(
        status=ReleaseStatus.SCHEDULED, scheduled_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    applied = 0
    for pk in list(due):
        try:
            release_apply(Release.objects.get(pk=pk))
            applied += 1
        except ValidationError as error:
            logger.error("scheduled release failed release=%s error=%s", pk, error)
    return applied


@transaction.atomic
def release_schedule(release: Release) -> Release:
    if release.scheduled_at is None:
        raise ValidationError("set a go-live time first")
    Release.objects.filter(pk=release.pk, status=ReleaseStatus.DRAFT).update(
        status=ReleaseStatus.SCHEDULED
    )
    release.refresh_from_db()
    return release
