"""After a big import PostgreSQL plans reads of the new rows with fresh statistics."""

from __future__ import annotations

import pytest
from django.db import connection

from content import importing
from content.records import Catalog, validate_record
from tests.factories import OPERATOR, BranchFactory, article_record

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def analysed(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s", [table]
        )
        return cursor.fetchone()[0]


def test_a_bulk_import_leaves_the_planner_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "BULK_ANALYZE_AT", 20)
    BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})
    catalog = Catalog.from_database()
    records = []
    for n in range(25):
        record, problems = validate_record(n + 1, article_record(key=f"KB-5{n:05d}"), catalog)
        assert not problems
        catalog.learn(record)
        records.append((n + 1, record))
    assert not analysed("content_publishedarticle")

    importing.statistics_refresh_after(importing.apply(records, actor=OPERATOR))

    assert analysed("content_publishedarticle")
