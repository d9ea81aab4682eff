"""Article writes. Articles change only through Wagtail revisions.

Invariants:
* imports go through revisions too, so history, compare, revert and the audit log see them
  exactly as they see admin edits;
* an upsert that would not change the article makes nothing — no revision, no log entry,
  no publish.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from content.models import KnowledgeArticle, KnowledgeIndexPage, Product
from content.records import Record, article_record
from content.services.outcome import Outcome
from content.services.taxonomy import category_ensure


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
