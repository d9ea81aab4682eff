"""Reading a kms_import stream: every line is decoded and validated before anything applies.

Invariants:

* :func:`parse` returns every valid record in file order and every problem with the
  others; it never writes to the database and never raises on bad input.
* Cheap checks come first: a line is size-checked before it is decoded, and a text is
  length-checked before its Markdown is parsed, so the work done on a file is bounded by
  the limits, not by what the file holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from content import markdown
from content.limits import SECTION_BODY_MAX_LENGTH, SECTIONS_MAX_COUNT, SUMMARY_MAX_LENGTH
from content.models import BODY_MAX_LENGTH
from content.parallel import pmap
from content.records.catalog import Catalog, Problem, Record
from content.records.decoding import decode
from content.records.lines import MAX_LINE_BYTES, Line, Unreadable
from content.records.validators import validate_record

# (label, total) -> a callable told how many are done; e.g. a ProgressBar's constructor
Progress = Callable[[str, int], Callable[[int], None]]

_CHECK_CHUNK = 2_000  # Markdown checks between two progress reports, at least


@dataclass
class Parsed:
    """The outcome of reading and validating a whole file."""

    records: list[tuple[int, Record]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The Markdown checks by text, sections included: applying reuses them (one parse)
    checked: dict[str, markdown.Checked] = field(default_factory=dict)

    @property
    def invalid_lines(self) -> int:
        return len({problem.line for problem in self.problems})

    def report(self, name: str, *, listed: int = 3, shown: int = 100) -> list[str]:
        """The problems as ``NAME:LINE: field: message`` lines, bounded whatever the file:
        one line per distinct (field, message) naming its first `listed` lines and how
        many more, and at most `shown` such lines before the rest are only counted."""
        lines_of: dict[tuple[str | None, str], list[int]] = {}
        for problem in self.problems:
            lines_of.setdefault((problem.field, problem.message), []).append(problem.line)
        report = []
        for (field_name, message), lines in list(lines_of.items())[:shown]:
            where = ", ".join(str(n) for n in lines[:listed])
            if len(lines) > listed:
                where += f" and {len(lines) - listed:,} more lines"
            field_part = f"{field_name}: " if field_name else ""
            report.append(f"{name}:{where}: {field_part}{message}")
        if len(lines_of) > shown:
            hidden = list(lines_of.values())[shown:]
            count = sum(len(lines) for lines in hidden)
            report.append(f"{name}: … {count:,} more problems of {len(hidden):,} other kinds")
        return report


def _markdown_texts(raw: Record) -> list[str]:
    """The Markdown of a record that its validator will check without the database: an
    article's body and summary, an override's summary and section bodies.

    Only texts within their limits (an override's within its total too) and without media
    references (those are looked up in the database) are checked in advance.
    """
    kind = raw.get("type", "article")
    if kind == "article":
        texts = [(raw.get("body"), BODY_MAX_LENGTH), (raw.get("summary"), SUMMARY_MAX_LENGTH)]
    elif kind == "override":
        sections = raw.get("sections")
        if not isinstance(sections, dict) or len(sections) > SECTIONS_MAX_COUNT:
            sections = {}
        bodies = [op.get("body") for op in sections.values() if isinstance(op, dict)]
        texts = [(raw.get("summary"), SUMMARY_MAX_LENGTH)]
        texts += [(body, SECTION_BODY_MAX_LENGTH) for body in bodies]
        total = sum(len(text) for text, _ in texts if isinstance(text, str))
        if total > BODY_MAX_LENGTH:
            return []  # refused before any parsing
    else:
        return []
    return [
        text
        for text, limit in texts
        if isinstance(text, str) and len(text) <= limit and not markdown.has_embeds(text)
    ]


def _check_markdown(
    decoded: list[tuple[int, object]], catalog: Catalog, progress: Progress | None
) -> None:
    """Check the Markdown of every article and override up front, on every core.

    The checks are the expensive part and need no database; the in-order pass then only
    adds what depends on earlier lines.
    """
    texts = list(
        dict.fromkeys(
            text for _, raw in decoded if isinstance(raw, dict) for text in _markdown_texts(raw)
        )
    )
    report = progress("checking Markdown", len(texts)) if progress and texts else None
    step = max(_CHECK_CHUNK, len(texts) // 20)
    for start in range(0, len(texts), step):
        chunk = texts[start : start + step]
        catalog.checks.update(zip(chunk, pmap(markdown.check, chunk), strict=True))
        if report:
            report(start + len(chunk))


def parse(
    lines: Iterable[Line],
    catalog: Catalog | None = None,
    *,
    progress: Progress | None = None,
) -> Parsed:
    """Validate every line against the database and the valid lines before it.

    `lines` are the file's lines without their line ends (:func:`read_lines` gives them);
    `progress`, when given, makes a progress report for each long step.
    """
    catalog = catalog or Catalog.from_database()
    parsed = Parsed()
    decoded: list[tuple[int, object]] = []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, Unreadable):
            parsed.problems.append(Problem(number, None, line.message))
            continue
        if len(line) > MAX_LINE_BYTES:
            message = f"the line is {len(line):,} characters long; at most {MAX_LINE_BYTES:,}"
            parsed.problems.append(Problem(number, None, message))
            continue
        if not line.strip():
            continue
        value, problems = decode(line)
        if problems:
            parsed.problems += [Problem(number, name, message) for name, message in problems]
        else:
            decoded.append((number, value))
    _check_markdown(decoded, catalog, progress)
    report = progress("validating", len(decoded)) if progress and decoded else None
    for done, (number, raw) in enumerate(decoded, start=1):
        record, problems = validate_record(number, raw, catalog)
        if record is not None:
            parsed.records.append((number, record))
        parsed.problems.extend(problems)
        if report:
            report(done)
    parsed.problems.sort(key=lambda problem: problem.line)
    parsed.checked = catalog.checks
    return parsed
