"""The search indexer: a change-log consumer, and the full rebuild ``kms_reindex`` runs.

Invariants:
* after the indexer passed an event for article K, the index holds exactly K's current
  variants (:func:`content.selectors.article_variants`): none when K is unpublished, out
  of effect or hidden everywhere. It re-reads K's snapshots rather than replaying the
  event, so handling a batch twice is harmless;
* a branch added or removed re-indexes the articles whose variants it can change: those
  with a live override along the branch's chain, and those whose variants name it;
* a missing index is created empty only at the start of the log (a fresh install, whose
  events then index every article); later, the indexer stops with an error that says to
  run ``kms_reindex`` rather than serving an index that silently lacks articles;
* :func:`rebuild` reads the log's head before it reads the snapshots and sets the
  indexer's cursor back to it after the switch: events committed meanwhile are handled
  again, on the new index;
* every article whose records the indexer writes — for its events, or by a rebuild that
  catches up a backlog in their place — is announced after commit (``passages_indexed``),
  so that ranking by meaning embeds it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import asdict

from django.db import transaction
from django.db.models import Max, Min

from content.consumers import Consumer
from content.models import (
    Action,
    BranchTree,
    ChangeEvent,
    ConsumerCursor,
    PublishedArticle,
    PublishedOverride,
)
from content.parallel import pmap_stream
from content.selectors import article_variants
from content.variants import Variant
from search import glossary, vectors
from search.backends import engine
from search.backends.base import Backend, IndexBusy, IndexUnavailable
from search.dispatch import passages_indexed
from search.records import Record, analysed

NAME = "search-index"
CHUNK = 500
# A backlog this large (and at least half the published articles) is caught up by a full
# rebuild: ~1 ms an article against ~2.5 ms an event replayed (docs/benchmarks.md).
REBUILD_BACKLOG_MIN = 5000
_BRANCH_WIDE = (Action.BRANCH_ADDED, Action.BRANCH_REMOVED)


def records_of(keys: Collection[str], tree: BranchTree | None = None) -> Iterator[Record]:
    """The records of the published, in-effect articles among `keys`, in key order; a
    backlog (an import's thousands of events) is analysed on every core."""
    tree = tree or BranchTree.load()
    ordered = sorted(keys)
    words = glossary.current().words
    jobs = ((words, variants) for variants in _variants(ordered, tree))
    for batch in pmap_stream(analysed, jobs, total=len(ordered)):
        yield from batch


def _variants(ordered: Sequence[str], tree: BranchTree) -> Iterator[list[Variant]]:
    """The variants of the published, in-effect articles among `ordered`, a chunk at a time."""
    for start in range(0, len(ordered), CHUNK):
        rows = PublishedArticle.objects.filter(
            key__in=ordered[start : start + CHUNK], in_effect=True
        ).order_by("key")
        yield list(article_variants(list(rows), tree))


def _keys_near(codes: Collection[str], tree: BranchTree, backend: Backend) -> set[str]:
    chains = {node for code in codes if code in tree.parents for node in tree.chain(code)}
    overridden = PublishedOverride.objects.filter(branch_code__in=chains)
    return set(overridden.values_list("article_key", flat=True)) | backend.keys_mentioning(codes)


class SearchIndexConsumer(Consumer):
    """Keeps the search index equal to what readers of every branch may read."""

    name = NAME
    batch_size = 1000  # a backlog commits (and merges) once per thousand events
    transient_errors = (ConnectionError, TimeoutError, IndexBusy)

    def handle_batch(self, events: Sequence[ChangeEvent]) -> None:
        backend = engine()
        if not backend.ready():
            first = ChangeEvent.objects.aggregate(first=Min("seq"))["first"]
            if events[0].seq != first:
                raise IndexUnavailable("the search index is missing: run manage.py kms_reindex")
            backend.create_if_missing()
        glossary.current()  # the segmenter knows the glossary's and products' words
        tree = BranchTree.load()
        keys = {event.article_key for event in events if event.article_key}
        codes = {
            code for event in events if event.action in _BRANCH_WIDE for code in event.branches
        }
        if codes:
            keys |= _keys_near(codes, tree, backend)
        if keys:
            backend.replace(keys, records_of(keys, tree))
            _announce(keys)

    def catch_up_at_once(self, backlog: int) -> None:
        if backlog >= max(REBUILD_BACKLOG_MIN, articles_to_index() // 2):
            rebuild()
            # in place of the events' announcements: which of them changed is not known
            _announce(PublishedArticle.objects.filter(in_effect=True).values_list("key", flat=True))


def _announce(keys: Iterable[str]) -> None:
    """Tell ranking by meaning, once committed, which articles' records were written
    (search.signals decides where and when their passages are embedded)."""
    if vectors.enabled():
        chosen = sorted(keys)
        transaction.on_commit(lambda: passages_indexed.send(SearchIndexConsumer, keys=chosen))


def articles_to_index() -> int:
    return PublishedArticle.objects.filter(in_effect=True).count()


def passages(keys: Collection[str] | None = None) -> list[str]:
    """The distinct passages (:func:`search.vectors.passage`) of the published, in-effect
    articles among `keys` (None: all of them), each variant's own text."""
    if keys is None:
        keys = PublishedArticle.objects.filter(in_effect=True).values_list("key", flat=True)
    found: dict[str, None] = {}
    for variants in _variants(sorted(keys), BranchTree.load()):
        found.update(dict.fromkeys(vectors.passage(asdict(v.article)) for v in variants))
    return list(found)


def rebuild(
    backend: Backend | None = None, *, progress: Callable[[int], None] = lambda n: None
) -> int:
    """Index every published article afresh and switch readers to it; returns the count
    of records (variants) written."""
    served = engine()
    backend = backend or served
    head = ChangeEvent.objects.aggregate(head=Max("seq"))["head"] or 0
    glossary.current()
    keys = PublishedArticle.objects.filter(in_effect=True).values_list("key", flat=True)
    written = backend.rebuild(records_of(list(keys), BranchTree.load()), progress)
    if backend is not served:
        return written  # another engine than the one the indexer keeps: no cursor to move
    with transaction.atomic():
        cursor, _ = ConsumerCursor.objects.select_for_update().get_or_create(name=NAME)
        cursor.position = head
        cursor.failures, cursor.last_error = 0, ""
        cursor.save()
    return written
