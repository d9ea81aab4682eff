"""Row writers shared by the bulk paths: child tables of multi-table models, revisions,
revision pointers, audit-log entries and Wagtail search index entries, each in a few
statements for many objects.

Invariant: the rows are the ones Wagtail's own ``save_revision`` / ``log`` / search
signal handlers would write for each object, one statement per table per chunk
(multi-row INSERTs, see content.services.inserts, and one UPDATE joined to a VALUES
list), never one round trip per object.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from wagtail.models import ModelLogEntry, PageLogEntry, Revision
from wagtail.search.backends import get_search_backends

from content.services.inserts import insert_rows

ROWS_PER_STATEMENT = 500


def insert_child_rows(model: type, objects: Sequence[Any]) -> None:
    """INSERT the child-table rows of multi-table-inherited objects (whose parent rows
    exist already; Django's bulk_create refuses multi-table inheritance)."""
    insert_rows(model, objects)


def set_revision_pointers(model: type, objects: Sequence[Any]) -> None:
    """Point each object's row at its ``latest_revision`` / ``live_revision``."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), ROWS_PER_STATEMENT):
            chunk = objects[start : start + ROWS_PER_STATEMENT]
            if connection.vendor == "postgresql":
                rows = ", ".join(["(%s::bigint, %s::bigint, %s::bigint)"] * len(chunk))
                cursor.execute(
                    f"UPDATE {table} AS t SET latest_revision_id = v.latest, "  # noqa: S608
                    f"live_revision_id = v.live FROM (VALUES {rows}) AS v(latest, live, id) "
                    "WHERE t.id = v.id",
                    [
                        value
                        for o in chunk
                        for value in (o.latest_revision_id, o.live_revision_id, o.pk)
                    ],
                )
            else:  # SQLite: a prepared statement is as fast as it gets (no network)
                cursor.executemany(
                    f"UPDATE {table} SET latest_revision_id = %s, live_revision_id = %s "  # noqa: S608
                    "WHERE id = %s",
                    [(o.latest_revision_id, o.live_revision_id, o.pk) for o in chunk],
                )


def as_drafted(obj: Any) -> dict:
    """Revision content as ``save_revision`` records it: taken before the publish."""
    live, changes = obj.live, obj.has_unpublished_changes
    obj.live, obj.has_unpublished_changes = False, False
    try:
        return obj.serializable_data()
    finally:
        obj.live, obj.has_unpublished_changes = live, changes


def revisions_create(
    objects: Sequence[Any], table_model: type, ct: Any, base_ct: Any, user: Any, at: Any
) -> list[Revision]:
    """One revision per object, as ``save_revision`` makes it, and point the object at it
    (``latest_revision``, and ``live_revision`` when live)."""
    revisions = [
        Revision(
            content_type=ct,
            base_content_type=base_ct,
            object_id=str(obj.pk),
            created_at=at,
            user=user,
            object_str=str(obj),
            content=as_drafted(obj),
        )
        for obj in objects
    ]
    insert_rows(Revision, revisions)
    for obj, revision in zip(objects, revisions, strict=True):
        obj.latest_revision_id = revision.pk
        obj.live_revision_id = revision.pk if obj.live else None
    set_revision_pointers(table_model, objects)
    return revisions


def search_entries_add(model: type, objects: Sequence[Any]) -> None:
    """Index `objects` in every Wagtail search backend that follows saves, as its
    ``post_save`` handler would one by one (the admin's search finds them at once)."""
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, objects)


def _log_entry(model: type, label: str, **fields: Any) -> Any:
    """An audit-log entry as Wagtail's ``log()`` writes it for a content change."""
    return model(label=label, data={}, content_changed=True, **fields)


def page_log(
    page: Any, action: str, revision: Revision | None, user: Any, ct: Any, at: Any
) -> PageLogEntry:
    return _log_entry(
        PageLogEntry,
        page.draft_title,
        content_type=ct,
        action=action,
        timestamp=at,
        user=user,
        revision=revision,
        page_id=page.pk,
    )


def model_log(
    obj: Any, action: str, revision: Revision, user: Any, ct: Any, at: Any
) -> ModelLogEntry:
    return _log_entry(
        ModelLogEntry,
        str(obj),
        content_type=ct,
        action=action,
        timestamp=at,
        user=user,
        revision=revision,
        object_id=str(obj.pk),
    )
