"""The interface every search engine implements, and what it answers with.

Invariants every backend keeps (the conformance suite, tests/search/test_conformance.py,
checks them on each engine):
* :meth:`Backend.replace` makes the index hold exactly `records` for the given keys, and
  is idempotent: handling a batch of change events twice leaves the same index;
* a search or suggestion returns only records the plan's filters allow, so each article
  at most once (a branch reads exactly one variant), ranked by the plan's weighted terms;
* :meth:`Backend.rebuild` builds a complete new index from `records` beside the one being
  served and switches readers to it at once; the old one serves until then;
* a missing or unreadable index raises :class:`IndexUnavailable`, never an engine error.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from search.queries import Filters, Frequencies, Plan
from search.records import Record

FACET_SHOWN = 20  # values of a facet a page shows, the commonest
# The facets every engine counts, and how many of each one's commonest values: every
# category (a few hundred at most), so that search.services can count each with its
# sub-categories, as the category filter finds them; the commonest products and tags.
FACETS = {"category": 1000, "products": FACET_SHOWN, "tags": FACET_SHOWN}


class IndexUnavailable(Exception):
    """The index is missing or unreadable: ``kms_reindex`` rebuilds it."""


class IndexBusy(ConnectionError):
    """Another process is writing the index right now; retry."""


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    category: str
    shown: dict  # the record's payload: title, summary, text, questions, updated_at


@dataclass(frozen=True)
class Found:
    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Backend:
    name = ""

    def ready(self) -> bool:
        raise NotImplementedError

    def create_if_missing(self) -> bool:
        """Make an empty index when there is none; whether one was made."""
        raise NotImplementedError

    def replace(self, keys: Collection[str], records: Iterable[Record]) -> None:
        raise NotImplementedError

    def rebuild(self, records: Iterable[Record], progress: Callable[[int], None]) -> int:
        """A fresh index of `records`, switched to once complete; returns how many."""
        raise NotImplementedError

    def search(
        self,
        plan: Plan,
        *,
        limit: int,
        offset: int = 0,
        facets: bool = True,
        also: tuple[str, ...] = (),
    ) -> Found:
        """One page of the plan's hits, their count and (with `facets`) the facet counts of
        every hit, and of the articles keyed `also` the filters let through (best bets the
        plan may not match), each counted once."""
        raise NotImplementedError

    def complete(self, prefix: str, filters: Filters, *, limit: int) -> list[Hit]:
        """Records one of whose titles or similar questions starts with `prefix` at a
        word start (normalised text, or pinyin initials): one of their completion terms
        (:func:`search.records.completions`) starts with it."""
        raise NotImplementedError

    def fetch(self, filters: Filters, *, limit: int) -> list[Hit]:
        """Records the filters allow, unranked (score 0): with ``filters.keys``, those
        articles as the reader reads them, or nothing of those the reader may not see."""
        raise NotImplementedError

    def asked(self, question: str, filters: Filters, *, limit: int) -> Found:
        """Records whose title or one of whose similar questions is `question` (both
        compacted: :func:`search.analysis.compact`), and how many there are."""
        raise NotImplementedError

    def keys_mentioning(self, codes: Collection[str]) -> set[str]:
        """Keys of articles with a variant naming one of the branch `codes`."""
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def readable(self, filters: Filters) -> int:
        """How many records the filters allow: the articles a reader may read, one variant
        of each."""
        raise NotImplementedError

    def frequencies(self, wanted: Mapping[str, Collection[str]]) -> Frequencies:
        """How many records there are, and how many hold each of the tokens wanted in
        each analysed field, read from one view of the index."""
        raise NotImplementedError
