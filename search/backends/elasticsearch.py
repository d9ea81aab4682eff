"""The Elasticsearch engine (services mode, at scale): ``elasticsearch.dsl`` against 8/9.

Invariants:
* readers search the alias ``PREFIX-read`` and the indexer writes through ``PREFIX-write``;
  both point at one versioned index ``PREFIX-<time>``. :meth:`rebuild` fills a new
  versioned index and moves both aliases in one ``update_aliases`` call: zero downtime;
* :meth:`replace` indexes an article's new variants first and then deletes its other
  documents, refreshing once: a reader never finds the article missing in between;
* the query is :func:`query` of the same plan the embedded engine compiles — the same
  terms, boosts and filters, scored by BM25 — so both engines rank alike.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping

from django.conf import settings
from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_errors
from elasticsearch.dsl import Q, Search

from content.variants import INHERITED
from search.backends.base import FACETS, Backend, Found, Hit, IndexUnavailable
from search.documents import mapping
from search.queries import Clause, Filters, Frequencies, Plan
from search.records import Record

BULK_CHUNK = 500
TIMEOUT = 10


def _alternative(field: str, tokens: tuple[str, ...], share: float = 1.0) -> Q:
    boost = {} if share == 1.0 else {"boost": share}
    if len(tokens) == 1:
        return Q("term", **{field: {"value": tokens[0], **boost}})
    return Q("match_phrase", **{field: {"query": " ".join(tokens), **boost}})


def _clause(clause: Clause) -> Q:
    """The best of the clause's options, times its boost (tantivy's boost_query of a
    disjunction_max_query)."""
    if len(clause.options) == 1:
        ((tokens, share),) = clause.options
        return _alternative(clause.field, tokens, share * clause.boost)
    options = [_alternative(clause.field, tokens, share) for tokens, share in clause.options]
    return Q("dis_max", queries=options, boost=clause.boost)


def matching(plan: Plan) -> Q:
    """One of the plan's selective clauses must match; the others add to the score."""
    clauses = plan.clauses
    selective = [_clause(clause) for clause in clauses if clause.selects]
    scoring = [_clause(clause) for clause in clauses if not clause.selects]
    either = Q("bool", should=selective, minimum_should_match=1)
    return Q("bool", must=[either], should=scoring) if scoring else either


def filtering(filters: Filters) -> list[Q]:
    branch = Q("term", branches=filters.branch) | (
        Q("term", branches=INHERITED) & ~Q("term", excluded=filters.branch)
    )
    found = [branch, Q("terms", audience=list(filters.audiences))]
    if filters.channels is not None:
        found.append(Q("terms", channels=list(filters.channels)))
    if filters.category:
        found.append(Q("term", category_paths=filters.category))
    if filters.product:
        found.append(Q("term", products=filters.product))
    if filters.tag:
        found.append(Q("term", tags=filters.tag))
    if filters.keys is not None:
        found.append(Q("terms", key=list(filters.keys)))
    return found


def query(plan: Plan) -> Q:
    """The whole query of `plan`: its terms must match once, its filters always."""
    return Q("bool", must=[matching(plan)], filter=filtering(plan.filters))


FACET_SCOPE = "scope"


def counting(search: Search, filters: Filters) -> Search:
    """The request for how many records `filters` let through, counted exactly, no hit."""
    return search.query(Q("bool", filter=filtering(filters))).extra(size=0, track_total_hits=True)


def searching(search: Search, plan: Plan, *, facets: bool, also: tuple[str, ...]) -> Search:
    """The request for `plan`: its query, its total counted exactly, and with `facets` the
    facet counts of its hits — and of the articles keyed `also` that the filters let
    through, when given (aggregated in a global scope filtered to both, each once)."""
    search = search.query(query(plan)).extra(track_total_hits=True)
    if not facets:
        return search
    scope = search.aggs
    if also:
        pinned = Q("bool", filter=filtering(dataclasses.replace(plan.filters, keys=also)))
        either = Q("bool", should=[query(plan), pinned], minimum_should_match=1)
        scope = scope.bucket(FACET_SCOPE, "global").bucket(FACET_SCOPE, "filter", filter=either)
    for name, size in FACETS.items():
        scope.bucket(name, "terms", field=name, size=size)
    return search


class ElasticsearchBackend(Backend):
    name = "elasticsearch"

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Elasticsearch | None = None

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            self._client = Elasticsearch(self.url, request_timeout=TIMEOUT, retry_on_timeout=True)
        return self._client

    @property
    def read_alias(self) -> str:
        return f"{settings.KMS_SEARCH_INDEX_PREFIX}-read"

    @property
    def write_alias(self) -> str:
        return f"{settings.KMS_SEARCH_INDEX_PREFIX}-write"

    def _search(self) -> Search:
        return Search(using=self.client, index=self.read_alias)

    def _run(self, search: Search) -> object:
        try:
            return search.execute()
        except es_errors.NotFoundError as error:
            raise IndexUnavailable(f"no index behind {self.read_alias}") from error
        except es_errors.ConnectionError as error:
            raise ConnectionError(str(error)) from error

    # --- writing -----------------------------------------------------------------------
    def _new_index(self) -> str:
        name = f"{settings.KMS_SEARCH_INDEX_PREFIX}-{time.time_ns()}"
        self.client.indices.create(index=name, **mapping())
        return name

    def _served(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.read_alias))
        except es_errors.NotFoundError:
            return []
        except es_errors.ConnectionError as error:
            raise ConnectionError(str(error)) from error

    def ready(self) -> bool:
        return bool(self._served())

    def create_if_missing(self) -> bool:
        if self._served():
            return False
        self._point_aliases(self._new_index(), [])
        return True

    def _point_aliases(self, index: str, old: list[str]) -> None:
        actions = [
            {"remove": {"index": stale, "alias": alias}}
            for stale in old
            for alias in (self.read_alias, self.write_alias)
        ]
        actions += [{"add": {"index": index, "alias": self.read_alias}}]
        actions += [{"add": {"index": index, "alias": self.write_alias, "is_write_index": True}}]
        self.client.indices.update_aliases(actions=actions)

    def _actions(self, index: str, records: Iterable[Record]) -> Iterator[dict]:
        for record in records:
            source = record.fields()
            yield {"_index": index, "_id": source.pop("id"), "_source": source}

    def replace(self, keys: Collection[str], records: Iterable[Record]) -> None:
        written = list(records)
        helpers.bulk(self.client, self._actions(self.write_alias, written), chunk_size=BULK_CHUNK)
        stale = Q("terms", key=list(keys)) & ~Q("ids", values=[record.id for record in written])
        self.client.delete_by_query(
            index=self.write_alias, query=stale.to_dict(), refresh=True, conflicts="proceed"
        )

    def rebuild(self, records: Iterable[Record], progress: Callable[[int], None]) -> int:
        old = self._served()
        index = self._new_index()
        written = 0
        for ok, _ in helpers.streaming_bulk(
            self.client, self._actions(index, records), chunk_size=BULK_CHUNK
        ):
            written += ok
            progress(written)
        self.client.indices.refresh(index=index)
        self._point_aliases(index, old)
        for stale in old:
            self.client.indices.delete(index=stale, ignore_unavailable=True)
        return written

    # --- reading -----------------------------------------------------------------------
    def count(self) -> int:
        return int(self.client.count(index=self.read_alias)["count"])

    def readable(self, filters: Filters) -> int:
        return int(self._run(counting(self._search(), filters)).hits.total.value)

    def frequencies(self, wanted: Mapping[str, Collection[str]]) -> Frequencies:
        pairs = [(field, token) for field, tokens in wanted.items() for token in tokens]
        search = self._search().extra(size=0, track_total_hits=True)
        if pairs:
            filters = {str(n): {"term": {field: token}} for n, (field, token) in enumerate(pairs)}
            search.aggs.bucket("df", "filters", filters=filters)
        response = self._run(search)
        found: dict[str, dict[str, int]] = {field: {} for field in wanted}
        for n, (field, token) in enumerate(pairs):
            found[field][token] = response.aggregations.df.buckets[str(n)].doc_count
        return Frequencies(int(response.hits.total.value), found)

    def _hits(self, response: object) -> list[Hit]:
        return [
            Hit(hit.key, float(hit.meta.score or 0.0), hit.category, json.loads(hit.payload))
            for hit in response
        ]

    def search(
        self,
        plan: Plan,
        *,
        limit: int,
        offset: int = 0,
        facets: bool = True,
        also: tuple[str, ...] = (),
    ) -> Found:
        search = searching(self._search(), plan, facets=facets, also=also)
        search = search[offset : offset + limit]
        response = self._run(search)
        counted = {}
        if facets:
            buckets = response.aggregations
            if also:
                buckets = buckets[FACET_SCOPE][FACET_SCOPE]
            counted = {name: {b.key: b.doc_count for b in buckets[name].buckets} for name in FACETS}
        return Found(response.hits.total.value, self._hits(response), counted)

    def complete(self, prefix: str, filters: Filters, *, limit: int) -> list[Hit]:
        q = Q("bool", must=[Q("prefix", complete=prefix)], filter=filtering(filters))
        return self._hits(self._run(self._search().query(q)[:limit]))

    def fetch(self, filters: Filters, *, limit: int) -> list[Hit]:
        q = Q("bool", filter=filtering(filters))
        return self._hits(self._run(self._search().query(q)[:limit]))

    def asked(self, question: str, filters: Filters, *, limit: int) -> Found:
        q = Q("bool", must=[Q("term", asked=question)], filter=filtering(filters))
        response = self._run(self._search().query(q).extra(track_total_hits=True)[:limit])
        return Found(response.hits.total.value, self._hits(response))

    def keys_mentioning(self, codes: Collection[str]) -> set[str]:
        if not codes:
            return set()
        q = Q("terms", branches=list(codes)) | Q("terms", excluded=list(codes))
        return {hit.key for hit in self._search().query(q).source(["key"]).scan()}
