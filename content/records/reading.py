"""Reading a kms_import stream: every line is decoded and validated before anything applies.

Invariant: :func:`parse` returns every valid record in file order and every problem with
the others; it never writes to the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from content import markdown
from content.parallel import pmap
from content.records.catalog import Catalog, Problem, Record
from content.records.validators import validate_record


@dataclass
class Parsed:
    """The outcome of reading and validating a whole file."""

    records: list[tuple[int, Record]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def invalid_lines(self) -> int:
        return len({problem.line for problem in self.problems})


def _article_texts(raw: object) -> list[str]:
    if not isinstance(raw, dict) or raw.get("type", "article") != "article":
        return []
    return [text for text in (raw.get("body"), raw.get("summary")) if isinstance(text, str)]


def parse(lines: Iterable[str], catalog: Catalog | None = None) -> Parsed:
    """Validate every line against the database and the valid lines before it."""
    catalog = catalog or Catalog.from_database()
    parsed = Parsed()
    decoded: list[tuple[int, object]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            decoded.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            parsed.problems.append(
                Problem(number, None, f"not valid JSON ({error.msg} at column {error.colno})")
            )
    # The Markdown checks are the expensive part and need no database: run them on every
    # core up front; the in-order pass below then only adds what depends on earlier lines.
    texts = list(
        {
            text: None
            for _, raw in decoded
            for text in _article_texts(raw)
            if not markdown.has_embeds(text)
        }
    )
    catalog.checks.update(zip(texts, pmap(markdown.check, texts), strict=True))
    for number, raw in decoded:
        record, problems = validate_record(number, raw, catalog)
        if record is not None:
            parsed.records.append((number, record))
        parsed.problems.extend(problems)
    parsed.problems.sort(key=lambda problem: problem.line)
    return parsed
