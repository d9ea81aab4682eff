"""Bulk creation of new branch overrides (see the package docstring for the invariant)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import reset_queries
from django.utils import timezone
from wagtail.models import ModelLogEntry

from content.actors import Actor, require_override
from content.models import (
    Action,
    Branch,
    BranchOverride,
    ChangeEvent,
    KnowledgeArticle,
    OverrideSection,
    PublishedOverride,
)
from content.records import Record
from content.selectors import BranchTree
from content.services.bulk.rows import model_log, revisions_create
from content.services.changelog import changes_append_bulk
from content.services.inserts import insert_rows
from content.services.mapping import is_published, override_sections, override_values
from content.services.snapshots import override_snapshot
from content.services.transactions import content_transaction

CHUNK = 500


def _check(actor: Actor, records: Sequence[Record], branches: dict[str, Branch]) -> None:
    """Editors of every branch written; reviewers of every branch published."""
    publishing: dict[str, bool] = defaultdict(bool)
    for record in records:
        publishing[record["branch"]] |= is_published(record)
    for code, publishes in sorted(publishing.items()):
        require_override(actor, "publish" if publishes else "edit", branches[code])


@content_transaction
def overrides_create(
    records: Sequence[Record],
    *,
    actor: Actor,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create the overrides of `records` (none of which exist yet); returns how many."""
    branches = {branch.code: branch for branch in Branch.objects.all()}
    _check(actor, records, branches)
    tree = BranchTree.load()
    affected = {code: tree.subtree(code) for code in tree.parents}
    override_ct = ContentType.objects.get_for_model(BranchOverride)
    for start in range(0, len(records), CHUNK):
        chunk = records[start : start + CHUNK]
        articles = {
            a.key: a
            for a in KnowledgeArticle.objects.filter(key__in={r["article"] for r in chunk}).only(
                "pk", "key", "live_revision_id"
            )
        }
        _chunk(chunk, actor, articles, branches, affected, override_ct)
        reset_queries()
        if progress:
            progress(min(start + CHUNK, len(records)))
    return len(records)


def _chunk(
    records: Sequence[Record],
    actor: Actor,
    articles: dict[str, KnowledgeArticle],
    branches: dict[str, Branch],
    affected: dict[str, list[str]],
    override_ct: Any,
) -> None:
    now = timezone.now()
    overrides = []
    for record in records:
        publish = is_published(record)
        article = articles[record["article"]]
        overrides.append(
            BranchOverride(
                article=article,
                branch=branches[record["branch"]],
                based_on_id=article.live_revision_id,
                **override_values(record),
                live=publish,
                has_unpublished_changes=not publish,
                first_published_at=now if publish else None,
                last_published_at=now if publish else None,
            )
        )
    BranchOverride.objects.bulk_create(overrides)
    for override, record in zip(overrides, records, strict=True):
        override.sections = override_sections(record)
    OverrideSection.objects.bulk_create(
        OverrideSection(
            override_id=o.pk, slug=s.slug, mode=s.mode, body=s.body, sort_order=s.sort_order
        )
        for o in overrides
        for s in o.sections.all()
    )
    revisions = revisions_create(
        overrides, BranchOverride, override_ct, override_ct, actor.user, now
    )
    insert_rows(
        ModelLogEntry,
        [
            model_log(override, action, revision, actor.user, override_ct, now)
            for override, revision in zip(overrides, revisions, strict=True)
            for action in (
                ["wagtail.edit", "wagtail.publish"] if override.live else ["wagtail.edit"]
            )
        ],
    )
    live = [(o, r) for o, r in zip(overrides, revisions, strict=True) if o.live]
    insert_rows(PublishedOverride, [override_snapshot(o, r.pk) for o, r in live])
    changes_append_bulk(
        [
            ChangeEvent(
                article_key=o.article.key,
                action=Action.OVERRIDE_PUBLISHED,
                branches=affected[o.branch.code],
                revision_id=r.pk,
            )
            for o, r in live
        ]
    )
