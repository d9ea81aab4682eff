"""The Elasticsearch mapping of a search record (``search.records.Record``).

Invariant: the analysed fields are ``text`` with the ``whitespace`` analyzer and BM25 —
the tokens come from :mod:`search.analysis`, as for tantivy — so both engines score the
same terms alike; filters and facets are ``keyword`` fields; ``payload`` is stored only.
"""

from __future__ import annotations

from elasticsearch import dsl

TOKENS = {"analyzer": "whitespace", "similarity": "BM25"}
LOOSE = {**TOKENS, "index_options": "freqs"}  # matched token by token: no positions
SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}


class ArticleVariant(dsl.Document):
    key = dsl.Keyword()
    branches = dsl.Keyword()
    excluded = dsl.Keyword()
    channels = dsl.Keyword()
    audience = dsl.Keyword()
    category = dsl.Keyword()
    category_paths = dsl.Keyword()
    products = dsl.Keyword()
    tags = dsl.Keyword()
    text = dsl.Text(**TOKENS)
    title = dsl.Text(**TOKENS)
    questions = dsl.Text(**TOKENS)
    summary = dsl.Text(**TOKENS)
    sound = dsl.Text(**LOOSE)
    grams = dsl.Text(**LOOSE)
    complete = dsl.Keyword()
    asked = dsl.Keyword()
    payload = dsl.Keyword(index=False, doc_values=False)

    class Index:
        settings = SETTINGS


def mapping() -> dict:
    """The index body (settings and mappings) a new versioned index is created with."""
    index = dsl.Index("unnamed")
    index.settings(**SETTINGS)
    index.document(ArticleVariant)
    return index.to_dict()
