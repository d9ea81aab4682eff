"""Field readers: each returns the clean value, or reports a problem and a fallback.

Invariant: a reader checks type and size before anything else looks at a value, and a
value that fails falls back to an empty one — so no later check (a Markdown parse, a
lookup, a message quoting the value) ever works on an oversized or ill-typed input.
Messages quote values through :func:`content.limits.shown`, cut to a readable length.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable

from content import markdown
from content.limits import LINE_BREAK_RE, shown
from content.records.catalog import Catalog, Invalid, Record


def read_text(
    raw: Record,
    name: str,
    errors: Invalid,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            errors.add(name, "required")
        return ""
    if not isinstance(value, str):
        errors.add(name, f"must be a string, not {type(value).__name__}")
        return ""
    if max_length is not None and len(value) > max_length:
        errors.add(name, f"at most {max_length} characters (got {len(value)})")
        return ""
    return value


def read_choice(
    raw: Record, name: str, errors: Invalid, choices: Iterable[str], default: str
) -> str:
    value = raw.get(name, default)
    allowed = list(choices)
    if not isinstance(value, str) or value not in allowed:
        errors.add(name, f"must be one of {', '.join(allowed)} (got {shown(value)})")
        return default
    return value


def read_strings(
    raw: Record,
    name: str,
    errors: Invalid,
    default: list[str] | None = None,
    *,
    max_items: int,
    max_length: int,
    one_line: bool = False,
) -> list[str]:
    """A list of non-empty, stripped strings, each at most `max_length` characters."""
    value = raw.get(name, default if default is not None else [])
    if value is None:
        return []
    if isinstance(value, str):
        example = json.dumps(value if len(value) <= 20 else f"{value[:20]}…", ensure_ascii=False)
        errors.add(name, f"must be a list of strings like [{example}], not a string")
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.add(name, "must be a list of strings")
        return []
    if len(value) > max_items:
        errors.add(name, f"at most {max_items} items (got {len(value)})")
        return []
    items = [item.strip() for item in value if item.strip()]
    too_long = [item for item in items if len(item) > max_length]
    if too_long:
        errors.add(name, f"at most {max_length} characters an item ({shown(too_long[0], 20)})")
        return []
    if one_line and (broken := [item for item in items if LINE_BREAK_RE.search(item)]):
        errors.add(name, f"an item is one line, without line breaks ({shown(broken[0], 20)})")
        return []
    return items


# Only the extended form: Python 3.11's date.fromisoformat also takes 20250101 and 2025-W01-1.
DATE_RE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def read_date(raw: Record, name: str, errors: Invalid) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str) or not DATE_RE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        errors.add(name, f"must be a date as YYYY-MM-DD (got {shown(value)})")
        return None


def check_markdown(name: str, text: str, catalog: Catalog, errors: Invalid) -> None:
    for problem in markdown.problems_of(catalog.checked(text), catalog.variables):
        errors.add(name, str(problem))


def reject_unknown(raw: Record, known: Iterable[str], errors: Invalid) -> None:
    unknown = sorted(set(raw) - set(known) - {"type"})
    for field_name in unknown[:5]:
        errors.add(field_name if len(field_name) <= 40 else f"{field_name[:40]}…", "unknown field")
    if len(unknown) > 5:
        errors.add(None, f"{len(unknown) - 5} more unknown fields")
