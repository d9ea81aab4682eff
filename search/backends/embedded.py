"""The embedded engine: tantivy, an index directory on local disk, no server.

Invariants:
* the index lives in a generation directory under ``KMS_SEARCH_INDEX_DIR``; the file
  ``CURRENT`` names the one being served and is replaced atomically (``os.replace``), so
  a rebuild switches every reader at once and a half-built generation is never served;
* one writer at a time per generation (tantivy's lock file, across processes): a writer
  that finds it taken raises :class:`IndexBusy`, which the indexer retries;
* a web process opens the index once and reloads its searcher when the generation's
  ``meta.json`` changes (every commit rewrites it), so commits are seen without a restart
  and a search costs two ``stat`` calls, not a reopen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.conf import settings

from content.variants import INHERITED
from search.backends.base import FACETS, Backend, Found, Hit, IndexBusy, IndexUnavailable
from search.queries import Clause, Filters, Frequencies, Plan
from search.records import ANALYSED_FIELDS, LOOSE_FIELDS, Record

WRITER_HEAP = 50_000_000
REBUILD_HEAP = 200_000_000
CURRENT = "CURRENT"
_RAW = ("id", "key", "branches", "excluded", "channels", "audience", "category_paths")


def _fields() -> list[tuple[str, dict]]:
    """Every field of the index and its options, in the order tantivy numbers them."""
    return [
        *((name, {"stored": name in ("id", "key"), "tokenizer_name": "raw"}) for name in _RAW),
        *(
            (name, {"stored": name == "category", "fast": True, "tokenizer_name": "raw"})
            for name in FACETS
        ),
        # positions for phrase queries (multi-token synonyms); loose fields match token by
        # token and keep frequencies only
        *((name, {"tokenizer_name": "whitespace"}) for name in ANALYSED_FIELDS),
        *(
            (name, {"tokenizer_name": "whitespace", "index_option": "freq"})
            for name in LOOSE_FIELDS
        ),
        ("complete", {"tokenizer_name": "raw", "index_option": "basic"}),
        ("asked", {"tokenizer_name": "raw", "index_option": "basic"}),
        ("payload", {"stored": True, "tokenizer_name": "raw", "index_option": "basic"}),
    ]


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name, options in _fields():
        builder.add_text_field(name, **options)
    return builder.build()


SCHEMA = schema()
# Written into every generation: queries address fields by their number in SCHEMA, so an
# index built with other fields is refused (rebuilt by kms_reindex), never misread.
SCHEMA_MARK = hashlib.sha256(json.dumps(_fields(), sort_keys=True).encode()).hexdigest()[:16]
SCHEMA_FILE = "kms-schema"


def _document(record: Record) -> tantivy.Document:
    return tantivy.Document(**record.fields())


def _term(field: str, value: str) -> tantivy.Query:
    return tantivy.Query.term_query(SCHEMA, field, value)


def _filter(filters: Filters) -> tantivy.Query:
    must = tantivy.Occur.Must
    inherited = tantivy.Query.boolean_query(
        [
            (must, _term("branches", INHERITED)),
            (tantivy.Occur.MustNot, _term("excluded", filters.branch)),
        ]
    )
    clauses = [
        (
            must,
            tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, _term("branches", filters.branch)),
                    (tantivy.Occur.Should, inherited),
                ]
            ),
        ),
        (must, tantivy.Query.term_set_query(SCHEMA, "audience", list(filters.audiences))),
    ]
    if filters.channels is not None:
        clauses.append(
            (must, tantivy.Query.term_set_query(SCHEMA, "channels", list(filters.channels)))
        )
    if filters.category:
        clauses.append((must, _term("category_paths", filters.category)))
    if filters.product:
        clauses.append((must, _term("products", filters.product)))
    if filters.tag:
        clauses.append((must, _term("tags", filters.tag)))
    if filters.keys is not None:
        clauses.append((must, tantivy.Query.term_set_query(SCHEMA, "key", list(filters.keys))))
    return tantivy.Query.const_score_query(tantivy.Query.boolean_query(clauses), 0.0)


def _alternative(field: str, tokens: tuple[str, ...]) -> tantivy.Query:
    if len(tokens) == 1:
        return _term(field, tokens[0])
    return tantivy.Query.phrase_query(SCHEMA, field, list(tokens))


def _clause(clause: Clause) -> tantivy.Query:
    """The best of the clause's options, times its boost."""
    options = [
        _alternative(clause.field, tokens)
        if share == 1.0
        else tantivy.Query.boost_query(_alternative(clause.field, tokens), share)
        for tokens, share in clause.options
    ]
    either = options[0] if len(options) == 1 else tantivy.Query.disjunction_max_query(options)
    return tantivy.Query.boost_query(either, clause.boost)


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in queries])


def _selective(clauses: tuple[Clause, ...]) -> tantivy.Query:
    return _any([_clause(clause) for clause in clauses if clause.selects])


def matching(plan: Plan) -> tantivy.Query:
    """The scoring part of `plan`: one of its selective clauses must match, every other
    clause that matches adds to the score."""
    clauses = plan.clauses
    scoring = [_clause(clause) for clause in clauses if not clause.selects]
    if not scoring:
        return _selective(clauses)
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, _selective(clauses)), (tantivy.Occur.Should, _any(scoring))]
    )


def matched(plan: Plan) -> tantivy.Query:
    """The documents `plan` finds, unscored: those its selective clauses and filters let
    through (the clauses that only score never change which)."""
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, _selective(plan.clauses)),
            (tantivy.Occur.Must, _filter(plan.filters)),
        ]
    )


def _schema_mark(path: Path) -> str | None:
    try:
        return (path / SCHEMA_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


@dataclass
class _Open:
    path: Path
    index: tantivy.Index
    meta_mtime: int


class EmbeddedBackend(Backend):
    name = "embedded"

    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._open: _Open | None = None

    # --- where the index is ------------------------------------------------------------
    @property
    def root(self) -> Path:
        return Path(self._root or settings.KMS_SEARCH_INDEX_DIR)

    def _generation(self) -> str | None:
        try:
            return (self.root / CURRENT).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _switch(self, generation: str) -> None:
        pointer = self.root / f"{CURRENT}.{os.getpid()}.tmp"
        pointer.write_text(generation, encoding="utf-8")
        os.replace(pointer, self.root / CURRENT)
        for stale in self.root.glob("gen-*"):
            if stale.name != generation:
                shutil.rmtree(stale, ignore_errors=True)  # open readers keep their files

    def _new_generation(self) -> tuple[str, tantivy.Index]:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns()}-{os.getpid()}"
        path = self.root / name
        path.mkdir()
        (path / SCHEMA_FILE).write_text(SCHEMA_MARK, encoding="ascii")
        return name, tantivy.Index(SCHEMA, path=str(path))

    def _index(self) -> tantivy.Index:
        """The served index, reloaded when a commit or a rebuild changed it."""
        generation = self._generation()
        if generation is None:
            raise IndexUnavailable("no search index yet")
        path = self.root / generation
        try:
            mtime = (path / "meta.json").stat().st_mtime_ns
        except FileNotFoundError as error:
            raise IndexUnavailable(f"search index {generation} is missing") from error
        with self._lock:
            current = self._open
            if current is None or current.path != path:
                if _schema_mark(path) != SCHEMA_MARK:
                    raise IndexUnavailable(
                        f"search index {generation} was built by another version of KMS"
                    )
                try:
                    index = tantivy.Index.open(str(path))
                except ValueError as error:
                    raise IndexUnavailable(f"search index {generation} is unreadable") from error
                current = self._open = _Open(path, index, mtime)
            elif current.meta_mtime != mtime:
                try:
                    current.index.reload()
                except ValueError as error:  # meta.json damaged after it was opened
                    self._open = None
                    raise IndexUnavailable(f"search index {generation} is unreadable") from error
                current.meta_mtime = mtime
            return current.index

    # --- writing -----------------------------------------------------------------------
    def ready(self) -> bool:
        try:
            self._index()
        except IndexUnavailable:
            return False
        return True

    def create_if_missing(self) -> bool:
        if self._generation() is not None:
            return False
        generation, index = self._new_generation()
        writer = index.writer(WRITER_HEAP, 1)
        writer.commit()
        writer.wait_merging_threads()
        self._switch(generation)
        return True

    def _writer(self, index: tantivy.Index, heap: int = WRITER_HEAP) -> tantivy.IndexWriter:
        try:
            return index.writer(heap, 1)
        except ValueError as error:
            if "LockBusy" in str(error):
                raise IndexBusy("another process is writing the search index") from error
            raise

    def replace(self, keys: Collection[str], records: Iterable[Record]) -> None:
        writer = self._writer(self._index())
        for key in keys:
            writer.delete_documents_by_term("key", key)
        for record in records:
            writer.add_document(_document(record))
        writer.commit()
        writer.wait_merging_threads()

    def rebuild(self, records: Iterable[Record], progress: Callable[[int], None]) -> int:
        generation, index = self._new_generation()
        writer = self._writer(index, REBUILD_HEAP)
        written = 0
        for record in records:
            writer.add_document(_document(record))
            written += 1
            progress(written)
        writer.commit()
        writer.wait_merging_threads()
        self._switch(generation)
        return written

    # --- reading -----------------------------------------------------------------------
    def count(self) -> int:
        return self._index().searcher().num_docs

    def readable(self, filters: Filters) -> int:
        return self._index().searcher().search(_filter(filters), 1, count=True).count

    def frequencies(self, wanted: Mapping[str, Collection[str]]) -> Frequencies:
        searcher = self._index().searcher()
        found = {
            field: {token: searcher.doc_freq(field, token) for token in tokens}
            for field, tokens in wanted.items()
        }
        return Frequencies(searcher.num_docs, found)

    def _hits(self, searcher: tantivy.Searcher, found: list[tuple[float, object]]) -> list[Hit]:
        hits = []
        for score, address in found:
            doc = searcher.doc(address)
            hits.append(
                Hit(doc["key"][0], float(score), doc["category"][0], json.loads(doc["payload"][0]))
            )
        return hits

    def search(
        self,
        plan: Plan,
        *,
        limit: int,
        offset: int = 0,
        facets: bool = True,
        also: tuple[str, ...] = (),
    ) -> Found:
        searcher = self._index().searcher()
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, matching(plan)), (tantivy.Occur.Must, _filter(plan.filters))]
        )
        result = searcher.search(query, limit, count=True, offset=offset)
        counted = {}
        if facets and (result.count or also):
            scope = matched(plan)
            if also:
                pinned = _filter(dataclasses.replace(plan.filters, keys=also))
                should = tantivy.Occur.Should
                scope = tantivy.Query.boolean_query([(should, scope), (should, pinned)])
            aggregations = {
                name: {"terms": {"field": name, "size": size}} for name, size in FACETS.items()
            }
            found = searcher.aggregate(scope, aggregations)
            counted = {
                name: {b["key"]: b["doc_count"] for b in found[name]["buckets"]} for name in FACETS
            }
        return Found(result.count, self._hits(searcher, result.hits), counted)

    def complete(self, prefix: str, filters: Filters, *, limit: int) -> list[Hit]:
        searcher = self._index().searcher()
        starting = tantivy.Query.regex_query(SCHEMA, "complete", f"{re.escape(prefix)}.*")
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, starting), (tantivy.Occur.Must, _filter(filters))]
        )
        return self._hits(searcher, searcher.search(query, limit, count=False).hits)

    def fetch(self, filters: Filters, *, limit: int) -> list[Hit]:
        searcher = self._index().searcher()
        return self._hits(searcher, searcher.search(_filter(filters), limit, count=False).hits)

    def asked(self, question: str, filters: Filters, *, limit: int) -> Found:
        searcher = self._index().searcher()
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, _term("asked", question)), (tantivy.Occur.Must, _filter(filters))]
        )
        result = searcher.search(query, limit, count=True)
        return Found(result.count, self._hits(searcher, result.hits))

    def keys_mentioning(self, codes: Collection[str]) -> set[str]:
        if not codes:
            return set()
        searcher = self._index().searcher()
        query = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.term_set_query(SCHEMA, "branches", list(codes)),
                ),
                (
                    tantivy.Occur.Should,
                    tantivy.Query.term_set_query(SCHEMA, "excluded", list(codes)),
                ),
            ]
        )
        total = searcher.search(query, 1, count=True).count
        hits = searcher.search(query, max(total, 1), count=False).hits
        return {searcher.doc(address)["key"][0] for _, address in hits}
