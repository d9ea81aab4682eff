"""Export the knowledge base as kms_import JSONL, in an order that imports cleanly.

Invariant: importing an export into an empty knowledge base and exporting again yields
the same lines. An article that is live and also has a newer draft is written twice —
the live version as ``published``, then the draft — so both survive the round trip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from content.models import Branch, Category, KnowledgeArticle, Product
from content.records import (
    Record,
    article_record,
    branch_record,
    category_record,
    product_record,
)


def _branches_top_down() -> Iterator[Branch]:
    # path order puts every parent before its children
    yield from Branch.objects.select_related("parent").order_by("path")


def records() -> Iterator[Record]:
    for category in Category.objects.order_by("path"):
        yield category_record(category)
    for branch in _branches_top_down():
        yield branch_record(branch)
    for product in Product.objects.order_by("code"):
        yield product_record(product)
    articles = KnowledgeArticle.objects.select_related("category").order_by("key")
    for article in articles.iterator(chunk_size=500):
        if article.live:
            yield article_record(article, status="published")
        if article.has_unpublished_changes or not article.live:
            latest = article.get_latest_revision_as_object()
            yield article_record(latest, status="draft")


def lines() -> Iterator[str]:
    for record in records():
        yield json.dumps(record, ensure_ascii=False) + "\n"
