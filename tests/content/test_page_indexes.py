"""The index the admin's article listing reads the newest edits from is always there."""

from __future__ import annotations

import pytest
from django.db import connection

from content import page_indexes

pytestmark = pytest.mark.django_db


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, page_indexes.TABLE))


def test_the_listing_index_exists_after_migrate_and_comes_back_after_a_table_rebuild() -> None:
    assert page_indexes.NAME in _indexes()  # the test database was migrated
    with connection.cursor() as cursor:  # as SQLite's rebuild of the table to alter it does
        cursor.execute(f"DROP INDEX {page_indexes.NAME}")
    assert page_indexes.NAME not in _indexes()

    page_indexes.ensure(using=connection.alias)  # what every migrate ends with

    assert page_indexes.NAME in _indexes()
