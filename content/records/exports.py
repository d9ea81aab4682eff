"""The normalised record of what is in the database: the export side of the format."""

from __future__ import annotations

import datetime as dt

from content.models import Branch, BranchOverride, Category, KnowledgeArticle, Product
from content.records.catalog import Record
from content.vocabulary import Visibility


def category_record(category: Category) -> Record:
    return {"type": "category", "path": category.path, "name": category.name}


def branch_record(branch: Branch) -> Record:
    return {
        "type": "branch",
        "code": branch.code,
        "name": branch.name,
        "parent": branch.parent.code if branch.parent_id else None,
        # by name: PostgreSQL's jsonb keeps its own key order, SQLite the order written
        "variables": dict(sorted((branch.variables or {}).items())),
    }


def product_record(product: Product) -> Record:
    return {
        "type": "product",
        "code": product.code,
        "name": product.name,
        "line": product.line,
        "status": product.status,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def article_record(article: KnowledgeArticle, *, status: str) -> Record:
    """The normalised record of one version of an article (live or a revision's object)."""
    return {
        "type": "article",
        "key": article.key,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "questions": article.questions,
        "category": article.category.path,
        "products": sorted(product.code for product in article.products.all()),
        "tags": sorted({tag.name for tag in article.tags.all()}),
        "channels": list(article.channels),
        "audience": article.audience,
        "effective_from": _iso(article.effective_from),
        "effective_to": _iso(article.effective_to),
        "review_due": _iso(article.review_due),
        "status": status,
    }


HIDDEN_FLAG = {Visibility.INHERIT: None, Visibility.HIDDEN: True, Visibility.SHOWN: False}


def override_record(override: BranchOverride, *, status: str) -> Record:
    """The normalised record of one version of an override (live row or a revision's)."""
    return {
        "type": "override",
        "article": override.article.key,
        "branch": override.branch.code,
        "hidden": HIDDEN_FLAG[override.visibility],
        "summary": override.summary,
        "sections": override.operations(),
        "note": override.note,
        "status": status,
    }
