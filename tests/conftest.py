"""Shared fixtures. Tests build their data through the same services editors use."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection

from api import analytics


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    on_postgres = database_url.startswith(("postgres://", "postgresql://"))
    for item in items:
        if "services" in item.keywords and not (on_postgres and os.environ.get("REDIS_URL")):
            item.add_marker(
                pytest.mark.skip(
                    reason="services tier: needs DATABASE_URL=postgresql://… and REDIS_URL "
                    "(run `make test-services`)"
                )
            )
        if "es" in item.keywords and not os.environ.get("ELASTICSEARCH_URL"):
            item.add_marker(pytest.mark.skip(reason="needs ELASTICSEARCH_URL (no server here)"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """What the last test logged is forgotten: the query log's exit flush (registered
    where a test started its writer) must not write it to the real database."""
    analytics.discard()


@pytest.fixture
def database_vendor() -> str:
    return connection.vendor


@pytest.fixture(autouse=True)
def empty_caches() -> None:
    """Each test starts with empty caches: a test database starts its seqs afresh, so an
    entry cached by an earlier test could otherwise match a later one's version."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def empty_query_log_buffer() -> None:
    """Each test logs its own calls: rows an earlier test buffered (and never flushed, the
    test settings having no writer thread) are forgotten."""
    analytics.discard()


@pytest.fixture(autouse=True)
def search_index_dir(settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Each test indexes into a directory of its own (the embedded engine reads the
    setting on every call)."""
    settings.KMS_SEARCH_INDEX_DIR = tmp_path_factory.mktemp("index")
    return settings.KMS_SEARCH_INDEX_DIR


@pytest.fixture
def mail_server_down(settings: Any) -> None:
    """E-mail goes over SMTP to a port where nothing listens: every send is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
