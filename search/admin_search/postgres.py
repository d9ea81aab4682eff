"""The editors' search on PostgreSQL: Wagtail's tsvector backend over analysed text.

Invariants:
* every tsvector and tsquery is built with the ``simple`` configuration from text
  :mod:`search.admin_search.text` wrote (space-separated words, or grams), so
  PostgreSQL's parser splits exactly where the analysis did and nothing is stemmed;
* an entry's ``body`` vector holds everything a query matches — the words of all fields
  (weight A) and their grams (weight D) — so a query is one ``body @@ tsquery`` that
  Wagtail's GIN index on ``body`` answers, without concatenating vectors row by row;
  ``title`` holds the title's words again, for ranking; ``autocomplete`` stays empty;
* a query matches piece by piece (the piece's words, or its grams in sequence);
  ``autocomplete`` queries (the admin's) end on a prefix. Searching named fields
  (``fields=``, rare) reads the plain ``title_text`` / ``body_text`` words instead;
* results are ordered by ``ts_rank`` of the title and of the body, weighted as on SQLite
  (``WEIGHTS`` in the backend's settings); Wagtail's title norms are not used.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, TextField, Value
from modelsearch.backends.base import SearchFieldError
from modelsearch.backends.database.postgres.postgres import (
    EMPTY_VECTOR,
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from modelsearch.query import Phrase, PlainText
from modelsearch.utils import ADD, get_content_type_pk

from search import glossary
from search.admin_search import entries, text
from search.admin_search.weights import Weights

CONFIG = "simple"


def _lexeme(token: str, *, prefix: bool = False) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def tsquery_plain(query: str, operator: str, *, prefix: bool, grams: bool = True) -> str:
    """The tsquery of `query`: each piece's words, or (with `grams`) its grams in
    sequence; no piece at all is an empty query, which matches nothing."""
    pieces = text.pieces(query)
    found = []
    for number, piece in enumerate(pieces, start=1):
        last = prefix and number == len(pieces)
        alternatives = []
        if piece.words:
            words = [_lexeme(word) for word in piece.words[:-1]]
            words.append(_lexeme(piece.words[-1], prefix=last))
            alternatives.append("(" + " & ".join(words) + ")")
        if piece.grams and grams:
            sequence = [_lexeme(gram) for gram in piece.grams[:-1]]
            sequence.append(_lexeme(piece.grams[-1], prefix=last))
            alternatives.append("(" + " <-> ".join(sequence) + ")")
        if alternatives:
            found.append("(" + " | ".join(alternatives) + ")")
    return (" & " if operator.lower() == "and" else " | ").join(found)


def tsquery_phrase(query: str) -> str:
    return " <-> ".join(_lexeme(gram) for gram in text.phrase_grams(query))


def vector(words: str, weight: str) -> Any:
    if not words:
        return EMPTY_VECTOR
    return SearchVector(Value(words, output_field=TextField()), config=CONFIG, weight=weight)


class QueryCompiler(PostgresSearchQueryCompiler):
    PREFIX = False

    def check(self) -> None:
        """Only the searched fields are checked: the queryset's own SQL filters and orders
        the hits, so every filter of the article listing (channels, products, status)
        combines with a search, not only Wagtail's ``FilterField``s."""
        searchable = {f.field_name for f in self.queryset.model.get_searchable_search_fields()}
        for name in self.fields or ():
            if name not in searchable:
                raise SearchFieldError(f"cannot search in {name!r}", field_name=name)

    def get_config(self, backend: Any) -> str:
        return CONFIG

    def build_tsquery_content(self, query: Any, config: Any = None, invert: bool = False) -> Any:
        glossary.current()  # the segmenter knows the words the entries were cut with
        if isinstance(query, PlainText):
            raw = tsquery_plain(
                query.query_string, query.operator, prefix=self.PREFIX, grams=not self.fields
            )
        elif isinstance(query, Phrase):
            raw = tsquery_phrase(query.query_string)
        else:
            return super().build_tsquery_content(query, config=config, invert=invert)
        return SearchQuery(raw, search_type="raw", config=CONFIG, invert=invert)

    def search(
        self, config: Any, start: Any, stop: Any, score_field: Any = None, backend: Any = None
    ) -> Any:
        self.weights = backend.weights if backend is not None else Weights()
        return super().search(config, start, stop, score_field=score_field, backend=backend)

    def get_search_vectors(self, search_query: Any) -> list[tuple[Any, float]]:
        weights: Weights = self.weights
        if not self.fields:
            return [(F("index_entries__body"), weights.body)]
        vectors = []
        if "title" in self.fields:
            vectors.append((SearchVector("index_entries__title_text", config=CONFIG), 1.0))
        if set(self.fields) - {"title"}:
            vectors.append((SearchVector("index_entries__body_text", config=CONFIG), 1.0))
        return vectors

    def _build_rank_expression(self, vectors: Any, config: Any) -> Any:
        query = self.build_tsquery(self.query, config=config)
        if self.fields:
            return ADD(SearchRank(vector, query) for vector, _ in vectors)
        w: Weights = self.weights
        top = max(w.body, w.grams) or 1.0
        body = SearchRank(  # ts_rank's weights are {D, C, B, A}: grams are D, words A
            F("index_entries__body"), query, weights=[w.grams / top, 0.0, 0.0, w.body / top]
        )
        return SearchRank(F("index_entries__title"), query) * w.title + body * top


class AutocompleteQueryCompiler(QueryCompiler):
    """The admin's search: the same search, the last piece as the start of a word."""

    PREFIX = True


class Index(PostgresIndex):
    def add_items(self, model: type, objs: Any) -> None:
        if not model.get_search_fields():
            return
        content_type_id = get_content_type_pk(model)
        entry = entries.index_entry_model()
        rows = []
        for doc in entries.documents(objs):
            title, body = doc.words("title"), doc.words("body")
            everything = f"{title} {body}".strip()
            rows.append(
                entry(
                    content_type_id=content_type_id,
                    object_id=doc.object_id,
                    title=vector(title, "A"),
                    body=ADD([vector(everything, "A"), vector(doc.grams, "D")]),
                    autocomplete=EMPTY_VECTOR,
                    title_text=title,
                    body_text=body,
                )
            )
        entries.upsert(rows, ["title", "body", "autocomplete", "title_text", "body_text"])

    def _refresh_title_norms(self, full: bool = False) -> None:
        """Title norms are not used for ranking here (the title vector has its weight),
        and computing them reads every entry on every save."""


class AdminSearchBackend(PostgresSearchBackend):
    query_compiler_class = QueryCompiler
    autocomplete_query_compiler_class = AutocompleteQueryCompiler
    index_class = Index

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.config = self.autocomplete_config = CONFIG
        self.weights = Weights.from_params(params)


SearchBackend = AdminSearchBackend
