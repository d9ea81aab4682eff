"""Write and remove the published snapshots readers are served from.

Called from the publish/unpublish signal receivers, inside the transaction that changes
the live state (the admin's request is atomic; imports and scheduled publishing wrap
their own). After HQ's snapshot changes, the staleness of every override of the article
is recomputed in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import timezone

from content import markdown
from content.embeds import WagtailEmbeds
from content.models import (
    Branch,
    BranchOverride,
    KnowledgeArticle,
    PublishedArticle,
    PublishedOverride,
)


def content_hash(data: Any) -> str:
    """A stable digest of JSON-able data; the ETag of what a reader sees."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hq_variables() -> dict[str, str]:
    hq = Branch.objects.filter(parent__isnull=True).only("variables").first()
    return dict(hq.variables) if hq else {}


def article_snapshot_write(article: KnowledgeArticle, revision_id: int) -> PublishedArticle:
    """Snapshot `article` (its live field values) as what readers now see."""
    rendered = markdown.render(article.body, variables=_hq_variables(), embeds=WagtailEmbeds())
    fields: dict[str, Any] = {
        "key": article.key,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "sections": [
            {"slug": s.slug, "heading": s.heading, "markdown": s.markdown}
            for s in markdown.parse_sections(article.body)
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
    snapshot, _ = PublishedArticle.objects.update_or_create(
        article=article,
        defaults={
            **fields,
            "revision_id": revision_id,
            "html": rendered.html,
            "text": rendered.text,
            "published_at": timezone.now(),
        },
    )
    from content.services.overrides import overrides_staleness_refresh

    overrides_staleness_refresh(article)
    return snapshot


def article_snapshot_delete(article: KnowledgeArticle) -> None:
    PublishedArticle.objects.filter(article=article).delete()


def override_operations(override: BranchOverride) -> dict[str, dict[str, str]]:
    return {
        section.slug: {"mode": section.mode, "body": section.body}
        for section in override.sections.all()
    }


def override_snapshot_write(override: BranchOverride, revision_id: int) -> PublishedOverride:
    fields: dict[str, Any] = {
        "article_key": override.article.key,
        "branch_code": override.branch.code,
        "based_on_revision_id": override.based_on_id,
        "visibility": override.visibility,
        "summary": override.summary,
        "sections": override_operations(override),
    }
    fields["content_hash"] = content_hash(fields)
    snapshot, _ = PublishedOverride.objects.update_or_create(
        override=override,
        defaults={**fields, "revision_id": revision_id, "published_at": timezone.now()},
    )
    return snapshot


def override_snapshot_delete(override: BranchOverride) -> None:
    PublishedOverride.objects.filter(override=override).delete()
