"""The editors' search on SQLite: Wagtail's FTS5 backend over analysed text, ranked by BM25.

Invariants:
* the FTS5 table Wagtail's migrations made (columns ``autocomplete, body, title``, the
  ``unicode61`` tokenizer) only ever receives text :mod:`search.admin_search.text` wrote:
  space-separated words in ``title`` and ``body``, space-separated grams in
  ``autocomplete`` — so FTS5's own tokenizer splits exactly where the analysis did;
* a query is analysed the same way and matches piece by piece (words, or the piece as
  written); ``autocomplete`` queries (the admin's) treat the last piece as a prefix;
* results are ordered by one weighted BM25 over the three columns (title above body above
  grams, ``WEIGHTS`` in the backend's settings); Wagtail's title norms are not used;
* a search reads the full-text index twice, never once per candidate row: once for every
  hit's score (FTS5 drives, the entries are looked up by rowid) and once for which hits
  the listing's own queryset (its filters and permissions) keeps. Wagtail's SQLite
  backend scores each row in a correlated subquery, which SQLite plans as one full-text
  search per index entry: 28 s for 退保 at 50,000 articles.
"""

from __future__ import annotations

from typing import Any

from django.db.models import FloatField, Func, QuerySet, Value
from modelsearch.backends.base import SearchFieldError
from modelsearch.backends.database.sqlite.query import (
    MatchExpression,
    SearchQueryExpression,
    SQLiteFTSIndexEntry,
    normalize,
)
from modelsearch.backends.database.sqlite.sqlite import (
    SQLiteIndex,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
)
from modelsearch.query import MatchAll, Not, Phrase, PlainText
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from search import glossary
from search.admin_search import entries, text
from search.admin_search.weights import Weights

WORD_COLUMNS = ("body", "title")


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_plain(query: str, operator: str, *, prefix: bool, columns: tuple[str, ...]) -> str:
    """The FTS5 expression of `query`: each piece's words in `columns`, or its grams in
    sequence (only when all columns are searched); no piece at all matches nothing."""
    pieces = text.pieces(query)
    found = []
    for number, piece in enumerate(pieces, start=1):
        star = "*" if prefix and number == len(pieces) else ""
        alternatives = []
        if piece.words:
            words = [_quoted(word) for word in piece.words]
            words[-1] += star
            alternatives.append(f"({{{' '.join(columns)}}} : ({' AND '.join(words)}))")
        if piece.grams and set(columns) == set(WORD_COLUMNS):
            alternatives.append(f"({{autocomplete}} : {_quoted(' '.join(piece.grams))}{star})")
        if alternatives:
            found.append("(" + " OR ".join(alternatives) + ")")
    joiner = " AND " if operator.lower() == "and" else " OR "
    return joiner.join(found) or '""'


def match_phrase(query: str) -> str:
    grams = text.phrase_grams(query)
    return f"({{autocomplete}} : {_quoted(' '.join(grams))})" if grams else '""'


class WeightedBM25(Func):
    """FTS5's ``bm25()`` with a weight per column (in the table's column order)."""

    output_field = FloatField()

    def __init__(self, weights: Weights) -> None:
        super().__init__()
        self.weights = weights

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        w = self.weights
        table = SQLiteFTSIndexEntry._meta.db_table
        return f"bm25({table}, %s, %s, %s)", [w.grams, w.body, w.title]


class QueryCompiler(SQLiteSearchQueryCompiler):
    PREFIX = False
    FTS_TABLE_FIELDS = ["autocomplete", *WORD_COLUMNS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.fields:  # searched fields become the columns their words are in
            searchable = {f.field_name for f in self.queryset.model.get_searchable_search_fields()}
            for name in self.fields:
                if name not in searchable:
                    raise SearchFieldError(f"cannot search in {name!r}", field_name=name)
            self.fields = sorted({"title" if name == "title" else "body" for name in self.fields})

    def check(self) -> None:
        """Nothing more to check: the queryset's own SQL filters and orders the hits, so
        every filter of the article listing (channels, products, status) combines with a
        search, not only Wagtail's ``FilterField``s."""

    def _columns(self) -> tuple[str, ...]:
        return tuple(self.fields) if self.fields else WORD_COLUMNS

    def build_search_query_content(self, query: Any, config: Any = None) -> Any:
        glossary.current()  # the segmenter knows the words the entries were cut with
        if isinstance(query, PlainText):
            expression = match_plain(
                query.query_string, query.operator, prefix=self.PREFIX, columns=self._columns()
            )
        elif isinstance(query, Phrase):
            expression = match_phrase(query.query_string)
        else:
            return super().build_search_query_content(query, config=config)
        return SearchQueryExpression(Value(f"({expression})"))

    def _build_rank_expression(self, vectors: Any, config: Weights) -> WeightedBM25:
        return WeightedBM25(config)

    def _plain(self) -> bool:
        """Whether the query is one this compiler answers itself (Wagtail's own path
        handles match-all and negated queries)."""
        query = normalize(self.query)
        return not isinstance(query, MatchAll | Not)

    def _match(self) -> MatchExpression:
        return MatchExpression(
            self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(self.query)
        )

    def _hits(self, config: Weights, limit: int | None) -> tuple[list[tuple[str, float]], bool]:
        """(object id, score) of the searched models' entries among the best `limit`
        matching entries (all with None), best first; and whether that was all of them."""
        models = set(get_descendants_content_types_pks(self.queryset.model))
        rows = (  # the only constraint is the MATCH: FTS5 drives, entries by rowid
            SQLiteFTSIndexEntry.objects.filter(self._match())
            .annotate(score=WeightedBM25(config))
            .order_by("score")
            .values_list("index_entry__object_id", "index_entry__content_type_id", "score")
        )
        rows = list(rows[:limit])
        hits = [(oid, score) for oid, model, score in rows if model in models]
        return hits, limit is None or len(rows) < limit

    def _matching(self) -> QuerySet:
        """The queryset's objects that match, unordered (one full-text search in SQL)."""
        entry_ids = (
            entries.index_entry_model()
            ._default_manager.filter(
                pk__in=SQLiteFTSIndexEntry.objects.filter(self._match()).values("pk"),
                content_type_id__in=get_descendants_content_types_pks(self.queryset.model),
            )
            .values("object_id")
        )
        return self.queryset.filter(pk__in=entry_ids)

    def _kept(self) -> set[str]:
        """The ids of the hits the queryset keeps."""
        if not hasattr(self, "_kept_cache"):
            self._kept_cache = {str(pk) for pk in self._matching().values_list("pk", flat=True)}
        return self._kept_cache

    def count(self, config: Weights) -> int:
        if not self._plain():
            return self.search(config, None, None).count()
        return len(self._kept())

    def ranked(self, config: Weights, start: int, stop: int | None, score_field: Any) -> list:
        """The objects of hits `start` to `stop`, best first (in the queryset's order
        when it asks for one instead)."""
        if not self._plain() or not self.order_by_relevance:
            return list(self.search(config, start, stop, score_field=score_field))
        kept = self._kept()
        # Scores of the best hits first: the queryset usually keeps nearly all of them.
        limit = max(2 * stop, 100) if stop is not None else None
        while True:
            hits, complete = self._hits(config, limit)
            page = [(oid, score) for oid, score in hits if oid in kept][start:stop]
            if complete or stop is None or len(page) >= stop - start:
                break
            limit *= 4
        found = {str(obj.pk): obj for obj in self.queryset.filter(pk__in=[o for o, _ in page])}
        ordered = []
        for oid, score in page:
            if obj := found.get(oid):
                if score_field:
                    setattr(obj, score_field, score)
                ordered.append(obj)
        return ordered

    def search(self, config: Weights, start: Any, stop: Any, score_field: Any = None) -> QuerySet:
        """The hits as a queryset, in the queryset's own order (facets, explicit orderings)."""
        if not self._plain():
            return super().search(config, start, stop, score_field=score_field)
        queryset = self._matching()
        if not queryset.query.order_by:
            queryset = queryset.order_by("-pk")
        return queryset[start:stop]


class AutocompleteQueryCompiler(QueryCompiler):
    """The admin's search: the same search, the last piece as the start of a word."""

    PREFIX = True


class Index(SQLiteIndex):
    def add_items(self, model: type, objs: Any) -> None:
        if not model.get_search_fields():
            return
        content_type_id = get_content_type_pk(model)
        entry = entries.index_entry_model()
        rows = [
            entry(
                content_type_id=content_type_id,
                object_id=doc.object_id,
                title=doc.words("title"),
                body=doc.words("body"),
                autocomplete=doc.grams,
            )
            for doc in entries.documents(objs)
        ]
        entries.upsert(rows, ["title", "body", "autocomplete"])

    def _refresh_title_norms(self, full: bool = False) -> None:
        """Title norms are not used for ranking here (BM25 weights the title column), and
        rewriting them would rewrite every FTS row through Wagtail's update trigger."""


class Results(SQLiteSearchResults):
    def _do_search(self) -> list:
        config = self.query_compiler.get_config(self.backend)
        return self.query_compiler.ranked(config, self.start, self.stop, self._score_field)

    def _do_count(self) -> int:
        return self.query_compiler.count(self.query_compiler.get_config(self.backend))


class AdminSearchBackend(SQLiteSearchBackend):
    query_compiler_class = QueryCompiler
    autocomplete_query_compiler_class = AutocompleteQueryCompiler
    index_class = Index
    results_class = Results

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.config = self.autocomplete_config = Weights.from_params(params)


SearchBackend = AdminSearchBackend
