"""Reads of published knowledge. The effective article is computed here and only here.

Invariant: :func:`effective_article` is the one function that turns HQ's published
snapshot, the live overrides of the reader's branch and its ancestors (top down) and the
branch variables into what that reader sees. The API, the indexer and the admin preview
all call it. Drafts are never read, except by :func:`effective_article_preview`, which
substitutes one override's draft for its live version and is used only by editors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from content import markdown
from content.embeds import WagtailEmbeds
from content.hashing import content_hash
from content.models import BranchOverride, BranchTree, PublishedArticle, PublishedOverride
from content.resolution import SUMMARY, Layer, resolve, section_contents
from content.vocabulary import SectionMode


@dataclass(frozen=True)
class EffectiveArticle:
    key: str
    branch: str
    title: str
    summary: str
    html: str
    text: str
    body: str
    sections: tuple[markdown.Section, ...]
    questions: list[str]
    category: str
    products: list[str]
    tags: list[str]
    channels: list[str]
    audience: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    revision_id: int
    overridden_by: tuple[str, ...]  # branches whose overrides shaped this version
    orphaned: dict[str, tuple[str, ...]] = field(default_factory=dict)
    etag: str = ""

    def section(self, slug: str) -> markdown.Section:
        return next(section for section in self.sections if section.slug == slug)


def _layers(key: str, chain: Sequence[str]) -> list[Layer]:
    rows = {
        row.branch_code: row
        for row in PublishedOverride.objects.filter(article_key=key, branch_code__in=chain)
    }
    return [
        Layer(code, rows[code].visibility, rows[code].summary, rows[code].sections)
        for code in chain
        if code in rows
    ]


def _compose(
    published: PublishedArticle, branch: str, layers: list[Layer], tree: BranchTree
) -> EffectiveArticle | None:
    resolved = resolve(published.summary, published.body, layers)
    if not resolved.visible:
        return None
    variables = tree.variables_of(branch)
    rendered = markdown.render(resolved.body, variables=variables, embeds=WagtailEmbeds())
    summary = markdown.render(resolved.summary, variables=variables).text
    etag = content_hash(
        [
            published.content_hash,
            [(layer.branch, layer.visibility, layer.summary, layer.sections) for layer in layers],
            variables,
        ]
    )
    return EffectiveArticle(
        key=published.key,
        branch=branch,
        title=published.title,
        summary=summary,
        html=rendered.html,
        text=rendered.text,
        body=resolved.body,
        sections=rendered.sections,
        questions=list(published.questions),
        category=published.category,
        products=list(published.products),
        tags=list(published.tags),
        channels=list(published.channels),
        audience=published.audience,
        effective_from=published.effective_from,
        effective_to=published.effective_to,
        revision_id=published.revision_id,
        overridden_by=resolved.applied,
        orphaned=dict(resolved.orphaned),
        etag=etag,
    )


def _readable(published: PublishedArticle, channel: str | None, audiences: Sequence[str]) -> bool:
    return (
        published.in_effect
        and (channel is None or channel in published.channels)
        and published.audience in audiences
    )


def effective_article(
    key: str,
    *,
    branch: str | None = None,
    channel: str | None = None,
    audiences: Sequence[str] = ("public", "internal"),
    tree: BranchTree | None = None,
) -> EffectiveArticle | None:
    """What a reader in `branch` (HQ when None) using `channel` sees of article `key`.

    ``None`` when the article is not published, not in effect today, hidden in that
    branch, not meant for the channel, or not for the reader's audience; LookupError
    when `branch` does not exist.
    """
    published = PublishedArticle.objects.filter(key=key).first()
    if published is None or not _readable(published, channel, audiences):
        return None
    tree = tree or BranchTree.load()
    code = branch or tree.root or ""
    return _compose(published, code, _layers(key, tree.chain(code)), tree)


def effective_article_preview(
    override: BranchOverride, *, channel: str | None = None
) -> EffectiveArticle | None:
    """The effective article in the override's branch with `override` as drafted."""
    published = PublishedArticle.objects.filter(article_id=override.article_id).first()
    if published is None or not _readable(published, channel, ("public", "internal")):
        return None
    tree = BranchTree.load()
    code = override.branch.code
    layers = [layer for layer in _layers(published.key, tree.chain(code)) if layer.branch != code]
    layers.append(Layer(code, override.visibility, override.summary, override.operations()))
    return _compose(published, code, layers, tree)


def stale_overrides(branches: Collection[str] | None = None) -> QuerySet[BranchOverride]:
    """Overrides flagged stale or orphaned, of `branches` (every branch when None)."""
    flagged = BranchOverride.objects.exclude(stale_parts=[], orphaned_sections=[])
    if branches is not None:
        flagged = flagged.filter(branch__code__in=branches)
    return flagged.select_related("article", "branch").order_by("branch__path", "article__key")


@dataclass(frozen=True)
class OverrideChange:
    """One part of HQ's article that changed under an override since its base."""

    part: str  # a section slug, or "summary"
    hq_then: str
    hq_now: str
    branch_text: str
    mode: str


def override_changes(override: BranchOverride) -> list[OverrideChange]:
    """What HQ changed, since ``based_on``, in the parts `override` touches."""
    base = override.based_on.content if override.based_on_id else {}
    published = PublishedArticle.objects.filter(article_id=override.article_id).first()
    if published is None:
        return []  # HQ took the article down: nothing to compare with
    changes = []
    if SUMMARY in override.stale_parts:
        hq_then = base.get("summary", "")
        changes.append(
            OverrideChange(
                SUMMARY, hq_then, published.summary, override.summary, SectionMode.REPLACE
            )
        )
    then, now = section_contents(base.get("body", "")), section_contents(published.body)
    flagged = {*override.stale_parts, *override.orphaned_sections}
    for section in override.sections.all():
        if section.slug in flagged:
            changes.append(
                OverrideChange(
                    section.slug,
                    then.get(section.slug, ""),
                    now.get(section.slug, ""),
                    section.body,
                    section.mode,
                )
            )
    return changes
