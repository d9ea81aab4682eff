"""Article writes. Articles change only through Wagtail revisions.

Invariants:
* imports go through revisions too, so history, compare, revert and the audit log see them
  exactly as they see admin edits;
* an upsert that would not change the article makes nothing — no revision, no log entry,
  no publish;
* a new article takes a tree position nobody else can take and bumps the knowledge
  index's child count only at the end of the transaction (``at_batch_end``), so creating
  articles never holds the index row for longer than the commit.
"""

from __future__ import annotations

from django.db.models import F, Q
from wagtail.models import Page

from content.actors import Actor, require_article
from content.models import Category, KnowledgeArticle, KnowledgeIndexPage
from content.records import Record, article_record
from content.services.changelog import at_batch_end
from content.services.mapping import Lookups, article_products, article_values, is_published
from content.services.outcome import Outcome
from content.services.publishing import publish_checked
from content.services.transactions import content_transaction


def knowledge_index() -> KnowledgeIndexPage:
    """The page every article lives under (installed by a data migration)."""
    return KnowledgeIndexPage.objects.get()


def children_added(index: KnowledgeIndexPage, count: int) -> None:
    """Count `count` new articles under `index` when the transaction's batch ends."""
    at_batch_end(lambda: Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + count))


def _apply_fields(article: KnowledgeArticle, record: Record, lookups: Lookups) -> None:
    article.key = record["key"] or article.key
    for name, value in article_values(record, lookups).items():
        setattr(article, name, value)
    article.products = article_products(record, lookups)
    article.tags.set(record["tags"], clear=True)


def _same(article: KnowledgeArticle, record: Record) -> bool:
    return article_record(article, status=record["status"]) == record


def _insert(article: KnowledgeArticle, index: KnowledgeIndexPage) -> None:
    """Add `article` under `index` without locking the index (see the module docstring)."""
    article.depth = index.depth + 1
    # A placeholder position: KnowledgeArticle.save() takes a fresh one for new articles.
    article.path = KnowledgeArticle._get_path(index.path, article.depth, 1)
    article.numchild = 0
    article.live = False
    article.save()
    children_added(index, 1)


@content_transaction
def article_upsert(record: Record, *, actor: Actor, lookups: Lookups | None = None) -> Outcome:
    """Create or update the article `record` describes, as a Wagtail revision.

    ``status: published`` makes the record's content live; ``draft`` saves it as the
    latest draft and leaves whatever is live untouched.
    """
    lookups = lookups or Lookups()
    publish = is_published(record)
    existing = (
        KnowledgeArticle.objects.select_for_update().filter(key=record["key"]).first()
        if record["key"]
        else None
    )
    if existing is None:
        index = knowledge_index()
        require_article(actor, "publish_new" if publish else "add", index)
        article = KnowledgeArticle(owner=actor.user)
        _apply_fields(article, record, lookups)
        _insert(article, index)
        revision = article.save_revision(user=actor.user, log_action=True)
        if publish:
            publish_checked(revision, actor=actor)
        return Outcome.CREATED

    require_article(actor, "publish" if publish else "edit", existing)
    if publish and existing.live and _same(existing, record):
        return Outcome.UNCHANGED  # the live version already says this; drafts stay
    latest = existing.get_latest_revision_as_object()
    if _same(latest, record):
        if not publish:
            return Outcome.UNCHANGED
        publish_checked(existing.get_latest_revision(), actor=actor)
        return Outcome.PUBLISHED
    _apply_fields(latest, record, lookups)
    revision = latest.save_revision(user=actor.user, log_action=True)
    if publish:
        publish_checked(revision, actor=actor)
    return Outcome.UPDATED


# What a draft made from a reader's question says until an editor writes its answer.
DRAFT_SUMMARY = "（待编写）"


@content_transaction
def article_draft_for_question(
    question: str, *, category: Category, actor: Actor
) -> tuple[KnowledgeArticle, bool]:
    """A new article asking `question` as its standard question, saved as a draft for an
    editor to write and send for review (no reader sees it until it is published), and
    True; the article already asking it (its title, as last saved), and False."""
    question = question.strip()
    index = knowledge_index()
    require_article(actor, "add", index)
    asking = KnowledgeArticle.objects.filter(Q(title=question) | Q(draft_title=question)).first()
    if asking is not None:
        return asking, False
    article = KnowledgeArticle(
        owner=actor.user, title=question, summary=DRAFT_SUMMARY, category=category
    )
    _insert(article, index)
    article.save_revision(user=actor.user, log_action=True)
    return article, True


@content_transaction
def article_question_add(key: str, question: str, *, actor: Actor) -> tuple[KnowledgeArticle, bool]:
    """`question` added to the article's similar questions in a new draft revision (what
    readers see stays as it is until the draft is published), and True; the article and
    False when it (as last saved) already asks it."""
    article = KnowledgeArticle.objects.select_for_update().get(key=key)
    require_article(actor, "edit", article)
    latest = article.get_latest_revision_as_object()
    question = question.strip()
    if question in latest.questions or question == latest.title.strip():
        return article, False
    latest.similar_questions = "\n".join([*latest.questions, question])
    latest.full_clean()
    latest.save_revision(user=actor.user, log_action=True)
    return article, True
