"""Reader-facing caches are keyed by a per-article version that the cache-purge consumer sets.

Invariant: after the purge consumer has passed an event for article K, no cached entry
built before that event is served for K — on any cache backend, shared by every process,
even one that evicts keys at will (no key scans needed).

Why it holds: an article's version is always a change-log ``seq``. The consumer sets it
to the seq of the newest event it handled for K (never lowering it); a version that is
missing (never set, expired or evicted) starts at the log's head seq. An entry built
before event E was handled carries a version read before that: either the seq of an
earlier event, or a head read while E was not yet committed — in both cases below
E's seq, because seqs are handed out in commit order. Once E is handled every version K
can have is at least E's seq, so those entries are never looked up again. (A head read
after E committed may be above E's seq, but then the text was read after E too.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Max
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from content.consumers import Consumer
from content.models import ChangeEvent

# Versions may expire: a missing one restarts at the head, which is safe (see above).
VERSION_TIMEOUT = 7 * 24 * 3600
ENTRY_TIMEOUT = 24 * 3600
_MISSING = object()
T = TypeVar("T")


def _version_key(key: str) -> str:
    return f"kms:article-version:{key}"


def article_cache_version(key: str) -> int:
    version = cache.get(_version_key(key))
    if version is None:
        head = ChangeEvent.objects.aggregate(head=Max("seq"))["head"] or 0
        cache.add(_version_key(key), head, timeout=VERSION_TIMEOUT)
        version = cache.get(_version_key(key), head)
    return int(version)


def article_cache_key(key: str, *parts: str) -> str:
    """The cache key of one reader view of article `key` (`parts` say which view)."""
    return ":".join(["kms:article", key, str(article_cache_version(key)), *parts])


def articles_purge(versions: dict[str, int]) -> None:
    """Raise each article's version to the given seq (``key -> seq``)."""
    current = cache.get_many([_version_key(key) for key in versions])
    cache.set_many(
        {
            _version_key(key): max(seq, int(current.get(_version_key(key)) or 0))
            for key, seq in versions.items()
        },
        timeout=VERSION_TIMEOUT,
    )


def cached_article_view(key: str, view: Sequence[str], build: Callable[[], T]) -> T:
    """One reader view of article `key` (`view` names it, e.g. a branch and a format),
    from the cache or built by `build` and cached under :func:`article_cache_key`.

    The version is read before `build` runs, so a view built while an event commits is
    stored under the version that event's purge replaces. ``None`` is cached like any
    other value (an article a branch cannot read stays unread without a query).
    """
    cache_key = article_cache_key(key, *view)
    found = cache.get(cache_key, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    value = build()
    cache.set(cache_key, value, timeout=ENTRY_TIMEOUT)
    return value


def newest_seqs(events: Iterable[ChangeEvent]) -> dict[str, int]:
    """``article key -> seq`` of the newest of `events` naming each article."""
    newest: dict[str, int] = {}
    for event in events:
        if event.article_key:
            newest[event.article_key] = max(event.seq, newest.get(event.article_key, 0))
    return newest


class CachePurgeConsumer(Consumer):
    """Invalidates every cached reader view of the articles an event touches."""

    name = "cache-purge"
    batch_size = 200  # raising a version again is harmless, so batches may be replayed
    transient_errors = (
        ConnectionError,
        TimeoutError,
        ConnectionInterrupted,
        RedisConnectionError,
        RedisTimeoutError,
    )

    def handle_batch(self, events: list[ChangeEvent]) -> None:
        articles_purge(newest_seqs(events))
