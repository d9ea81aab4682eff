"""Field readers: each returns the clean value, or reports a problem and a fallback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from content import markdown
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
    return value


def read_choice(
    raw: Record, name: str, errors: Invalid, choices: Iterable[str], default: str
) -> str:
    value = raw.get(name, default)
    allowed = list(choices)
    if value not in allowed:
        errors.add(name, f"must be one of {', '.join(allowed)} (got {value!r})")
        return default
    return value


def read_strings(raw: Record, name: str, errors: Invalid, default: list[str] | None = None) -> list:
    value = raw.get(name, default if default is not None else [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.add(name, "must be a list of strings")
        return []
    return [item.strip() for item in value if item.strip()]


def read_date(raw: Record, name: str, errors: Invalid) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        errors.add(name, f"must be a date as YYYY-MM-DD (got {value!r})")
        return None


def check_markdown(name: str, text: str, catalog: Catalog, errors: Invalid) -> None:
    for problem in markdown.problems_of(catalog.checked(text), catalog.variables):
        errors.add(name, str(problem))


def reject_unknown(raw: Record, known: Iterable[str], errors: Invalid) -> None:
    for name in sorted(set(raw) - set(known) - {"type"}):
        errors.add(name, "unknown field")
