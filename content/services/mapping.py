"""From a normalised record to model values: one mapping for the bulk and one-by-one paths.

Invariant: ``content.services.articles`` / ``overrides`` (one by one) and
``content.services.bulk`` (many at once) set exactly the same field values from a record,
because both take them from here; tests/content/test_bulk.py compares the rows they write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from taggit.models import Tag

from content.models import Category, OverrideSection, Product, Visibility
from content.records import Record
from content.services.taxonomy import category_ensure
from content.vocabulary import RecordStatus

#: The record's ``hidden`` flag (true / false / null) as the override's visibility.
VISIBILITY = {None: Visibility.INHERIT, True: Visibility.HIDDEN, False: Visibility.SHOWN}


def is_published(record: Record) -> bool:
    return record["status"] == RecordStatus.PUBLISHED


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Lookups:
    """Categories, products and tags by name, cached for the length of one import."""

    def __init__(self) -> None:
        self.categories: dict[str, Category] = {}
        self.products: dict[str, Product] = {}
        self.tags: dict[str, Tag] = {}

    def category(self, path: str) -> Category:
        if path not in self.categories:
            self.categories[path] = category_ensure(path)
        return self.categories[path]

    def product(self, code: str) -> Product:
        if code not in self.products:  # records earlier in the import may have added it
            self.products.update((p.code, p) for p in Product.objects.all())
        return self.products[code]

    def tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name] = Tag.objects.filter(name=name).first() or Tag.objects.create(name=name)
        return self.tags[name]


def article_values(record: Record, lookups: Lookups) -> dict[str, Any]:
    """The article's own field values (not its key, products or tags)."""
    return {
        "title": record["title"],
        "draft_title": record["title"],
        "summary": record["summary"],
        "body": record["body"],
        "similar_questions": "\n".join(record["questions"]),
        "category": lookups.category(record["category"]),
        "channels": record["channels"],
        "audience": record["audience"],
        "effective_from": _date(record["effective_from"]),
        "effective_to": _date(record["effective_to"]),
        "review_due": _date(record["review_due"]),
    }


def article_products(record: Record, lookups: Lookups) -> list[Product]:
    return [lookups.product(code) for code in record["products"]]


def override_values(record: Record) -> dict[str, Any]:
    """The override's own field values (not its article, branch or sections)."""
    return {
        "visibility": VISIBILITY[record["hidden"]],
        "summary": record["summary"],
        "note": record["note"],
    }


def override_sections(record: Record) -> list[OverrideSection]:
    return [
        OverrideSection(slug=slug, mode=operation["mode"], body=operation["body"], sort_order=n)
        for n, (slug, operation) in enumerate(record["sections"].items())
    ]
