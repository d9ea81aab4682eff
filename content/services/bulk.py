"""Bulk creation of new articles and overrides, for imports of tens of thousands of records.

Invariant: for every record it takes, the bulk path writes the rows the one-by-one path
(``article_upsert`` / ``override_upsert``) writes — page and article rows in the page
tree, tags and products, one revision, the audit-log entries, and for published records
the snapshot and its change event — with the same values, only in a few statements per
chunk instead of dozens per record. tests/content/test_bulk.py compares both paths.
It only *creates*: records that change existing articles take the one-by-one path.
Known difference: Wagtail's reference index (the admin's "usage" counts) is not filled
here; ``manage.py rebuild_references_index`` does that.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, reset_queries, transaction
from django.db.models import F
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import ModelLogEntry, Page, PageLogEntry, Revision

from content.markdown import render_with_variables
from content.models import (
    Action,
    ArticleTag,
    Branch,
    BranchOverride,
    ChangeEvent,
    KnowledgeArticle,
    OverrideSection,
    Product,
    PublishedArticle,
    PublishedOverride,
)
from content.parallel import pmap
from content.records import Record
from content.selectors import BranchTree
from content.services.articles import knowledge_index
from content.services.changelog import changes_append_bulk
from content.services.overrides import VISIBILITY
from content.services.snapshots import article_snapshot, hq_variables, override_snapshot
from content.services.taxonomy import category_ensure

CHUNK = 500


def _insert_child_rows(model: type, objects: Sequence[Any]) -> None:
    """INSERT the child-table rows of multi-table-inherited objects.

    Django's bulk_create refuses multi-table inheritance; the parent rows exist already.
    """
    fields = list(model._meta.local_concrete_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _revisions_create(
    objects: Sequence[Any], table_model: type, ct: Any, base_ct: Any, user: Any, at: Any
) -> list[Revision]:
    """One revision per object, as ``save_revision`` makes it, and point the object at it
    (``latest_revision``, and ``live_revision`` when live)."""
    revisions = Revision.objects.bulk_create(
        Revision(
            content_type=ct,
            base_content_type=base_ct,
            object_id=str(obj.pk),
            created_at=at,
            user=user,
            object_str=str(obj),
            content=_as_drafted(obj),
        )
        for obj in objects
    )
    for obj, revision in zip(objects, revisions, strict=True):
        obj.latest_revision_id = revision.pk
        obj.live_revision_id = revision.pk if obj.live else None
    _set_revisions(table_model, [(o.latest_revision_id, o.live_revision_id, o.pk) for o in objects])
    return revisions


def _set_revisions(model: type, rows: list[tuple[int, int | None, int]]) -> None:
    """Point each (latest, live, pk) row at its revisions: one prepared UPDATE, many rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET latest_revision_id = %s, live_revision_id = %s WHERE id = %s",  # noqa: S608
            rows,
        )


class _Lookups:
    """Per-import caches of categories, products and tags."""

    def __init__(self) -> None:
        self.categories: dict[str, Any] = {}
        self.products = dict(_products())
        self.tags: dict[str, Tag] = {}

    def category(self, path: str) -> Any:
        if path not in self.categories:
            self.categories[path] = category_ensure(path)
        return self.categories[path]

    def tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name] = Tag.objects.filter(name=name).first() or Tag.objects.create(name=name)
        return self.tags[name]


def _as_drafted(obj: Any) -> dict:
    """Revision content as ``save_revision`` records it: taken before the publish."""
    live, changes = obj.live, obj.has_unpublished_changes
    obj.live, obj.has_unpublished_changes = False, False
    try:
        return obj.serializable_data()
    finally:
        obj.live, obj.has_unpublished_changes = live, changes


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _products() -> list[tuple[str, Product]]:
    return [(product.code, product) for product in Product.objects.all()]


def _page_log(
    page: Any, action: str, revision: Revision | None, user: Any, ct: Any, at: Any
) -> PageLogEntry:
    return PageLogEntry(
        content_type=ct,
        label=page.draft_title,
        action=action,
        timestamp=at,
        data={},
        user=user,
        revision=revision,
        content_changed=True,
        page_id=page.pk,
    )


@transaction.atomic
def articles_create(
    records: Sequence[Record], *, user: Any = None, progress: Callable[[int], None] | None = None
) -> int:
    """Create the articles of `records` (none of whose keys exist yet); returns how many."""
    lookups = _Lookups()
    variables = hq_variables()
    branches = sorted(Branch.objects.values_list("code", flat=True))
    for start in range(0, len(records), CHUNK):
        _articles_chunk(records[start : start + CHUNK], user, lookups, variables, branches)
        reset_queries()  # with DEBUG on, Django would keep every (huge) INSERT in memory
        if progress:
            progress(min(start + CHUNK, len(records)))
    return len(records)


def _articles_chunk(
    records: Sequence[Record], user: Any, lookups: _Lookups, variables: dict, branches: list
) -> None:
    index = knowledge_index()
    article_ct = ContentType.objects.get_for_model(KnowledgeArticle)
    page_ct = ContentType.objects.get_for_model(Page)
    last = index.get_last_child()
    position = last._get_lastpos_in_path() if last else 0
    now = timezone.now()
    articles: list[KnowledgeArticle] = []
    for record in records:
        position += 1
        publish = record["status"] == "published"
        article = KnowledgeArticle(
            key=record["key"],
            title=record["title"],
            draft_title=record["title"],
            summary=record["summary"],
            body=record["body"],
            similar_questions="\n".join(record["questions"]),
            category=lookups.category(record["category"]),
            channels=record["channels"],
            audience=record["audience"],
            effective_from=_date(record["effective_from"]),
            effective_to=_date(record["effective_to"]),
            review_due=_date(record["review_due"]),
            owner=user,
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

    page_fields = [f.attname for f in Page._meta.concrete_fields if not f.primary_key]
    pages = Page.objects.bulk_create(
        [Page(**{name: getattr(a, name) for name in page_fields}) for a in articles]
    )
    for article, page, record in zip(articles, pages, records, strict=True):
        article.pk = article.id = article.page_ptr_id = page.pk
        article.wagtail_admin_comments = []  # in memory: serialising must not query
        article.products = [lookups.products[code] for code in record["products"]]
        article.tags.set([lookups.tag(name) for name in record["tags"]], clear=True)
    _insert_child_rows(KnowledgeArticle, articles)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(articles))

    revisions = _revisions_create(articles, Page, article_ct, page_ct, user, now)

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

    entries = []
    for article, revision in zip(articles, revisions, strict=True):
        entries.append(_page_log(article, "wagtail.create", None, user, article_ct, now))
        entries.append(_page_log(article, "wagtail.edit", revision, user, article_ct, now))
        if article.live:
            entries.append(_page_log(article, "wagtail.publish", revision, user, article_ct, now))
    PageLogEntry.objects.bulk_create(entries)

    live = [(a, r) for a, r in zip(articles, revisions, strict=True) if a.live]
    renders = pmap(render_with_variables, [(a.body, variables) for a, _ in live])
    PublishedArticle.objects.bulk_create(
        article_snapshot(a, r.pk, variables, rendered)
        for (a, r), rendered in zip(live, renders, strict=True)
    )
    changes_append_bulk(
        [
            ChangeEvent(
                article_key=a.key, action=Action.PUBLISHED, branches=branches, revision_id=r.pk
            )
            for a, r in live
        ]
    )


@transaction.atomic
def overrides_create(
    records: Sequence[Record], *, user: Any = None, progress: Callable[[int], None] | None = None
) -> int:
    """Create the overrides of `records` (none of which exist yet); returns how many."""
    tree = BranchTree.load()
    affected = {code: sorted([code, *tree.descendants(code)]) for code in tree.parents}
    branch_ids = dict(Branch.objects.values_list("code", "pk"))
    override_ct = ContentType.objects.get_for_model(BranchOverride)
    for start in range(0, len(records), CHUNK):
        chunk = records[start : start + CHUNK]
        articles = {
            a.key: a
            for a in KnowledgeArticle.objects.filter(key__in={r["article"] for r in chunk}).only(
                "pk", "key", "live_revision_id"
            )
        }
        _overrides_chunk(chunk, user, articles, branch_ids, affected, override_ct)
        reset_queries()
        if progress:
            progress(min(start + CHUNK, len(records)))
    return len(records)


def _overrides_chunk(
    records: Sequence[Record],
    user: Any,
    articles: dict[str, KnowledgeArticle],
    branch_ids: dict[str, int],
    affected: dict[str, list[str]],
    override_ct: Any,
) -> None:
    now = timezone.now()
    overrides = []
    for record in records:
        publish = record["status"] == "published"
        article = articles[record["article"]]
        overrides.append(
            BranchOverride(
                article=article,
                branch_id=branch_ids[record["branch"]],
                based_on_id=article.live_revision_id,
                visibility=VISIBILITY[record["hidden"]],
                summary=record["summary"],
                note=record["note"],
                live=publish,
                has_unpublished_changes=not publish,
                first_published_at=now if publish else None,
                last_published_at=now if publish else None,
            )
        )
    BranchOverride.objects.bulk_create(overrides)
    branches = {pk: code for code, pk in branch_ids.items()}
    for override, record in zip(overrides, records, strict=True):
        override.branch = Branch(pk=override.branch_id, code=branches[override.branch_id])
        override.sections = [
            OverrideSection(slug=slug, mode=op["mode"], body=op["body"], sort_order=n)
            for n, (slug, op) in enumerate(record["sections"].items())
        ]
    OverrideSection.objects.bulk_create(
        OverrideSection(
            override_id=o.pk, slug=s.slug, mode=s.mode, body=s.body, sort_order=s.sort_order
        )
        for o in overrides
        for s in o.sections.all()
    )
    revisions = _revisions_create(overrides, BranchOverride, override_ct, override_ct, user, now)
    entries = []
    for override, revision in zip(overrides, revisions, strict=True):
        actions = ["wagtail.edit", "wagtail.publish"] if override.live else ["wagtail.edit"]
        entries += [
            ModelLogEntry(
                content_type=override_ct,
                label=str(override),
                action=action,
                timestamp=now,
                data={},
                user=user,
                revision=revision,
                content_changed=True,
                object_id=str(override.pk),
            )
            for action in actions
        ]
    ModelLogEntry.objects.bulk_create(entries)
    live = [(o, r) for o, r in zip(overrides, revisions, strict=True) if o.live]
    PublishedOverride.objects.bulk_create(override_snapshot(o, r.pk) for o, r in live)
    changes_append_bulk(
        [
            ChangeEvent(
                article_key=o.article.key,
                action=Action.OVERRIDE_PUBLISHED,
                branches=affected[o.branch.code],
                revision_id=r.pk,
            )
            for o, r in live
        ]
    )
