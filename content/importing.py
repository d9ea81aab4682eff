"""Import a kms_import JSONL stream: validate everything first, then apply atomically.

Invariant: an import either applies every record it accepted, in file order, inside one
transaction, or changes nothing. Without ``skip_invalid`` one bad record means nothing is
applied; with it, records that are invalid — or that depend on one that is — are skipped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from content import services
from content.models import BranchOverride, KnowledgeArticle
from content.records import Record
from content.records.reading import Parsed, parse
from content.services import bulk

logger = logging.getLogger(__name__)

__all__ = ["APPLY", "BULK_CREATE", "ApplyFailed", "Parsed", "apply", "parse"]


APPLY: dict[str, Callable[..., services.Outcome]] = {
    "category": lambda record, user: services.category_upsert(record),
    "branch": lambda record, user: services.branch_upsert(record),
    "product": lambda record, user: services.product_upsert(record),
    "article": lambda record, user: services.article_upsert(record, user=user),
    "override": lambda record, user: services.override_upsert(record, user=user),
}


class ApplyFailed(Exception):
    """A validated record could not be applied; the whole import was rolled back."""

    def __init__(self, lines: str, error: Exception) -> None:
        super().__init__(f"{lines}: {error}")


BULK_CREATE = {"article": bulk.articles_create, "override": bulk.overrides_create}


def _identity(record: Record) -> object:
    if record["type"] == "article":
        return ("article", record["key"]) if record["key"] else None
    if record["type"] == "override":
        return ("override", record["article"], record["branch"])
    return None


def _runs(records: list[tuple[int, Record]]) -> Iterator[tuple[str | None, list]]:
    """Split records, in file order, into runs: ``(type, records)`` of creations for the
    bulk path, or ``(None, [record])`` for a record that takes the one-by-one path."""
    taken: set[object] = {
        ("article", key) for key in KnowledgeArticle.objects.values_list("key", flat=True)
    }
    taken.update(
        ("override", key, code)
        for key, code in BranchOverride.objects.values_list("article__key", "branch__code")
    )
    run_type: str | None = None
    run: list[tuple[int, Record]] = []
    for line, record in records:
        identity = _identity(record)
        bulkable = identity is not None and identity not in taken
        if identity is not None:
            taken.add(identity)  # a second record for it in this file updates: one by one
        if bulkable and record["type"] == run_type:
            run.append((line, record))
            continue
        if run:
            yield run_type, run
        run_type = record["type"] if bulkable else None
        run = [(line, record)]
    if run:
        yield run_type, run


@transaction.atomic
def apply(
    records: list[tuple[int, Record]],
    *,
    user: AbstractBaseUser | None = None,
    progress: Callable[[int], None] | None = None,
    bulk_create: bool = True,
) -> Counter[str]:
    """Apply validated records in file order; returns counts like ``article created``.

    New articles and overrides take the bulk path (the same rows in far fewer
    statements) unless `bulk_create` is False; every other record goes one by one.
    """
    counts: Counter[str] = Counter()
    done = 0
    runs = _runs(records) if bulk_create else ((None, [item]) for item in records)
    for run_type, run in runs:
        lines = str(run[0][0]) if len(run) == 1 else f"{run[0][0]}-{run[-1][0]}"
        try:
            if run_type is None:
                record = run[0][1]
                counts[f"{record['type']} {APPLY[record['type']](record, user)}"] += 1
            else:
                BULK_CREATE[run_type](
                    [record for _, record in run],
                    user=user,
                    progress=(lambda n, base=done: progress(base + n)) if progress else None,
                )
                counts[f"{run_type} {services.Outcome.CREATED}"] += len(run)
        except Exception as error:
            raise ApplyFailed(lines, error) from error
        done += len(run)
        if progress:
            progress(done)
    logger.info("import applied records=%d %s", len(records), _kv(counts))
    return counts


def _kv(counts: Counter[str]) -> str:
    return " ".join(f"{name.replace(' ', '_')}={n}" for name, n in sorted(counts.items()))
