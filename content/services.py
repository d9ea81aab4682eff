"""Writes to the knowledge base. Every editorial change goes through a function here.

Invariants:
* articles are only ever changed through Wagtail revisions (so history, compare, revert
  and the audit log see imports exactly as they see admin edits);
* an article upsert that would not change the article makes nothing — no revision, no
  log entry, no publish;
* taxonomy upserts are idempotent and keep each tree's paths consistent.
"""

from __future__ import annotations

import enum
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from content.models import Branch, Category, KnowledgeArticle, KnowledgeIndexPage, Product
from content.records import Record, article_record

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    PUBLISHED = "published"
    UNCHANGED = "unchanged"


def category_ensure(path: str, name: str | None = None) -> Category:
    """The category at `path`, creating it and any missing ancestors."""
    parent: Category | None = None
    segments = path.split("/")
    for depth, segment in enumerate(segments, start=1):
        here = "/".join(segments[:depth])
        category = Category.objects.filter(path=here).first()
        label = name if depth == len(segments) and name else None
        if category is None:
            category = Category(segment=segment, name=label or segment, parent=parent)
            category.save()
        elif label and category.name != label:
            category.name = label
            category.save(update_fields=["name"])
        parent = category
    assert parent is not None  # noqa: S101  (a validated path has at least one segment)
    return parent


def category_upsert(record: Record) -> Outcome:
    existed = Category.objects.filter(path=record["path"]).exists()
    before = Category.objects.filter(path=record["path"]).values_list("name", flat=True).first()
    category_ensure(record["path"], record["name"])
    if not existed:
        return Outcome.CREATED
    return Outcome.UNCHANGED if before == record["name"] else Outcome.UPDATED


def branch_upsert(record: Record) -> Outcome:
    parent = Branch.objects.get(code=record["parent"]) if record["parent"] else None
    values = {"name": record["name"], "parent": parent, "variables": record["variables"]}
    branch = Branch.objects.filter(code=record["code"]).first()
    if branch is None:
        Branch(code=record["code"], **values).save()
        return Outcome.CREATED
    if all(getattr(branch, name) == value for name, value in values.items()):
        return Outcome.UNCHANGED
    for name, value in values.items():
        setattr(branch, name, value)
    branch.save()
    return Outcome.UPDATED


def product_upsert(record: Record) -> Outcome:
    values = {name: record[name] for name in ("name", "line", "status")}
    product, created = Product.objects.get_or_create(code=record["code"], defaults=values)
    if created:
        return Outcome.CREATED
    if all(getattr(product, name) == value for name, value in values.items()):
        return Outcome.UNCHANGED
    Product.objects.filter(pk=product.pk).update(**values)
    return Outcome.UPDATED


def knowledge_index() -> KnowledgeIndexPage:
    """The page every article lives under (installed by a data migration)."""
    return KnowledgeIndexPage.objects.get()


def _apply_fields(article: KnowledgeArticle, record: Record) -> None:
    article.key = record["key"] or article.key
    article.title = record["title"]
    article.draft_title = record["title"]
    article.summary = record["summary"]
    article.body = record["body"]
    article.similar_questions = "\n".join(record["questions"])
    article.category = category_ensure(record["category"])
    article.products = list(Product.objects.filter(code__in=record["products"]))
    article.tags.set(record["tags"], clear=True)
    article.channels = record["channels"]
    article.audience = record["audience"]
    article.effective_from = record["effective_from"]
    article.effective_to = record["effective_to"]
    article.review_due = record["review_due"]


def _same(article: KnowledgeArticle, record: Record) -> bool:
    return article_record(article, status=record["status"]) == record


@transaction.atomic
def article_upsert(record: Record, *, user: AbstractBaseUser | None = None) -> Outcome:
    """Create or update the article `record` describes, as a Wagtail revision.

    ``status: published`` makes the record's content live; ``draft`` saves it as the
    latest draft and leaves whatever is live untouched.
    """
    publish = record["status"] == "published"
    existing = KnowledgeArticle.objects.filter(key=record["key"]).first() if record["key"] else None
    if existing is None:
        article = KnowledgeArticle(owner=user)
        _apply_fields(article, record)
        article.live = False
        knowledge_index().add_child(instance=article)
        revision = article.save_revision(user=user, log_action=True)
        if publish:
            revision.publish(user=user, log_action=True)
        return Outcome.CREATED

    if publish and existing.live and _same(existing, record):
        return Outcome.UNCHANGED  # the live version already says this; drafts stay
    latest = existing.get_latest_revision_as_object()
    if _same(latest, record):
        if not publish:
            return Outcome.UNCHANGED
        existing.get_latest_revision().publish(user=user, log_action=True)
        return Outcome.PUBLISHED
    _apply_fields(latest, record)
    revision = latest.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user, log_action=True)
    return Outcome.UPDATED
