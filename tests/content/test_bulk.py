"""The bulk import path writes what the one-by-one path writes (same rows, same values)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import ModelLogEntry, PageLogEntry, Revision
from wagtail.search.models import IndexEntry

from content import importing
from content.models import (
    BranchOverride,
    ChangeEvent,
    KnowledgeArticle,
    PublishedArticle,
    PublishedOverride,
)
from content.selectors import effective_article
from tests.factories import OPERATOR

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"
VOLATILE = {
    "pk",
    "id",
    "live_revision",
    "latest_revision",
    "translation_key",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "published_at",
    "occurred_at",
    "revision_id",
    "based_on_revision_id",
    "based_on",
    "content_object",
    "override",
    "override_id",
    "article",
    "article_id",
    # positions come from a counter that never goes back (a rolled-back import leaves a
    # gap, on PostgreSQL): the order of articles is compared instead, in dump()
    "path",
}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _revision_content(revision: Revision) -> dict:
    content = _clean(revision.content)
    if "category" in content:
        from content.models import Category

        content["category"] = Category.objects.get(pk=content["category"]).path
    if "products" in content:
        from content.models import Product

        content["products"] = sorted(
            Product.objects.filter(pk__in=content["products"]).values_list("code", flat=True)
        )
    if "tagged_items" in content:
        from taggit.models import Tag

        content["tagged_items"] = sorted(
            Tag.objects.get(pk=t["tag"]).name for t in content["tagged_items"]
        )
    if "branch" in content:
        from content.models import Branch

        content["branch"] = Branch.objects.get(pk=content["branch"]).code
    if "sections" in content:
        content["sections"] = sorted(
            json.dumps(s, ensure_ascii=False, sort_keys=True) for s in content["sections"]
        )
    return content


def dump() -> dict[str, Any]:
    """Everything either path writes, without ids and timestamps."""
    articles = {}
    for article in KnowledgeArticle.objects.order_by("key"):
        articles[article.key] = {
            "page": [
                article.title,
                article.slug,
                article.url_path,
                article.depth,
                article.live,
                article.has_unpublished_changes,
                article.path[: -KnowledgeArticle.steplen],  # the parent
                article.content_type_id,
                article.locale_id,
                article.live_revision_id == article.latest_revision_id,
            ],
            "tags": sorted(t.name for t in article.tags.all()),
            "products": sorted(p.code for p in article.products.all()),
            "revisions": [_revision_content(r) for r in article.revisions.order_by("created_at")],
            "log": sorted(
                PageLogEntry.objects.filter(page=article).values_list(
                    "action", "content_changed", "label"
                )
            ),
        }
    overrides = {}
    for override in BranchOverride.objects.select_related("article", "branch").order_by(
        "article__key", "branch__code"
    ):
        overrides[str(override)] = {
            "row": [
                override.visibility,
                override.summary,
                override.note,
                override.live,
                override.has_unpublished_changes,
                override.stale_parts,
                override.orphaned_sections,
                override.based_on_id == override.article.live_revision_id,
            ],
            "sections": list(override.sections.values_list("slug", "mode", "body", "sort_order")),
            "revisions": [_revision_content(r) for r in override.revisions.order_by("created_at")],
            "log": sorted(
                ModelLogEntry.objects.filter(
                    object_id=str(override.pk), content_type__model="branchoverride"
                ).values_list("action", "label")
            ),
        }
    snapshots = {s["key"]: _clean(s) for s in PublishedArticle.objects.values()}
    order = list(KnowledgeArticle.objects.order_by("path").values_list("key", flat=True))
    override_snapshots = {
        (s["article_key"], s["branch_code"]): _clean(s) for s in PublishedOverride.objects.values()
    }
    events = sorted((e.article_key, e.action, tuple(e.branches)) for e in ChangeEvent.objects.all())
    keys = {str(pk): key for pk, key in KnowledgeArticle.objects.values_list("pk", "key")}
    search_entries = {
        keys[entry.object_id]: (entry.title, entry.body, entry.autocomplete)
        for entry in IndexEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(KnowledgeArticle), object_id__in=keys
        )
    }
    effective = {
        (key, branch): (e.html, e.summary, e.etag)
        if (e := effective_article(key, branch=branch))
        else None
        for key in ("KB-000038", "KB-000050", "KB-000051")
        for branch in ("HQ", "GD", "GD-SZ", "SC", "SC-CD", "BJ")
    }
    return {
        "articles": articles,
        "order": order,
        "overrides": overrides,
        "snapshots": snapshots,
        "override_snapshots": override_snapshots,
        "events": events,
        "effective": effective,
        "search_entries": search_entries,
    }


class Rollback(Exception):
    pass


def load_demo(*, bulk_create: bool) -> dict[str, Any]:
    for name in ("knowledge.jsonl", "overrides.jsonl", "hq-edits.jsonl"):
        parsed = importing.parse((DEMO / name).read_text(encoding="utf-8").splitlines())
        assert parsed.problems == []
        importing.apply(parsed.records, actor=OPERATOR, bulk_create=bulk_create)
    return dump()


def test_bulk_and_one_by_one_imports_write_the_same_rows() -> None:
    try:
        with transaction.atomic():
            bulk = load_demo(bulk_create=True)
            raise Rollback
    except Rollback:
        pass
    assert not KnowledgeArticle.objects.exists()

    one_by_one = load_demo(bulk_create=False)

    assert len(bulk["articles"]) == 76 and len(bulk["overrides"]) == 8
    parts = ("articles", "order", "overrides", "snapshots", "override_snapshots", "events")
    assert len(bulk["search_entries"]) == 76  # the admin's search finds every article
    for part in (*parts, "effective", "search_entries"):
        assert bulk[part] == one_by_one[part], (part, _diff(bulk[part], one_by_one[part])[:5])


def test_a_bulk_import_is_one_transaction(tmp_path: Path) -> None:
    lines = (DEMO / "knowledge.jsonl").read_text(encoding="utf-8").splitlines()
    parsed = importing.parse(lines)
    # corrupt one record after validation, as a failure half-way through would
    parsed.records[-1][1]["category"] = None

    with pytest.raises(importing.ApplyFailed):
        importing.apply(parsed.records, actor=OPERATOR)

    assert not KnowledgeArticle.objects.exists()
    assert not ChangeEvent.objects.exists()


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two dumps differ, as readable paths (for the assertion message)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in set(a) | set(b):
            out += _diff(a.get(k), b.get(k), f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += _diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
