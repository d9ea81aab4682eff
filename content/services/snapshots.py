"""Write and remove the published snapshots readers are served from.

Called from the publish/unpublish signal receivers, inside the transaction that changes
the live state (the admin's request is atomic; imports and scheduled publishing wrap
their own). Every snapshot change appends its ChangeEvent in that same transaction, and
after HQ's snapshot changes the staleness of every override of the article is recomputed
there too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from content import markdown
from content.embeds import WagtailEmbeds
from content.hashing import content_hash
from content.models import (
    Action,
    Branch,
    BranchOverride,
    KnowledgeArticle,
    PublishedArticle,
    PublishedOverride,
)
from content.services.changelog import all_branch_codes, branch_and_descendants, change_append


def hq_variables() -> dict[str, str]:
    hq = Branch.objects.filter(parent__isnull=True).only("variables").first()
    return dict(hq.variables) if hq else {}


def today() -> dt.date:
    """The date in the knowledge base's time zone (effective dates are local dates)."""
    return timezone.localdate()


def in_effect(start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def article_snapshot(
    article: KnowledgeArticle,
    revision_id: int,
    hq_variables: dict[str, str],
    rendered: markdown.Rendered | None = None,
) -> PublishedArticle:
    """The (unsaved) snapshot of `article`'s field values: what readers will see.

    `rendered` may be passed in when the body was rendered elsewhere (in parallel).
    """
    if rendered is None or markdown.has_embeds(article.body):
        rendered = markdown.render(article.body, variables=hq_variables, embeds=WagtailEmbeds())
    fields: dict[str, Any] = {
        "key": article.key,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "sections": [
            {"slug": s.slug, "heading": s.heading, "markdown": s.markdown}
            for s in rendered.sections
        ],
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
        html=rendered.html,
        text=rendered.text,
        in_effect=in_effect(article.effective_from, article.effective_to, today()),
        published_at=timezone.now(),
        **fields,
    )


def article_snapshot_write(article: KnowledgeArticle, revision_id: int) -> PublishedArticle:
    """Snapshot `article` (its live field values) as what readers now see, and log it."""
    snapshot = article_snapshot(article, revision_id, hq_variables())
    snapshot.pk = (
        PublishedArticle.objects.filter(article_id=article.pk).values_list("pk", flat=True).first()
    )
    snapshot.save()
    change_append(
        article_key=article.key,
        action=Action.PUBLISHED,
        branches=all_branch_codes(),
        revision_id=revision_id,
    )
    from content.services.overrides import overrides_staleness_refresh

    overrides_staleness_refresh(article)
    return snapshot


def article_snapshot_delete(article: KnowledgeArticle, *, expired: bool = False) -> None:
    """Readers no longer see `article` (unpublished, expired or deleted)."""
    deleted, _ = PublishedArticle.objects.filter(article_id=article.pk).delete()
    if deleted:
        change_append(
            article_key=article.key,
            action=Action.EXPIRED if expired else Action.UNPUBLISHED,
            branches=all_branch_codes(),
        )


def override_snapshot(override: BranchOverride, revision_id: int) -> PublishedOverride:
    """The (unsaved) snapshot of one live override."""
    fields: dict[str, Any] = {
        "article_key": override.article.key,
        "branch_code": override.branch.code,
        "visibility": override.visibility,
        "summary": override.summary,
        "sections": override.operations(),
    }
    fields["content_hash"] = content_hash(fields)  # what readers see; based_on is not that
    return PublishedOverride(
        override_id=override.pk,
        revision_id=revision_id,
        based_on_revision_id=override.based_on_id,
        published_at=timezone.now(),
        **fields,
    )


def override_snapshot_write(override: BranchOverride, revision_id: int) -> PublishedOverride:
    snapshot = override_snapshot(override, revision_id)
    snapshot.pk = (
        PublishedOverride.objects.filter(override_id=override.pk)
        .values_list("pk", flat=True)
        .first()
    )
    snapshot.save()
    change_append(
        article_key=override.article.key,
        action=Action.OVERRIDE_PUBLISHED,
        branches=branch_and_descendants(override.branch),
        revision_id=revision_id,
    )
    return snapshot


def override_snapshot_delete(override: BranchOverride) -> None:
    deleted, _ = PublishedOverride.objects.filter(override_id=override.pk).delete()
    if deleted:
        change_append(
            article_key=override.article.key,
            action=Action.OVERRIDE_REMOVED,
            branches=branch_and_descendants(override.branch),
        )


def effective_dates_apply(on: dt.date | None = None) -> int:
    """Flip ``in_effect`` where the effective dates say so, logging each flip.

    Runs every few seconds, so it only reads the rows whose flag disagrees with `on`.
    """
    on = on or today()
    within = (Q(effective_from__isnull=True) | Q(effective_from__lte=on)) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )
    flips = 0
    with transaction.atomic():
        due = PublishedArticle.objects.select_for_update().filter(
            (Q(in_effect=True) & ~within) | (Q(in_effect=False) & within)
        )
        for snapshot in due.only("key", "effective_from", "effective_to", "revision_id"):
            now_in_effect = in_effect(snapshot.effective_from, snapshot.effective_to, on)
            PublishedArticle.objects.filter(pk=snapshot.pk).update(in_effect=now_in_effect)
            change_append(
                article_key=snapshot.key,
                action=Action.EFFECTIVE if now_in_effect else Action.EXPIRED,
                branches=all_branch_codes(),
                revision_id=snapshot.revision_id,
            )
            flips += 1
    return flips
