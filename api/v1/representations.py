"""The v1 representation of an effective article, built once per version and cached.

Invariant: a cached representation is keyed with ``content.cache.article_cache_key`` (via
``cached_article_view``), so once the cache-purge consumer has passed an event for the
article no representation built before it is served — in every process, on every cache.
The representation holds every channel and audience; the caller decides whether its
reader may see it (:meth:`api.readers.Reader.can_read`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from api.readers import Reader
from api.v1.serializers import ArticleOut
from content import markdown
from content.cache import cached_article_view
from content.resolution import section_content
from content.selectors import AUDIENCES, EffectiveArticle, changes_since, effective_article

VIEW = "api-v1"
PAGE_TIMEOUT = 24 * 3600


def _content(section: markdown.Section, fmt: str, variables: dict[str, str]) -> str:
    if fmt == "text":
        return section.text
    if fmt == "html":
        return section.html
    return markdown.filled(section_content(section), variables)


def _sections(article: EffectiveArticle, fmt: str) -> list[dict[str, str]]:
    return [
        {
            "slug": section.slug,
            "heading": section.heading,
            "content": _content(section, fmt, article.variables),
        }
        for section in article.sections
    ]


def _body(article: EffectiveArticle, fmt: str) -> str:
    if fmt == "html":
        return article.html
    if fmt == "text":
        return article.text
    return markdown.filled(article.body, article.variables)


def article_payload(article: EffectiveArticle, fmt: str) -> dict[str, Any]:
    """`article` as v1 shows it, the body and sections in `fmt`."""
    return ArticleOut(
        {
            "key": article.key,
            "title": article.title,
            "summary": article.summary,
            "format": fmt,
            "body": _body(article, fmt),
            "sections": _sections(article, fmt),
            "questions": article.questions,
            "category": article.category,
            "products": article.products,
            "tags": article.tags,
            "channels": article.channels,
            "audience": article.audience,
            "branch": article.branch,
            "overrides": list(article.overridden_by),
            "stale": article.stale,
            "revision": article.revision_id,
            "updated_at": article.updated_at,
            "effective_from": article.effective_from,
            "effective_to": article.effective_to,
            "etag": article.etag,
        }
    ).data


def article_representation(key: str, *, branch: str, fmt: str) -> dict[str, Any] | None:
    """The cached payload of `key` for a reader in `branch`, or None if it cannot be read
    there (not published, not in effect, hidden in the branch). Built from the database
    as it is now (the branch tree included), never from a memo."""

    def build() -> dict[str, Any] | None:
        article = effective_article(key, branch=branch, audiences=AUDIENCES)
        return None if article is None else dict(article_payload(article, fmt))

    return cached_article_view(key, (VIEW, branch, fmt), build)


def change_page(
    since: int, *, limit: int, branches: set[str] | None, scan: int, reader: Reader
) -> bytes:
    """A page of the change feed as v1 shows it, as JSON (the shape of ``ChangePageOut``).

    A final page (content.selectors.changes_since) never changes, so it is cached: the
    thousands of counters that follow the feed read each page from the cache but once.
    Written out directly: a page of 1,000 HQ changes names 100,000 branches, and most of
    its events name the same ones.
    """
    wanted = "*" if branches is None else ",".join(sorted(branches))
    readable = [wanted, ",".join(reader.audiences), ",".join(sorted(reader.channels or ["*"]))]
    digest = hashlib.sha256("|".join(readable).encode()).hexdigest()[:16]
    cache_key = f"kms:changes:{VIEW}:{since}:{limit}:{scan}:{digest}"
    page = cache.get(cache_key)
    if page is not None:
        return page
    found, last, final = changes_since(
        since,
        limit=limit,
        branches=branches,
        scan=scan,
        audiences=reader.audiences,
        channels=reader.channels,
    )
    items = ",".join(
        f'{{"seq":{change.seq},"key":{json.dumps(change.key, ensure_ascii=False)},'
        f'"action":{json.dumps(change.action)},"branches":{_json_list(change.branches)},'
        f'"revision":{json.dumps(change.revision)},'
        f'"at":"{timezone.localtime(change.at).isoformat()}"}}'
        for change in found
    )
    page = f'{{"changes":[{items}],"next":{last}}}'.encode()
    if final:
        cache.set(cache_key, page, timeout=PAGE_TIMEOUT)
    return page


@functools.lru_cache(maxsize=4096)
def _json_list(items: tuple[str, ...]) -> str:
    return json.dumps(list(items), ensure_ascii=False, separators=(",", ":"))
