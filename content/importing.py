"""Import a kms_import JSONL stream: validate everything first, then apply atomically.

Invariant: an import either applies every record it accepted, in file order, inside one
transaction, or changes nothing. Without ``skip_invalid`` one bad record means nothing is
applied; with it, records that are invalid — or that depend on one that is — are skipped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError

from content import services
from content.actors import Actor
from content.markdown import Checked
from content.models import BranchOverride, KnowledgeArticle
from content.records import Record
from content.records.reading import Parsed, parse
from content.services import bulk
from content.services.inserts import statistics_refresh
from content.services.mapping import Lookups
from content.services.transactions import conflict_of, content_transaction

logger = logging.getLogger(__name__)

__all__ = ["APPLY", "BULK_CREATE", "ApplyFailed", "Parsed", "apply", "parse"]

Apply = Callable[[Record, Actor, Lookups], services.Outcome]

APPLY: dict[str, Apply] = {
    "category": lambda record, actor, lookups: services.category_upsert(record, actor=actor),
    "branch": lambda record, actor, lookups: services.branch_upsert(record, actor=actor),
    "product": lambda record, actor, lookups: services.product_upsert(record, actor=actor),
    "article": lambda record, actor, lookups: services.article_upsert(
        record, actor=actor, lookups=lookups
    ),
    "override": lambda record, actor, lookups: services.override_upsert(record, actor=actor),
}


class ApplyFailed(Exception):
    """A validated record could not be applied; the whole import was rolled back."""

    def __init__(self, lines: str, error: Exception) -> None:
        super().__init__(f"{lines}: {_described(error)}")


def _described(error: Exception) -> str:
    """`error` as one line; a ValidationError names its fields like the validators do."""
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    return str(error)


Progress = Callable[[int], None] | None


def _bulk_articles(
    records: list[Record], actor: Actor, lookups: Lookups, *, progress: Progress, checked: Any
) -> int:
    return bulk.articles_create(
        records, actor=actor, lookups=lookups, progress=progress, checked=checked
    )


def _bulk_overrides(
    records: list[Record], actor: Actor, lookups: Lookups, *, progress: Progress, checked: Any
) -> int:
    return bulk.overrides_create(records, actor=actor, progress=progress)


BULK_CREATE = {"article": _bulk_articles, "override": _bulk_overrides}
BULK_ANALYZE_AT = 1_000  # new rows in one run after which PostgreSQL's statistics are stale


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


def _chunks(items: list, size: int = 1000) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lock(model: type, ids: Iterable[int]) -> None:
    for part in _chunks(sorted(ids)):
        list(model.objects.select_for_update().filter(pk__in=part).order_by("pk").values("pk"))


def _lock_existing(records: Iterable[Record]) -> None:
    """Lock every existing article, then every existing override, the records change, each
    in primary-key order — the order every content transaction locks in — so two imports
    (or an import and an editor) touching the same rows queue instead of deadlocking."""
    keys = sorted({r["key"] for r in records if r["type"] == "article" and r["key"]})
    pairs = {(r["article"], r["branch"]) for r in records if r["type"] == "override"}
    articles = KnowledgeArticle.objects.values_list("pk", flat=True)
    _lock(KnowledgeArticle, (pk for part in _chunks(keys) for pk in articles.filter(key__in=part)))
    overrides = BranchOverride.objects.values_list("pk", "article__key", "branch__code")
    _lock(
        BranchOverride,
        (
            pk
            for part in _chunks(sorted({key for key, _ in pairs}))
            for pk, key, code in overrides.filter(article__key__in=part)
            if (key, code) in pairs
        ),
    )


@content_transaction
def apply(
    records: list[tuple[int, Record]],
    *,
    actor: Actor,
    progress: Callable[[int], None] | None = None,
    bulk_create: bool = True,
    checked: Mapping[str, Checked] | None = None,
) -> Counter[str]:
    """Apply validated records in file order; returns counts like ``article created``.

    New articles and overrides take the bulk path (the same rows in far fewer
    statements) unless `bulk_create` is False; every other record goes one by one.
    `checked` (:attr:`Parsed.checked`) spares the bulk path a second Markdown parse. The
    change events are written at the very end (see content.services.changelog), so the
    import never keeps editors from publishing while it runs.
    """
    _lock_existing(record for _, record in records)
    counts: Counter[str] = Counter()
    if any(record["type"] == "article" for _, record in records):
        if services.head_office_ensure(actor=actor) == services.Outcome.CREATED:
            counts[f"branch {services.Outcome.CREATED}"] += 1
    lookups = Lookups()
    done = 0
    runs = _runs(records) if bulk_create else ((None, [item]) for item in records)
    for run_type, run in runs:
        lines = str(run[0][0]) if len(run) == 1 else f"{run[0][0]}-{run[-1][0]}"
        try:
            if run_type is None:
                record = run[0][1]
                outcome = APPLY[record["type"]](record, actor, lookups)
                counts[f"{record['type']} {outcome}"] += 1
            else:
                BULK_CREATE[run_type](
                    [record for _, record in run],
                    actor,
                    lookups,
                    progress=(lambda n, base=done: progress(base + n)) if progress else None,
                    checked=checked or {},
                )
                counts[f"{run_type} {services.Outcome.CREATED}"] += len(run)
        except Exception as error:
            if conflict_of(error):
                raise  # a concurrent writer: the whole import is tried again
            raise ApplyFailed(lines, error) from error
        done += len(run)
        if progress:
            progress(done)
    logger.info("import applied records=%d %s", len(records), _kv(counts))
    return counts


def statistics_refresh_after(counts: Counter[str]) -> None:
    """After a committed import that created many rows, refresh the database's statistics
    (content.services.inserts.statistics_refresh). Called once the consumers had their
    turn: they have the new events to pass on first."""
    created = sum(n for what, n in counts.items() if what.endswith(services.Outcome.CREATED))
    if created >= BULK_ANALYZE_AT:
        statistics_refresh()


def _kv(counts: Counter[str]) -> str:
    return " ".join(f"{name.replace(' ', '_')}={n}" for name, n in sorted(counts.items()))
