"""Bulk creation of new HQ articles (see the package docstring for the invariant)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import reset_queries
from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from content.actors import Actor, require_article
from content.markdown import Checked
from content.models import (
    Action,
    ArticlePosition,
    ArticleTag,
    ChangeEvent,
    KnowledgeArticle,
    KnowledgeIndexPage,
    PublishedArticle,
)
from content.parallel import pmap_ahead
from content.records import Record
from content.selectors import BranchTree
from content.services.articles import children_added, knowledge_index
from content.services.bulk.rows import (
    insert_child_rows,
    page_log,
    revisions_create,
    search_entries_add,
)
from content.services.changelog import changes_append_bulk
from content.services.inserts import insert_rows
from content.services.mapping import Lookups, article_products, article_values, is_published
from content.services.snapshots import article_snapshot
from content.services.transactions import content_transaction
from content.text_facts import TextFacts, facts_of, text_facts

CHUNK = 500


@content_transaction
def articles_create(
    records: Sequence[Record],
    *,
    actor: Actor,
    lookups: Lookups | None = None,
    progress: Callable[[int], None] | None = None,
    checked: Mapping[str, Checked] | None = None,
) -> int:
    """Create the articles of `records` (none of whose keys exist yet); returns how many.

    `checked` maps texts to the Markdown checks validation ran (sections included); texts
    it lacks are analysed here, on the other cores while this one writes rows.
    """
    index = knowledge_index()
    require_article(actor, "publish_new" if any(map(is_published, records)) else "add", index)
    lookups = lookups or Lookups()
    branches = BranchTree.load().codes
    facts = _snapshot_facts([r for r in records if is_published(r)], checked or {})
    for start in range(0, len(records), CHUNK):
        _chunk(records[start : start + CHUNK], actor, index, lookups, branches, facts)
        reset_queries()  # with DEBUG on, Django would keep every (huge) INSERT in memory
        if progress:
            progress(min(start + CHUNK, len(records)))
    return len(records)


def _snapshot_facts(records: list[Record], checked: Mapping[str, Checked]) -> Iterator[TextFacts]:
    """The snapshot facts of `records`, in order: from their checks where validation left
    them, else computed on the other cores (started now, taken as needed)."""
    known = [
        facts_of(checked[r["summary"]], checked[r["body"]])
        if r["summary"] in checked and r["body"] in checked
        else None
        for r in records
    ]
    missing = [
        (r["summary"], r["body"]) for r, fact in zip(records, known, strict=True) if not fact
    ]
    computed = pmap_ahead(text_facts, missing)
    return (fact or next(computed) for fact in known)


def _new_articles(
    records: Sequence[Record], actor: Actor, index: KnowledgeIndexPage, lookups: Lookups
) -> list[KnowledgeArticle]:
    article_ct = ContentType.objects.get_for_model(KnowledgeArticle)
    now = timezone.now()
    articles = []
    for record, position in zip(records, ArticlePosition.take(len(records)), strict=True):
        publish = is_published(record)
        article = KnowledgeArticle(
            key=record["key"],
            **article_values(record, lookups),
            owner=actor.user,
            content_type=article_ct,
            locale_id=index.locale_id,
            translation_key=uuid.uuid4(),
            path=KnowledgeArticle._get_path(index.path, index.depth + 1, position),
            depth=index.depth + 1,
            numchild=0,
            live=publish,
            has_unpublished_changes=not publish,
            first_published_at=now if publish else None,
            last_published_at=now if publish else None,
            latest_revision_created_at=now,
        )
        article.ensure_identity()
        article.url_path = f"{index.url_path}{article.slug}/"
        articles.append(article)
    return articles


def _chunk(
    records: Sequence[Record],
    actor: Actor,
    index: KnowledgeIndexPage,
    lookups: Lookups,
    branches: list[str],
    facts: Iterator[TextFacts],
) -> None:
    article_ct = ContentType.objects.get_for_model(KnowledgeArticle)
    page_ct = ContentType.objects.get_for_model(Page)
    now = timezone.now()
    articles = _new_articles(records, actor, index, lookups)
    insert_rows(Page, articles, fields=Page._meta.concrete_fields)  # the parent rows
    for article, record in zip(articles, records, strict=True):
        article.page_ptr_id = article.id
        article.wagtail_admin_comments = []  # in memory: serialising must not query
        article.products = article_products(record, lookups)
        # in memory, as tags.set() leaves them, without its query per article
        article.tagged_items = [ArticleTag(tag=lookups.tag(name)) for name in record["tags"]]
    insert_child_rows(KnowledgeArticle, articles)
    children_added(index, len(articles))

    revisions = revisions_create(articles, Page, article_ct, page_ct, actor.user, now)
    ArticleTag.objects.bulk_create(
        ArticleTag(content_object_id=a.pk, tag_id=item.tag_id)
        for a in articles
        for item in a.tagged_items.all()
    )
    through = KnowledgeArticle.products.through
    through.objects.bulk_create(
        through(knowledgearticle_id=a.pk, product_id=p.pk)
        for a in articles
        for p in a.products.all()
    )
    _log(articles, revisions, actor, article_ct, now)
    search_entries_add(KnowledgeArticle, articles)

    live = [(a, r) for a, r in zip(articles, revisions, strict=True) if a.live]
    insert_rows(PublishedArticle, [article_snapshot(a, r.pk, next(facts)) for a, r in live])
    changes_append_bulk(
        [
            ChangeEvent(
                article_key=a.key, action=Action.PUBLISHED, branches=branches, revision_id=r.pk
            )
            for a, r in live
        ]
    )


def _log(articles: list, revisions: list, actor: Actor, ct: Any, at: Any) -> None:
    entries = []
    for article, revision in zip(articles, revisions, strict=True):
        entries.append(page_log(article, "wagtail.create", None, actor.user, ct, at))
        entries.append(page_log(article, "wagtail.edit", revision, actor.user, ct, at))
        if article.live:
            entries.append(page_log(article, "wagtail.publish", revision, actor.user, ct, at))
    insert_rows(PageLogEntry, entries)
