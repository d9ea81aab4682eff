"""One validator a record type; :func:`validate_record` dispatches on ``type``.

Normalised records have every field present, in a fixed order, so that an exported record
and the record it came from compare equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from content.fields import VARIABLE_NAME_RE
from content.models import (
    BODY_MAX_LENGTH,
    BRANCH_CODE_RE,
    KEY_RE,
    Audience,
    Channel,
    KnowledgeArticle,
    ProductLine,
    SaleStatus,
)
from content.overrides import override_problems
from content.records.catalog import STATUSES, Catalog, Invalid, Problem, Record
from content.records.fields import (
    check_markdown,
    read_choice,
    read_date,
    read_strings,
    read_text,
    reject_unknown,
)


def category_path(value: str) -> str | None:
    """The canonical form of a category path, or None when it is not one."""
    segments = [segment.strip() for segment in value.split("/")]
    if not value or any(not segment for segment in segments):
        return None
    return "/".join(segments)


def _category(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ("path", "name"), errors)
    path = read_text(raw, "path", errors, required=True, max_length=255)
    if path and category_path(path) is None:
        errors.add("path", f"not a category path like 理赔/医疗 (got {path!r})")
    name = read_text(raw, "name", errors, max_length=100)
    path = category_path(path) or path
    return {"type": "category", "path": path, "name": name or path.rsplit("/", 1)[-1]}


def _branch(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ("code", "name", "parent", "variables"), errors)
    code = read_text(raw, "code", errors, required=True, max_length=32)
    if code and not BRANCH_CODE_RE.match(code):
        errors.add("code", f"upper-case letters, digits and - only, like GD-SZ (got {code!r})")
    name = read_text(raw, "name", errors, required=True, max_length=100)
    parent = read_text(raw, "parent", errors) or None
    root = catalog.root()
    if parent is None and root not in (None, code):
        errors.add("parent", f"required: {root} is already the head office")
    elif parent is not None and parent not in catalog.branches:
        errors.add("parent", f"unknown branch {parent}")
    elif parent is not None and _is_descendant(catalog, parent, of=code):
        errors.add("parent", f"{parent} is inside {code}: a branch cannot be its own ancestor")
    variables = raw.get("variables") or {}
    if not isinstance(variables, dict):
        errors.add("variables", "must be an object of name: text")
        variables = {}
    for var, value in variables.items():
        if not VARIABLE_NAME_RE.match(var):
            errors.add("variables", f"{var!r}: names use a-z, 0-9 and _")
        if not isinstance(value, str):
            errors.add("variables", f"{var}: value must be a string")
    return {"type": "branch", "code": code, "name": name, "parent": parent, "variables": variables}


def _is_descendant(catalog: Catalog, code: str, *, of: str) -> bool:
    seen: set[str] = set()
    while code is not None and code not in seen:
        if code == of:
            return True
        seen.add(code)
        code = catalog.branches.get(code)
    return False


def _product(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ("code", "name", "line", "status"), errors)
    return {
        "type": "product",
        "code": read_text(raw, "code", errors, required=True, max_length=40),
        "name": read_text(raw, "name", errors, required=True, max_length=200),
        "line": read_choice(raw, "line", errors, ProductLine.values, ProductLine.LIFE),
        "status": read_choice(raw, "status", errors, SaleStatus.values, SaleStatus.ON_SALE),
    }


ARTICLE_FIELDS = (
    "key",
    "title",
    "summary",
    "body",
    "questions",
    "category",
    "products",
    "tags",
    "channels",
    "audience",
    "effective_from",
    "effective_to",
    "review_due",
    "status",
)


def _article(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ARTICLE_FIELDS, errors)
    key = read_text(raw, "key", errors, max_length=32)
    if key and not KEY_RE.match(key):
        errors.add("key", f"letters, digits and . _ - only (got {key!r})")
    title_max = KnowledgeArticle._meta.get_field("title").max_length
    record: Record = {
        "type": "article",
        "key": key,
        "title": read_text(raw, "title", errors, required=True, max_length=title_max),
        "summary": read_text(raw, "summary", errors, required=True, max_length=500),
        "body": read_text(raw, "body", errors, max_length=BODY_MAX_LENGTH),
        "questions": read_strings(raw, "questions", errors),
        "category": read_text(raw, "category", errors, required=True, max_length=255),
        "products": sorted(set(read_strings(raw, "products", errors))),
        "tags": sorted(set(read_strings(raw, "tags", errors))),
        "channels": read_strings(raw, "channels", errors, default=list(Channel.values)),
        "audience": read_choice(raw, "audience", errors, Audience.values, Audience.PUBLIC),
        "effective_from": read_date(raw, "effective_from", errors),
        "effective_to": read_date(raw, "effective_to", errors),
        "review_due": read_date(raw, "review_due", errors),
        "status": read_choice(raw, "status", errors, STATUSES, "published"),
    }
    if record["category"] and category_path(record["category"]) is None:
        errors.add("category", f"not a category path like 理赔/医疗 (got {record['category']!r})")
    record["category"] = category_path(record["category"]) or record["category"]
    for code in record["products"]:
        if code not in catalog.products:
            errors.add("products", f"unknown product {code}")
    unknown_channels = [c for c in record["channels"] if c not in Channel.values]
    if unknown_channels:
        errors.add(
            "channels",
            f"unknown channel {', '.join(unknown_channels)} (known: {', '.join(Channel.values)})",
        )
    elif not record["channels"] and "channels" in raw:
        errors.add("channels", "at least one channel")
    record["channels"] = [c for c in Channel.values if c in record["channels"]]
    for tag in record["tags"]:
        if len(tag) > 100:
            errors.add("tags", f"at most 100 characters a tag ({tag[:20]}…)")
    start, end = record["effective_from"], record["effective_to"]
    if start and end and end < start:
        errors.add("effective_to", "must not be before effective_from")
    check_markdown("summary", record["summary"], catalog, errors)
    check_markdown("body", record["body"], catalog, errors)
    return record


OVERRIDE_FIELDS = ("article", "branch", "hidden", "summary", "sections", "note", "status")


def _override(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, OVERRIDE_FIELDS, errors)
    key = read_text(raw, "article", errors, required=True)
    branch = read_text(raw, "branch", errors, required=True)
    if key and key not in catalog.articles:
        errors.add("article", f"unknown article {key}")
    if branch and branch not in catalog.branches:
        errors.add("branch", f"unknown branch {branch}")
    elif branch and catalog.branches[branch] is None:
        errors.add("branch", f"{branch} is the head office; edit the article itself")
    hidden = raw.get("hidden")
    if hidden not in (None, True, False):
        errors.add("hidden", "must be true, false or null")
        hidden = None
    sections: dict[str, dict[str, str]] = {}
    raw_sections = raw.get("sections") or {}
    if not isinstance(raw_sections, dict):
        errors.add("sections", "must be an object of section slug: {mode, body}")
        raw_sections = {}
    for slug, operation in raw_sections.items():
        if not isinstance(operation, dict) or set(operation) - {"mode", "body"}:
            errors.add("sections", f"{slug}: must be an object with mode and body")
            continue
        sections[slug] = {"mode": operation.get("mode", ""), "body": operation.get("body") or ""}
    record: Record = {
        "type": "override",
        "article": key,
        "branch": branch,
        "hidden": hidden,
        "summary": read_text(raw, "summary", errors, max_length=500),
        "sections": sections,
        "note": read_text(raw, "note", errors),
        "status": read_choice(raw, "status", errors, STATUSES, "published"),
    }
    if key in catalog.articles:
        for name, message in override_problems(
            hq_slugs=catalog.live_slugs(key),
            summary=record["summary"],
            operations=[(slug, op["mode"], op["body"]) for slug, op in sections.items()],
            known_variables=catalog.variables,
        ):
            errors.add(name, message)
    return record


VALIDATORS: dict[str, Callable[[Record, Catalog, Invalid], Record]] = {
    "article": _article,
    "override": _override,
    "branch": _branch,
    "product": _product,
    "category": _category,
}


def validate_record(line: int, raw: Any, catalog: Catalog) -> tuple[Record | None, list[Problem]]:
    """Normalise one parsed JSON value; on success the catalog learns the record."""
    if not isinstance(raw, dict):
        return None, [Problem(line, None, "a record must be a JSON object")]
    kind = raw.get("type", "article")
    validator = VALIDATORS.get(kind) if isinstance(kind, str) else None
    if validator is None:
        known = ", ".join(VALIDATORS)
        return None, [Problem(line, "type", f"unknown record type {kind!r} (known: {known})")]
    errors = Invalid()
    record = validator(raw, catalog, errors)
    if errors.problems:
        return None, [Problem(line, name, message) for name, message in errors.problems]
    catalog.learn(record)
    return record, []
