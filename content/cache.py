"""Reader-facing caches are keyed by a per-article version that the cache-purge consumer bumps.

Invariant: after the purge consumer has passed an event for article K, no cached entry
built before that event is served for K — bumping the version orphans every old key, on
any cache backend (no key scans needed).
"""

from __future__ import annotations

from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from content.consumers import Consumer
from content.models import ChangeEvent


def article_cache_version(key: str) -> int:
    return cache.get_or_set(f"kms:article-version:{key}", 1, timeout=None)


def article_cache_key(key: str, *parts: str) -> str:
    return ":".join(["kms:article", key, str(article_cache_version(key)), *parts])


class CachePurgeConsumer(Consumer):
    """Invalidates every cached reader view of the articles an event touches."""

    name = "cache-purge"
    batch_size = 200  # bumping a version twice is harmless, so batches may be replayed
    transient_errors = (
        ConnectionError,
        TimeoutError,
        ConnectionInterrupted,
        RedisConnectionError,
        RedisTimeoutError,
    )

    def handle_batch(self, events: list[ChangeEvent]) -> None:
        for key in {event.article_key for event in events if event.article_key}:
            version_key = f"kms:article-version:{key}"
            if cache.add(version_key, 2, timeout=None):
                continue
            try:
                cache.incr(version_key)
            except ValueError:  # expired between add and incr
                cache.set(version_key, 2, timeout=None)
