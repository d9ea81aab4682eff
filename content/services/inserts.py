"""Many rows at once: ``COPY`` on PostgreSQL, multi-row ``VALUES`` elsewhere.

Why not ``bulk_create``: on PostgreSQL, Django sends a bulk insert as arrays
(``INSERT … SELECT * FROM UNNEST(%s::text[], …)``), and psycopg renders every array
element client-side, escaping it character by character — for revision JSON and article
bodies that was most of an import's time. ``COPY`` streams the rows instead (new rows
take their keys from the table's sequence first); on SQLite, in-process, the driver runs
one prepared INSERT for every row.

Invariant: the rows written are exactly what ``Model.save()`` would write for each
object (each field's ``pre_save`` and ``get_db_prep_save``), inside the caller's
transaction, and new objects get their primary keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, connections


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_rows(
    model: type, objects: Sequence[Any], *, fields: Sequence[Any] | None = None
) -> None:
    """INSERT `objects` as rows of `model`; objects without a primary key get theirs.

    `fields` defaults to the model's own concrete columns (for a multi-table child, its
    child table only, whose parent rows must exist already). `objects` may be instances
    of a subclass: the parent table's row of a multi-table child is written by passing
    the parent model and its fields.
    """
    if not objects:
        return
    fields = list(fields or model._meta.local_concrete_fields)
    pk = model._meta.pk
    if getattr(objects[0], pk.attname) is None:
        _take_keys(model, objects)
        if pk not in fields:
            fields = [pk, *fields]
    if connection.vendor == "postgresql":
        _copy(model, objects, fields)
    else:
        _executemany(model, objects, fields)
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias


def _row(obj: Any, fields: Sequence[Any], db: Any) -> list[Any]:
    return [field.get_db_prep_save(field.pre_save(obj, add=True), db) for field in fields]


def _take_keys(model: type, objects: Sequence[Any]) -> None:
    """Give each object the next key of its table.

    PostgreSQL: the next values of the table's sequence. SQLite: the keys after the
    highest given so far — the transaction holds SQLite's one write lock (IMMEDIATE
    transactions), so nobody else can take them meanwhile.
    """
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [_quote(table), column, len(objects)],
            )
            keys = sorted(key for (key,) in cursor.fetchall())
        else:
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"coalesce((SELECT max({_quote(column)}) FROM {_quote(table)}), 0))",
                [table],
            )
            (last,) = cursor.fetchone()
            keys = list(range(last + 1, last + 1 + len(objects)))
    for obj, key in zip(objects, keys, strict=True):
        setattr(obj, model._meta.pk.attname, key)


def _copy(model: type, objects: Sequence[Any], fields: Sequence[Any]) -> None:
    columns = ", ".join(_quote(field.column) for field in fields)
    statement = f"COPY {_quote(model._meta.db_table)} ({columns}) FROM STDIN"
    connection.ensure_connection()
    # The driver's own connection: COPY is not part of the DB-API Django wraps.
    db = connections[connection.alias]  # the connection itself, not the thread proxy
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for obj in objects:
            copy.write_row(_row(obj, fields, db))


def _executemany(model: type, objects: Sequence[Any], fields: Sequence[Any]) -> None:
    """SQLite: one prepared INSERT run for every row, straight on the driver's connection
    (in-process, so as fast as it gets, and never formatted for Django's query log)."""
    columns = ", ".join(_quote(field.column) for field in fields)
    marks = ", ".join(["?"] * len(fields))
    sql = f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    connection.ensure_connection()
    db = connections[connection.alias]
    connection.connection.executemany(sql, (_row(obj, fields, db) for obj in objects))


def staged_insert(model: type, objects: Sequence[Any]) -> Callable[[], None]:
    """Prepare to INSERT `objects` of `model` as new rows; returns what does the INSERT.

    On PostgreSQL the rows are streamed now into a temporary table, and the returned
    function moves them into `model`'s table in one server-side ``INSERT … SELECT`` in
    their order (keys from the table's own sequence, given out then): for a caller that
    must hold a lock while the rows are written, that keeps the lock's time to the move.
    Elsewhere the returned function simply inserts them.
    """
    if connection.vendor != "postgresql" or not objects:
        return lambda: insert_rows(model, objects)
    pk = model._meta.pk
    fields = [field for field in model._meta.local_concrete_fields if field is not pk]
    columns = ", ".join(_quote(field.column) for field in fields)
    table, staging = _quote(model._meta.db_table), _quote(f"kms_staged_{model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT 0::bigint AS kms_order, {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
    db = connections[connection.alias]
    statement = f"COPY {staging} (kms_order, {columns}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for order, obj in enumerate(objects):
            copy.write_row([order, *_row(obj, fields, db)])

    def move() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"SELECT {columns} FROM {staging} ORDER BY kms_order"
            )
            cursor.execute(f"TRUNCATE {staging}")

    return move


def statistics_refresh() -> None:
    """Let PostgreSQL's planner see a bulk load (after it committed): until autovacuum's
    next ANALYZE it plans reads of the new rows as if the tables were still empty — a
    sequential scan and sort for a page of 50 articles. (ANALYZE samples: seconds at
    50,000 articles.) SQLite plans without statistics: nothing to do."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
