"""The configured search engine (``KMS_SEARCH_BACKEND``): one instance per process."""

from __future__ import annotations

import functools

from django.conf import settings

from search.backends.base import Backend

ENGINES = ("embedded", "elasticsearch")


@functools.cache
def _engine(name: str, location: str) -> Backend:
    if name == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(location)
    from search.backends.embedded import EmbeddedBackend

    return EmbeddedBackend()


def engine(name: str | None = None) -> Backend:
    """The backend called `name` (the configured one when None)."""
    name = name or settings.KMS_SEARCH_BACKEND
    if name not in ENGINES:
        raise ValueError(f"unknown search engine {name!r} (known: {', '.join(ENGINES)})")
    location = settings.ELASTICSEARCH_URL or "" if name == "elasticsearch" else ""
    return _engine(name, location)
