"""Write and remove the published snapshots readers are served from.

Called from the publish/unpublish signal receivers, inside the transaction that changes
the live state (see content.services.publishing). Every snapshot change appends its
ChangeEvent in that same transaction, as the last thing it writes; after HQ's snapshot
changes, the staleness of every override of the article is recomputed there too (in
primary-key order, the order every transaction locks overrides in).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import Q
from django.utils import timezone

from content.hashing import content_hash
from content.models import (
    Action,
    BranchOverride,
    KnowledgeArticle,
    PublishedArticle,
    PublishedOverride,
)
from content.selectors import BranchTree
from content.services.changelog import change_append, require_transaction
from content.services.overrides import override_staleness_refresh, overrides_staleness_refresh
from content.services.transactions import content_transaction
from content.text_facts import TextFacts, text_facts

logger = logging.getLogger(__name__)


def today() -> dt.date:
    """The date in the knowledge base's time zone (effective dates are local dates)."""
    return timezone.localdate()


def in_effect(start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def article_snapshot(
    article: KnowledgeArticle, revision_id: int, facts: TextFacts | None = None
) -> PublishedArticle:
    """The (unsaved) snapshot of `article`'s field values: what readers will see.

    `facts` may be passed in when the texts were analysed elsewhere (in parallel).
    """
    facts = facts or text_facts((article.summary, article.body))
    fields: dict[str, Any] = {
        "key": article.key,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "sections": facts.sections,
        "questions": article.questions,
        "category": article.category.path,
        "products": sorted(p.code for p in article.products.all()),
        "tags": sorted({t.name for t in article.tags.all()}),
        "channels": list(article.channels),
        "audience": article.audience,
        "effective_from": article.effective_from,
        "effective_to": article.effective_to,
    }
    fields["content_hash"] = content_hash(fields)
    return PublishedArticle(
        article_id=article.pk,
        revision_id=revision_id,
        variables=facts.variables,
        summary_text=facts.summary_text,
        text=facts.text,
        in_effect=in_effect(article.effective_from, article.effective_to, today()),
        published_at=timezone.now(),
        **fields,
    )


def article_snapshot_write(article: KnowledgeArticle, revision_id: int) -> PublishedArticle:
    """Snapshot `article` (its live field values) as what readers now see, and log it."""
    require_transaction("writing a published snapshot")
    snapshot = article_snapshot(article, revision_id)
    snapshot.pk = (
        PublishedArticle.objects.filter(article_id=article.pk).values_list("pk", flat=True).first()
    )
    snapshot.save()
    overrides_staleness_refresh(article)
    change_append(
        article_key=article.key,
        action=Action.PUBLISHED,
        branches=BranchTree.load().codes,
        revision_id=revision_id,
    )
    return snapshot


def article_snapshot_delete(article: KnowledgeArticle, *, expired: bool = False) -> None:
    """Readers no longer see `article` (unpublished, expired or deleted)."""
    require_transaction("removing a published snapshot")
    deleted, _ = PublishedArticle.objects.filter(article_id=article.pk).delete()
    if deleted:
        overrides_staleness_refresh(article)  # nothing left in HQ to be stale against
        change_append(
            article_key=article.key,
            action=Action.EXPIRED if expired else Action.UNPUBLISHED,
            branches=BranchTree.load().codes,
        )


def override_snapshot(override: BranchOverride, revision_id: int) -> PublishedOverride:
    """The (unsaved) snapshot of one live override."""
    operations = override.operations()
    fields: dict[str, Any] = {
        "article_key": override.article.key,
        "branch_code": override.branch.code,
        "visibility": override.visibility,
        "summary": override.summary,
        "sections": operations,
    }
    fields["content_hash"] = content_hash(fields)  # what readers see; based_on is not that
    texts = [override.summary, *(operation["body"] for operation in operations.values())]
    return PublishedOverride(
        override_id=override.pk,
        revision_id=revision_id,
        based_on_revision_id=override.based_on_id,
        variables=sorted({name for text in texts for name in text_facts(("", text)).variables}),
        published_at=timezone.now(),
        **fields,
    )


def _override_event(override: BranchOverride, action: Action, revision_id: int | None) -> None:
    change_append(
        article_key=override.article.key,
        action=action,
        branches=BranchTree.load().subtree(override.branch.code),
        revision_id=revision_id,
    )


def override_snapshot_write(override: BranchOverride, revision_id: int) -> PublishedOverride:
    require_transaction("writing a published override")
    snapshot = override_snapshot(override, revision_id)
    snapshot.pk = (
        PublishedOverride.objects.filter(override_id=override.pk)
        .values_list("pk", flat=True)
        .first()
    )
    snapshot.save()
    override_staleness_refresh(override)
    _override_event(override, Action.OVERRIDE_PUBLISHED, revision_id)
    return snapshot


def override_snapshot_delete(override: BranchOverride) -> None:
    require_transaction("removing a published override")
    deleted, _ = PublishedOverride.objects.filter(override_id=override.pk).delete()
    if deleted:
        _override_event(override, Action.OVERRIDE_REMOVED, None)


def _within(on: dt.date) -> Q:
    return (Q(effective_from__isnull=True) | Q(effective_from__lte=on)) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def effective_dates_apply(on: dt.date | None = None) -> int:
    """Flip ``in_effect`` where the effective dates say so, logging each flip.

    Runs every few seconds, so it only reads the rows whose flag disagrees with `on`.
    Each flip is its own transaction: one failure does not hold back the others.
    """
    on = on or today()
    within = _within(on)
    due = PublishedArticle.objects.filter(
        (Q(in_effect=True) & ~within) | (Q(in_effect=False) & within)
    ).values_list("pk", flat=True)
    flips = 0
    for pk in list(due):
        try:
            flips += _effective_flip(pk, on)
        except Exception:
            logger.exception("effective-date flip failed snapshot=%s", pk)
    return flips


@content_transaction
def _effective_flip(pk: int, on: dt.date) -> int:
    snapshot = PublishedArticle.objects.select_for_update().filter(pk=pk).first()
    if snapshot is None:
        return 0  # unpublished meanwhile
    now_in_effect = in_effect(snapshot.effective_from, snapshot.effective_to, on)
    if snapshot.in_effect == now_in_effect:
        return 0  # flipped meanwhile
    PublishedArticle.objects.filter(pk=pk).update(in_effect=now_in_effect)
    change_append(
        article_key=snapshot.key,
        action=Action.EFFECTIVE if now_in_effect else Action.EXPIRED,
        branches=BranchTree.load().codes,
        revision_id=snapshot.revision_id,
    )
    return 1
