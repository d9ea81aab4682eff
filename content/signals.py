"""Signal receivers (connected in ContentConfig.ready): keep snapshots in step with Wagtail.

Wagtail's ``page_published`` / ``published`` fire after the live revision is saved; the
receivers write the snapshot in the same transaction (admin requests are atomic, and the
import and scheduled publishing run inside ``transaction.atomic``). ``post_save`` is not
used: ``save_revision()`` fires it with draft values.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, published, unpublished

from content.models import BranchOverride, KnowledgeArticle
from content.services import snapshots
from content.services.overrides import override_staleness_refresh


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
    override_staleness_refresh(instance)


@receiver(unpublished, sender=BranchOverride)
def override_unpublished(sender: type, instance: BranchOverride, **kwargs: Any) -> None:
    snapshots.override_snapshot_delete(instance)
    override_staleness_refresh(instance)
