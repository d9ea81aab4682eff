"""The services tier really runs on PostgreSQL and Redis (`make test-services`)."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.factories import make_article

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_the_database_is_postgresql() -> None:
    assert connection.vendor == "postgresql"


def test_redis_answers_as_the_celery_broker() -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).ping()


def test_an_imported_article_is_published_on_postgresql() -> None:
    article = make_article(key="KB-PG-0001")

    assert article.live
    assert article.published.key == "KB-PG-0001"
    assert article.published.sections[0]["slug"] == "_lead"
