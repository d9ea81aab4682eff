"""Apply and roll back releases, each as one content transaction and one group of events.

Invariants:
* the acting user must be allowed to publish (and, for a rollback, unpublish) every item —
  HQ articles by page permissions, overrides as reviewer of their own branch — or nothing
  happens; a scheduled release goes live as the user who scheduled it, checked again;
* an item publishes a revision *of its own target* only (an item pointed at another
  object is re-pinned, and a mismatch is refused);
* every item is locked before anything is published, articles before overrides and each
  in primary-key order (the order every content transaction locks in), so a release never
  deadlocks with an editor publishing one of its items.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from content.actors import Actor, require_model
from content.models import BranchOverride, KnowledgeArticle, Release, ReleaseItem, ReleaseStatus
from content.services.changelog import release_context
from content.services.publishing import (
    Publishable,
    publish_checked,
    require_publish,
    unpublish_checked,
)
from content.services.transactions import content_transaction

logger = logging.getLogger(__name__)


def _locked_items(release: Release) -> list[tuple[ReleaseItem, Publishable]]:
    items = list(release.items.select_related("revision", "previous_revision"))
    articles = {
        a.pk: a
        for a in KnowledgeArticle.objects.select_for_update()
        .filter(pk__in=[i.article_id for i in items if i.article_id])
        .order_by("pk")
    }
    overrides = {
        o.pk: o
        for o in BranchOverride.objects.select_for_update()
        .filter(pk__in=[i.override_id for i in items if i.override_id])
        .order_by("pk")
        .select_related("branch")
    }
    return [
        (item, articles[item.article_id] if item.article_id else overrides[item.override_id])
        for item in items
    ]


@content_transaction
def release_apply(release: Release, *, actor: Actor) -> Release:
    """Publish every item's pinned revision, all or nothing."""
    require_model(actor, "content.change_release")
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status not in (ReleaseStatus.DRAFT, ReleaseStatus.SCHEDULED):
        raise ValidationError(f"release {release} is already {release.get_status_display()}")
    items = _locked_items(release)
    if not items:
        raise ValidationError(f"release {release} has no items")
    for item, target in items:
        if not item.revision_is_of_target():
            raise ValidationError(f"{target}: no revision of it to publish; add the item again")
        require_publish(actor, target)
    with release_context(release.pk):
        for item, target in items:
            item.previous_revision_id = target.live_revision_id if target.live else None
            item.save(update_fields=["previous_revision"])
            publish_checked(item.revision, actor=actor)
    release.status = ReleaseStatus.APPLIED
    release.applied_at = timezone.now()
    release.save(update_fields=["status", "applied_at"])
    logger.info("release applied release=%s items=%d", release.pk, len(items))
    return release


@content_transaction
def release_rollback(release: Release, *, actor: Actor) -> Release:
    """Restore what was live before the release (unpublishing what was not live)."""
    require_model(actor, "content.change_release")
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.APPLIED:
        raise ValidationError(f"release {release} is not applied")
    items = _locked_items(release)
    for item, target in items:
        restoring = item.previous_revision_id is not None or not target.live
        require_publish(actor, target, action="publish" if restoring else "unpublish")
    with release_context(release.pk):
        for item, target in items:
            if item.previous_revision is not None:
                publish_checked(item.previous_revision, actor=actor)
            elif target.live:
                unpublish_checked(target, actor=actor)
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
    for release in Release.objects.filter(pk__in=list(due)).select_related("scheduled_by"):
        pk = release.pk
        try:
            release_apply(release, actor=_scheduling_actor(release))
            applied += 1
        except (ValidationError, PermissionDenied) as error:
            # It will not work at the next tick either: back to its editors, with why.
            reason = " ".join(getattr(error, "messages", [str(error)]))
            Release.objects.filter(pk=pk, status=ReleaseStatus.SCHEDULED).update(
                status=ReleaseStatus.DRAFT, unscheduled_because=reason[:2000]
            )
            logger.error("scheduled release unscheduled release=%s error=%s", pk, reason)
        except Exception:
            logger.exception("scheduled release failed release=%s", pk)
    return applied


def _scheduling_actor(release: Release) -> Actor:
    """Who a scheduled release goes live as: whoever scheduled it (checked again, item by
    item, at go-live), or the scheduler for a release scheduled by a system context."""
    if release.scheduled_by is None:
        return Actor.system_context("scheduler")
    return Actor.editor(release.scheduled_by)


@content_transaction
def release_schedule(release: Release, *, actor: Actor) -> Release:
    """Let the scheduler apply `release` at its time, as the user who schedules it: they
    must be allowed to publish every item now, and are checked again at go-live (a
    release that fails that check goes back to draft, saying why)."""
    require_model(actor, "content.change_release")
    if release.scheduled_at is None:
        raise ValidationError("set a go-live time first")
    for _item, target in _locked_items(release):
        require_publish(actor, target)
    Release.objects.filter(pk=release.pk, status=ReleaseStatus.DRAFT).update(
        status=ReleaseStatus.SCHEDULED, scheduled_by=actor.user, unscheduled_because=""
    )
    release.refresh_from_db()
    return release
