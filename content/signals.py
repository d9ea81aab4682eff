"""Signal receivers (connected in ContentConfig.ready): keep snapshots in step with Wagtail,
and hand after-commit announcements to tasks.

Wagtail's ``page_published`` / ``published`` fire after the live revision is saved; the
receivers write the snapshot and its change event in the same transaction — and refuse
to run outside one (content.services.changelog.require_transaction). Since Wagtail has
saved the page by then, a ``pre_save`` guard refuses the save itself first, so a publish
can never commit without its snapshot. ``post_save`` is not used: ``save_revision()`` fires
it with draft values.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from kombu.exceptions import OperationalError as BrokerError
from wagtail.signals import page_published, page_unpublished, published, unpublished

from content import tasks
from content.dispatch import changes_committed, overrides_turned_stale
from content.models import Branch, BranchOverride, KnowledgeArticle
from content.models.publishing import publishing
from content.selectors import branch_tree_changed
from content.services import snapshots
from content.services.changelog import TransactionRequired, in_batch
from content.services.overrides import override_staleness_refresh

logger = logging.getLogger(__name__)


@receiver(pre_save, sender=KnowledgeArticle)
@receiver(pre_save, sender=BranchOverride)
def live_state_saved_in_a_transaction(sender: type, instance: Any, **kwargs: Any) -> None:
    """Refuse, before anything of it is written, a save that changes what readers see
    (``live`` or the live revision) outside a content transaction or a publishing block:
    its snapshot, written by the receivers below once Wagtail sends ``published``, could
    not commit with it. (Wagtail's ``Page.save`` is atomic by itself, so "inside some
    transaction" would not tell.)"""
    if instance.pk is None or in_batch() or publishing():
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("live", "live_revision_id").first()
    if stored is not None and stored != (instance.live, instance.live_revision_id):
        raise TransactionRequired(
            f"changing the live state of {sender.__name__} {instance.pk} must run in a "
            "content transaction (content.services.publishing, or the model's publish())"
        )


@receiver(page_published, sender=KnowledgeArticle)
def article_published(
    sender: type, instance: KnowledgeArticle, revision: Any, **kwargs: Any
) -> None:
    if instance.live:  # Wagtail also sends this when it only *schedules* a first publish
        snapshots.article_snapshot_write(instance, revision.pk)


@receiver(page_unpublished, sender=KnowledgeArticle)
def article_unpublished(sender: type, instance: KnowledgeArticle, **kwargs: Any) -> None:
    snapshots.article_snapshot_delete(instance, expired=instance.expired)


@receiver(pre_delete, sender=KnowledgeArticle)
def article_deleted(sender: type, instance: KnowledgeArticle, **kwargs: Any) -> None:
    snapshots.article_snapshot_delete(instance)


@receiver(pre_delete, sender=BranchOverride)
def override_deleted(sender: type, instance: BranchOverride, **kwargs: Any) -> None:
    snapshots.override_snapshot_delete(instance)


@receiver(published, sender=BranchOverride)
def override_published(
    sender: type, instance: BranchOverride, revision: Any, **kwargs: Any
) -> None:
    if instance.live:  # as for pages: scheduling sends the signal too
        snapshots.override_snapshot_write(instance, revision.pk)
    else:
        override_staleness_refresh(instance)


@receiver(unpublished, sender=BranchOverride)
def override_unpublished(sender: type, instance: BranchOverride, **kwargs: Any) -> None:
    override_staleness_refresh(instance)
    snapshots.override_snapshot_delete(instance)


def _enqueue(task: Any, *args: Any) -> None:
    try:
        task.delay(*args)
    except BrokerError as error:  # the periodic sweep delivers what this nudge would have
        logger.warning("task not queued task=%s error=%r; the sweep will deliver", task.name, error)


@receiver(changes_committed)
def consumers_nudge(sender: type, **kwargs: Any) -> None:
    """Ask every consumer to catch up; a lost nudge is caught by the periodic sweep."""
    _enqueue(tasks.consumers_run_all, tasks.NUDGE_MOST)


@receiver(overrides_turned_stale)
def stale_overrides_notify(sender: type, override_ids: list[int], **kwargs: Any) -> None:
    _enqueue(tasks.overrides_stale_notify, override_ids)


@receiver(post_save, sender=Branch)
@receiver(post_delete, sender=Branch)
def branch_tree_stale(sender: type, instance: Branch, **kwargs: Any) -> None:
    """Every process reads the branch tree again once this change commits."""
    branch_tree_changed()
