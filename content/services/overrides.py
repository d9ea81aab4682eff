"""Override writes: import upserts, rebase, and staleness bookkeeping.

Invariants:
* every write checks the acting user first (content.actors): branch editors save drafts,
  the branch's reviewers publish;
* an override's ``based_on`` is HQ's live revision when the override is created or rebased
  and never moves otherwise;
* after any HQ publish, every override of that article carries an up-to-date staleness
  verdict, and the branch's editors are told (after commit) when one turns stale.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.models import Revision

from content.actors import Actor, require_override
from content.dispatch import overrides_turned_stale
from content.models import (
    Branch,
    BranchOverride,
    KnowledgeArticle,
    PublishedOverride,
)
from content.records import Record, override_record
from content.resolution import Staleness, staleness
from content.services.mapping import is_published, override_sections, override_values
from content.services.outcome import Outcome
from content.services.publishing import publish_checked
from content.services.transactions import content_transaction
from content.vocabulary import RecordStatus


def _apply_fields(override: BranchOverride, record: Record) -> None:
    for name, value in override_values(record).items():
        setattr(override, name, value)
    override.sections = override_sections(record)


def _save_version(override: BranchOverride, *, actor: Actor, publish: bool) -> None:
    """Save `override` as a new revision, and publish it or judge the draft's staleness.

    (Publishing judges staleness too: the ``published`` signal receiver does it.)
    """
    revision = override.save_revision(user=actor.user, log_action=True)
    if publish:
        publish_checked(revision, actor=actor)
    else:
        override_staleness_refresh(override)


@content_transaction
def override_upsert(record: Record, *, actor: Actor) -> Outcome:
    """Create or update the override `record` describes, as a revision of it.

    Branch editors may save drafts; publishing needs the branch's reviewer role.
    """
    article = KnowledgeArticle.objects.get(key=record["article"])
    branch = Branch.objects.get(code=record["branch"])
    publish = is_published(record)
    require_override(actor, "publish" if publish else "edit", branch)
    override = (
        BranchOverride.objects.select_for_update().filter(article=article, branch=branch).first()
    )
    if override is None:
        override = BranchOverride(article=article, branch=branch, based_on=article.live_revision)
        _apply_fields(override, record)
        override.live = False
        override.save()
        _save_version(override, actor=actor, publish=publish)
        return Outcome.CREATED

    if (
        publish
        and override.live
        and override_record(override, status=RecordStatus.PUBLISHED) == record
    ):
        return Outcome.UNCHANGED
    latest = override.get_latest_revision_as_object()
    if override_record(latest, status=record["status"]) == record:
        if not publish:
            return Outcome.UNCHANGED
        publish_checked(override.get_latest_revision(), actor=actor)
        return Outcome.PUBLISHED
    _apply_fields(latest, record)
    _save_version(latest, actor=actor, publish=publish)
    return Outcome.UPDATED


def override_staleness(override: BranchOverride) -> Staleness:
    """How `override` (this version of it) stands against HQ's live article."""
    published = getattr(override.article, "published", None)
    if published is None:
        return Staleness((), ())
    base: dict[str, Any] = override.based_on.content if override.based_on_id else {}
    return staleness(
        base_summary=base.get("summary", ""),
        base_body=base.get("body", ""),
        current_summary=published.summary,
        current_body=published.body,
        touched=[section.slug for section in override.sections.all()],
        replaces_summary=bool(override.summary),
    )


def override_staleness_refresh(override: BranchOverride) -> bool:
    """Store the verdict of `override` (its live version, else its draft); True if newly stale.

    Called after every HQ publish and every change to the override, because publishing an
    override revision rebuilds the row from the revision, where the verdict is not kept.
    """
    override = BranchOverride.objects.select_related("article", "based_on", "branch").get(
        pk=override.pk
    )
    version = override if override.live else override.get_latest_revision_as_object()
    verdict = override_staleness(version)
    was_stale = bool(override.stale_parts or override.orphaned_sections)
    BranchOverride.objects.filter(pk=override.pk).update(
        stale_parts=list(verdict.stale), orphaned_sections=list(verdict.orphaned)
    )
    newly_stale = bool(verdict) and not was_stale
    if newly_stale:
        ids = [override.pk]
        transaction.on_commit(
            lambda: overrides_turned_stale.send(sender=BranchOverride, override_ids=ids)
        )
    return newly_stale


def overrides_staleness_refresh(article: KnowledgeArticle) -> list[BranchOverride]:
    """Recompute the verdict of every override of `article`; returns the newly stale.

    Overrides are visited in primary-key order, the order every transaction locks them in.
    """
    return [
        override
        for override in BranchOverride.objects.filter(article=article).order_by("pk")
        if override_staleness_refresh(override)
    ]


@content_transaction
def override_rebase(override: BranchOverride, *, actor: Actor) -> Revision | None:
    """Acknowledge HQ's current text: move ``based_on`` to HQ's live revision.

    What readers see does not change, so a live override's rebase is published at once,
    without another review. Only changed parts can be acknowledged: an override with none
    (not stale, or only orphaned sections, which need an edit) is left as it is and None
    is returned.
    """
    override = BranchOverride.objects.select_for_update().get(pk=override.pk)
    require_override(actor, "edit", override.branch)
    if not override.stale_parts:
        return None
    hq_live = override.article.live_revision
    # Read before saving: without a draft, the latest version *is* `override`, and saving
    # the revision marks it as having unpublished changes.
    nothing_pending = override.live and not override.has_unpublished_changes
    latest = override.get_latest_revision_as_object()
    latest.based_on = hq_live
    revision = latest.save_revision(user=actor.user, log_action="kms.override.rebase")
    if nothing_pending:
        publish_checked(revision, actor=actor, log_action=False)
    elif override.live:
        # A draft is pending review: acknowledge on the live version too, in place.
        BranchOverride.objects.filter(pk=override.pk).update(based_on=hq_live)
        PublishedOverride.objects.filter(override=override).update(
            based_on_revision_id=hq_live.pk if hq_live else None
        )
    override_staleness_refresh(override)
    return revision
