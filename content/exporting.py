"""Export the knowledge base as kms_import JSONL, in an order that imports cleanly.

Invariant: importing an export into an empty knowledge base and exporting again yields
the same lines. An article that is live and also has a newer draft is written twice —
the live version as ``published``, then the draft — so both survive the round trip;
overrides follow the articles, in the same way. Each record is one line in every reader's
sense: the characters that some split lines at (U+0085, U+2028, U+2029) are written as
escapes (``\\u2028``), like the control characters JSON escapes anyway.
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
from content.vocabulary import RecordStatus


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
        yield to_record(obj, status=RecordStatus.PUBLISHED)
    if obj.has_unpublished_changes or not obj.live:
        yield to_record(obj.get_latest_revision_as_object(), status=RecordStatus.DRAFT)


# json.dumps writes none of these outside strings, so escaping them keeps the JSON equal.
_LINE_SEPARATORS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _one_line(text: str) -> str:
    for separator, escaped in _LINE_SEPARATORS:
        if separator in text:
            text = text.replace(separator, escaped)
    return text


def lines() -> Iterator[str]:
    for record in records():
        yield _one_line(json.dumps(record, ensure_ascii=False)) + "\n"
