"""Import a kms_import JSONL stream: validate everything first, then apply atomically.

Invariant: an import either applies every record it accepted, in file order, inside one
transaction, or changes nothing. Without ``skip_invalid`` one bad record means nothing is
applied; with it, records that are invalid — or that depend on one that is — are skipped.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from content import services
from content.records import Catalog, Problem, Record, validate_record

logger = logging.getLogger(__name__)


@dataclass
class Parsed:
    """The outcome of reading and validating a whole file."""

    records: list[tuple[int, Record]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def invalid_lines(self) -> int:
        return len({problem.line for problem in self.problems})


def parse(lines: Iterable[str], catalog: Catalog | None = None) -> Parsed:
    """Validate every line against the database and the valid lines before it."""
    catalog = catalog or Catalog.from_database()
    parsed = Parsed()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            parsed.problems.append(
                Problem(number, None, f"not valid JSON ({error.msg} at column {error.colno})")
            )
            continue
        record, problems = validate_record(number, raw, catalog)
        if record is not None:
            parsed.records.append((number, record))
        parsed.problems.extend(problems)
    return parsed


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
        self.lines = lines


@transaction.atomic
def apply(
    records: list[tuple[int, Record]],
    *,
    user: AbstractBaseUser | None = None,
    progress: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Apply validated records in file order; returns counts like ``article created``."""
    counts: Counter[str] = Counter()
    for done, (line, record) in enumerate(records, start=1):
        try:
            outcome = APPLY[record["type"]](record, user)
        except Exception as error:
            raise ApplyFailed(line, error) from error
        counts[f"{record['type']} {outcome}"] += 1
        if progress:
            progress(done)
    logger.info("import applied records=%d %s", len(records), _kv(counts))
    return counts


def _kv(counts: Counter[str]) -> str:
    return " ".join(f"{name.replace(' ', '_')}={n}" for name, n in sorted(counts.items()))
