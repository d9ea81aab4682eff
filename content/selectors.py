"""Reads of published knowledge. The effective article is computed here and only here.

Invariant: :func:`effective_article` is the one function that turns HQ's published
snapshot, the live overrides of the reader's branch and its ancestors (top down) and the
branch variables into what that reader sees. The API, the indexer and the admin preview
all call it. Drafts are never read, except by :func:`effective_article_preview`, which
substitutes one override's draft for its live version and is used only by editors.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from content import markdown
from content.embeds import WagtailEmbeds
from content.hashing import content_hash
from content.models import (
    BranchOverride,
    BranchTree,
    ChangeEvent,
    KnowledgeArticle,
    PublishedArticle,
    PublishedOverride,
)
from content.resolution import (
    SUMMARY,
    Layer,
    Resolved,
    resolve,
    section_contents,
    summary_resolve,
)
from content.stamps import Stamped
from content.variants import INHERITED, Variant, VariantText
from content.vocabulary import SectionMode

AUDIENCES = ("public", "internal")  # every audience: what editors see


@dataclass(frozen=True)
class EffectiveArticle:
    key: str
    branch: str
    title: str
    summary: str
    html: str
    text: str
    body: str  # Markdown source, ``{{ branch.x }}`` placeholders as written
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
    variables: dict[str, str] = field(default_factory=dict)  # the reader's branch's values
    stale: bool = False  # an applied override is stale against HQ's current version
    updated_at: dt.datetime | None = None  # the newest of HQ's and the applied overrides'

    def section(self, slug: str) -> markdown.Section:
        return next(section for section in self.sections if section.slug == slug)


_branch_trees: Stamped[BranchTree] = Stamped("branch-tree", BranchTree.load)


def branch_tree() -> BranchTree:
    """The branch tree as committed: each process keeps it in memory and reads it again
    on its first use after a branch is saved or deleted (:mod:`content.stamps`)."""
    return _branch_trees.get()


def branch_tree_changed() -> None:
    """Call in the transaction that saves or deletes a branch."""
    _branch_trees.changed()


def readable(
    channels: Collection[str], audience: str, *, channel: str | None, audiences: Sequence[str]
) -> bool:
    """Whether an article for `channels` and `audience` is for a reader on `channel`
    (any when None) allowed `audiences`."""
    return (channel is None or channel in channels) and audience in audiences


@dataclass(frozen=True)
class _Overrides:
    """The live overrides of one article along a root-to-branch chain, top down."""

    layers: list[Layer]
    published_at: list[dt.datetime]


def _overrides_by_key(keys: Collection[str], chain: Sequence[str]) -> dict[str, _Overrides]:
    rows: dict[str, dict[str, PublishedOverride]] = {}
    for row in PublishedOverride.objects.filter(article_key__in=keys, branch_code__in=chain):
        rows.setdefault(row.article_key, {})[row.branch_code] = row
    return {
        key: _layered([by_branch[code] for code in chain if code in by_branch])
        for key, by_branch in rows.items()
    }


def _layered(ordered: Sequence[PublishedOverride]) -> _Overrides:
    return _Overrides(
        [Layer(row.branch_code, row.visibility, row.summary, row.sections) for row in ordered],
        [row.published_at for row in ordered],
    )


def summary_text(source: str, variables: dict[str, str]) -> str:
    """A summary as readers get it: plain text, variables filled."""
    return _summary_text(source, tuple(sorted(variables.items())))


@functools.lru_cache(maxsize=20_000)
def _summary_text(source: str, variables: tuple[tuple[str, str], ...]) -> str:
    # A pure function of its arguments, so remembered: a listing renders 50 summaries.
    return markdown.render(source, variables=dict(variables)).text


def _etag(published: PublishedArticle, layers: Sequence[Layer], variables: dict[str, str]) -> str:
    """Changes iff what the reader could see changes: HQ's snapshot, the layers, the values."""
    return content_hash(
        [
            published.content_hash,
            [(layer.branch, layer.visibility, layer.summary, layer.sections) for layer in layers],
            variables,
        ]
    )


def _stale(key: str, branches: Collection[str]) -> bool:
    if not branches:
        return False
    flagged = BranchOverride.objects.exclude(stale_parts=[], orphaned_sections=[])
    return flagged.filter(article__key=key, branch__code__in=branches, live=True).exists()


def _compose(
    published: PublishedArticle,
    branch: str,
    overrides: _Overrides,
    variables: dict[str, str],
    *,
    stale: bool | None = None,
) -> EffectiveArticle | None:
    resolved = _resolved(published, overrides)
    if not resolved.visible:
        return None
    rendered = markdown.render(resolved.body, variables=variables, embeds=WagtailEmbeds())
    return EffectiveArticle(
        **_described(published, overrides),
        branch=branch,
        summary=summary_text(resolved.summary, variables),
        html=rendered.html,
        text=rendered.text,
        body=resolved.body,
        sections=rendered.sections,
        effective_from=published.effective_from,
        effective_to=published.effective_to,
        revision_id=published.revision_id,
        overridden_by=resolved.applied,
        orphaned=dict(resolved.orphaned),
        etag=_etag(published, overrides.layers, variables),
        variables=variables,
        stale=_stale(published.key, resolved.applied) if stale is None else stale,
    )


def _resolved(published: PublishedArticle, overrides: _Overrides) -> Resolved:
    """HQ's snapshot under `overrides` (top down), HQ's sections as recorded at publish."""
    recorded = [
        markdown.Section(s["slug"], s["heading"], s["markdown"], "") for s in published.sections
    ]
    return resolve(published.summary, published.body, overrides.layers, hq_sections=recorded)


def _described(published: PublishedArticle, overrides: _Overrides) -> dict:
    """What every version of the article shares with HQ's snapshot, whatever its text."""
    return {
        "key": published.key,
        "title": published.title,
        "questions": list(published.questions),
        "category": published.category,
        "products": list(published.products),
        "tags": list(published.tags),
        "channels": list(published.channels),
        "audience": published.audience,
        "updated_at": max([published.published_at, *overrides.published_at]),
    }


def effective_article(
    key: str,
    *,
    branch: str | None = None,
    channel: str | None = None,
    audiences: Sequence[str] = AUDIENCES,
    tree: BranchTree | None = None,
) -> EffectiveArticle | None:
    """What a reader in `branch` (HQ when None) using `channel` sees of article `key`.

    ``None`` when the article is not published, not in effect today, hidden in that
    branch, not meant for the channel, or not for the reader's audience; LookupError
    when `branch` does not exist.
    """
    published = PublishedArticle.objects.filter(key=key).first()
    if published is None or not published.in_effect:
        return None
    if not readable(published.channels, published.audience, channel=channel, audiences=audiences):
        return None
    tree = tree or BranchTree.load()
    code = branch or tree.root or ""
    chain = tree.chain(code)
    overrides = _overrides_by_key([key], chain).get(key, _Overrides([], []))
    return _compose(published, code, overrides, tree.variables_of(code))


def _variant_text(published: PublishedArticle, overrides: _Overrides) -> VariantText | None:
    """`published` under `overrides` (top down) as plain text; None when they hide it.
    HQ's own text is the snapshot's, written when it was published: nothing is rendered."""
    if overrides.layers:
        resolved = _resolved(published, overrides)
        if not resolved.visible:
            return None
        summary, text = summary_text(resolved.summary, {}), markdown.plain_text(resolved.body)
    else:
        summary, text = published.summary_text, published.text
    return VariantText(**_described(published, overrides), summary=summary, text=text)


def article_variants(rows: Sequence[PublishedArticle], tree: BranchTree) -> Iterator[Variant]:
    """Each in-effect row's distinct variants over every branch of `tree`, in row order.

    Branches are grouped by the live overrides along their chains (top down): a branch
    reads exactly one variant, the one :func:`effective_article` gives it, or none when
    an override hides the article from it. Articles without overrides have one variant.
    """
    keys = [row.key for row in rows]
    by_key: dict[str, dict[str, PublishedOverride]] = {}
    for override in PublishedOverride.objects.filter(article_key__in=keys):
        by_key.setdefault(override.article_key, {})[override.branch_code] = override
    chains = {code: tree.chain(code) for code in tree.codes} if by_key else {}
    for row in rows:
        if not row.in_effect:
            continue
        overrides = by_key.get(row.key, {})
        groups: dict[tuple[str, ...], list[str]] = {}
        for code, chain in chains.items():
            signature = tuple(node for node in chain if node in overrides)
            if signature:
                groups.setdefault(signature, []).append(code)
        own = sorted(code for members in groups.values() for code in members)
        inherited = _variant_text(row, _Overrides([], []))
        if inherited is not None:
            yield Variant(inherited, (INHERITED,), tuple(own))
        for signature, members in sorted(groups.items()):
            article = _variant_text(row, _layered([overrides[code] for code in signature]))
            if article is not None:
                yield Variant(article, tuple(sorted(members)))


@dataclass(frozen=True)
class ArticleSummary:
    """One article as a branch's reader sees it in a list: no body."""

    key: str
    title: str
    summary: str
    category: str
    products: list[str]
    tags: list[str]
    channels: list[str]
    audience: str
    updated_at: dt.datetime
    etag: str  # the same as the article's own: :attr:`EffectiveArticle.etag`


def published_articles(
    *,
    channels: Collection[str] | None = None,
    audiences: Sequence[str] = AUDIENCES,
    category: str | None = None,
    product: str | None = None,
    tag: str | None = None,
    updated_since: dt.datetime | None = None,
    chain: Sequence[str] = (),
) -> QuerySet[PublishedArticle]:
    """HQ's snapshots in effect for any of `channels` (any when None) and `audiences`,
    ordered by key (which never changes: a stable order while editors publish).

    `category` includes its sub-categories. `updated_since` also takes articles that an
    override along `chain` changed since; branch visibility is :func:`article_summaries`'.
    """
    rows = PublishedArticle.objects.filter(in_effect=True, audience__in=list(audiences))
    if channels is not None:
        wanted = Q(pk__in=[])
        for channel in channels:
            wanted |= Q(channels__contains=f",{channel},")
        rows = rows.filter(wanted)
    if category:
        rows = rows.filter(Q(category=category) | Q(category__startswith=f"{category}/"))
    if product:
        rows = rows.filter(products__has_item=product)
    if tag:
        rows = rows.filter(tags__has_item=tag)
    if updated_since is not None:
        changed_here = PublishedOverride.objects.filter(
            branch_code__in=list(chain), published_at__gte=updated_since
        ).values("article_key")
        rows = rows.filter(Q(published_at__gte=updated_since) | Q(key__in=changed_here))
    return rows.order_by("key")


def article_summaries(
    rows: Sequence[PublishedArticle], *, branch: str, tree: BranchTree
) -> list[ArticleSummary]:
    """`rows` as a reader in `branch` sees them, in order; hidden ones left out."""
    chain = tree.chain(branch)
    overrides = _overrides_by_key([row.key for row in rows], chain)
    variables = tree.variables_of(branch)
    found = []
    for row in rows:
        layered = overrides.get(row.key, _Overrides([], []))
        visible, summary = summary_resolve(row.summary, layered.layers)
        if not visible:
            continue
        found.append(
            ArticleSummary(
                key=row.key,
                title=row.title,
                summary=summary_text(summary, variables),
                category=row.category,
                products=list(row.products),
                tags=list(row.tags),
                channels=list(row.channels),
                audience=row.audience,
                updated_at=max([row.published_at, *layered.published_at]),
                etag=_etag(row, layered.layers, variables),
            )
        )
    return found


def effective_article_preview(
    override: BranchOverride, *, channel: str | None = None
) -> EffectiveArticle | None:
    """The effective article in the override's branch with `override` as drafted."""
    published = PublishedArticle.objects.filter(article_id=override.article_id).first()
    if published is None or not published.in_effect:
        return None
    if not readable(published.channels, published.audience, channel=channel, audiences=AUDIENCES):
        return None
    tree = BranchTree.load()
    code = override.branch.code
    live = _overrides_by_key([published.key], tree.chain(code)).get(published.key)
    layers = [layer for layer in (live.layers if live else []) if layer.branch != code]
    layers.append(Layer(code, override.visibility, override.summary, override.operations()))
    draft = _Overrides(layers, live.published_at if live else [])
    return _compose(published, code, draft, tree.variables_of(code), stale=bool(override.stale))


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


@dataclass(frozen=True)
class Change:
    seq: int
    key: str
    action: str
    branches: tuple[str, ...]
    revision: int | None
    at: dt.datetime


@functools.lru_cache(maxsize=4096)
def _branch_list(stored: str) -> tuple[str, ...]:
    # Most events of a page name the same branches (all of them, for HQ's changes): a
    # page decodes each distinct list once.
    return tuple(json.loads(stored))


def _changes(rows: QuerySet[ChangeEvent]) -> Iterator[Change]:
    stored = rows.annotate(stored=Cast("branches", TextField()))
    fields = ("seq", "article_key", "action", "stored", "revision_id", "occurred_at")
    for seq, key, action, branches, revision, at in stored.values_list(*fields).iterator(
        chunk_size=1000
    ):
        yield Change(seq, key, action, _branch_list(branches), revision, at)


def _unreadable(
    audiences: Collection[str], channels: Collection[str] | None
) -> QuerySet[KnowledgeArticle] | None:
    """The articles a reader allowed `audiences` and `channels` (None: every one) may not
    read, by their current audience and channels; None when they may read every one."""
    every_audience = set(AUDIENCES) <= set(audiences)
    if every_audience and channels is None:
        return None
    readable = Q(audience__in=list(audiences))
    if channels is not None:
        on_a_channel = Q(pk__in=[])
        for channel in channels:
            on_a_channel |= Q(channels__contains=f",{channel},")
        readable &= on_a_channel
    return KnowledgeArticle.objects.exclude(readable).values("key")


def changes_since(
    since: int,
    *,
    limit: int,
    branches: Collection[str] | None = None,
    scan: int = 0,
    audiences: Collection[str] = AUDIENCES,
    channels: Collection[str] | None = None,
) -> tuple[list[Change], int, bool]:
    """Up to `limit` change events after `since`, in order; the seq to go on from; and
    whether the page is final — the same whenever it is asked for again.

    Events of articles the reader's `audiences` and `channels` exclude are left out (by
    the articles' current audience and channels). With `branches`, only events affecting
    one of them, looking at no more than `scan` events: the seq returned may then lie past
    events of other branches even when no change is returned, so a reader calls again
    until it stops moving. A page is final
    when it stopped at `limit` or `scan` rather than at the head of the log: seqs are
    handed out in commit order, so no event can still appear below its last seq.
    """
    rows = ChangeEvent.objects.filter(seq__gt=since).order_by("seq")
    unreadable = _unreadable(audiences, channels)
    if unreadable is not None:  # an internal article's key is none of a bot's business
        rows = rows.exclude(article_key__in=unreadable)
    if branches is None:
        found = list(_changes(rows[:limit]))
        return found, found[-1].seq if found else since, len(found) == limit
    wanted = frozenset(branches)
    bound = max(scan, limit)
    found, last, looked = [], since, 0
    for change in _changes(rows[:bound]):
        last, looked = change.seq, looked + 1
        if not wanted.isdisjoint(change.branches):
            found.append(change)
            if len(found) == limit:
                break
    return found, last, len(found) == limit or looked == bound
