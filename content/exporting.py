"""Export the knowledge base as kms_import JSONL, in an order that imports cleanly.

Invariant: importing an export into an empty knowledge base and exporting again yields
the same lines. An article that is live and also has a newer draft is written twice —
the live version as ``published``, then the draft — so both survive the round trip;
overrides follow the articles, in the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from content.models import Branch, BranchOverride, Category, KnowledgeArticle, Product
from content.records import (
    Record,
    article_record,
    branch_record,
    category_record,
    override_record,
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
    articles = (
        KnowledgeArticle.objects.select_related("category")
        .prefetch_related("products", "tags")
        .order_by("key")
    )
    for article in articles.iterator(chunk_size=500):
        yield from _versions(article, article_record)
    overrides = BranchOverride.objects.select_related("article", "branch").order_by(
        "article__key", "branch__path"
    )
    for override in overrides.iterator(chunk_size=500):
        yield from _versions(override, override_record)


def _versions(obj: Any, to_record: Callable[..., Record]) -> Iterator[Record]:
    """The live version as ``published``, then a pending draft as ``draft``."""
    if obj.live:
        yield to_record(obj, status="published")
    if obj.has_unpublished_changes or not obj.live:
        yield to_record(obj.get_latest_revision_as_object(), status="draft")


def lines() -> Iterator[str]:
    for record in records():
        yield json.dumps(record, ensure_ascii=False) + "\n"
