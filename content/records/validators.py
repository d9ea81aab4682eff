"""One validator a record type; :func:`validate_record` dispatches on ``type``.

Normalised records have every field present, in a fixed order, so that an exported record
and the record it came from compare equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from content import limits
from content.fields import VARIABLE_NAME_RE
from content.limits import LINE_BREAK_RE, shown
from content.models import (
    BODY_MAX_LENGTH,
    BRANCH_CODE_RE,
    KEY_RE,
    Audience,
    Branch,
    BranchTree,
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
from content.vocabulary import RecordStatus

BRANCH_PATH_MAX_LENGTH = Branch._meta.get_field("path").max_length


def category_path(value: str) -> str | None:
    """The canonical form of a category path, or None when it is not one."""
    segments = [segment.strip() for segment in value.split("/")]
    if not value or any(not segment for segment in segments):
        return None
    return "/".join(segments)


def _read_category(raw: Record, name: str, errors: Invalid) -> str:
    """A category path in canonical form ("" after reporting a problem)."""
    path = read_text(raw, name, errors, required=True, max_length=limits.CATEGORY_PATH_MAX_LENGTH)
    if not path:
        return ""
    canonical = category_path(path)
    if canonical is None or LINE_BREAK_RE.search(canonical):
        errors.add(name, f"not a category path like 理赔/医疗 (got {shown(path)})")
        return ""
    longest = max(canonical.split("/"), key=len)
    if len(longest) > limits.CATEGORY_SEGMENT_MAX_LENGTH:
        errors.add(
            name,
            f"at most {limits.CATEGORY_SEGMENT_MAX_LENGTH} characters a level "
            f"({shown(longest, 20)} has {len(longest)})",
        )
        return ""
    return canonical


def _category(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ("path", "name"), errors)
    path = _read_category(raw, "path", errors)
    name = read_text(raw, "name", errors, max_length=100)
    return {"type": "category", "path": path, "name": name or path.rsplit("/", 1)[-1]}


def _branch(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ("code", "name", "parent", "variables"), errors)
    code = read_text(raw, "code", errors, required=True, max_length=32)
    if code and not BRANCH_CODE_RE.match(code):
        errors.add("code", f"upper-case letters, digits and - only, like GD-SZ (got {shown(code)})")
    name = read_text(raw, "name", errors, required=True, max_length=100)
    parent = read_text(raw, "parent", errors, max_length=32) or None
    root = catalog.root()
    if parent is None and root not in (None, code):
        errors.add("parent", f"required: {root} is already the head office")
    elif parent is not None and parent not in catalog.branches:
        errors.add("parent", f"unknown branch {parent}")
    elif parent is not None and code in BranchTree(catalog.branches, {}).chain(parent):
        errors.add("parent", f"{parent} is inside {code}: a branch cannot be its own ancestor")
    elif parent is not None and code:
        path = "/".join([*BranchTree(catalog.branches, {}).chain(parent), code])
        if len(path) > BRANCH_PATH_MAX_LENGTH:
            errors.add(
                "parent",
                f"the path {shown(path)} would be {len(path)} characters long; "
                f"at most {BRANCH_PATH_MAX_LENGTH}",
            )
    variables = raw.get("variables")
    if variables is None:
        variables = {}
    elif not isinstance(variables, dict):
        errors.add("variables", "must be an object of name: text")
        variables = {}
    for message in limits.variables_problems(variables):
        errors.add("variables", message)
    for var, value in variables.items() if len(variables) <= limits.VARIABLES_MAX_COUNT else ():
        if not VARIABLE_NAME_RE.match(var):
            errors.add("variables", f"{shown(var)}: names use a-z, 0-9 and _")
        if not isinstance(value, str):
            errors.add("variables", f"{shown(var)}: value must be a string")
    variables = dict(sorted(variables.items()))  # as exported: every database alike
    return {"type": "branch", "code": code, "name": name, "parent": parent, "variables": variables}


def _product(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ("code", "name", "line", "status"), errors)
    code = read_text(raw, "code", errors, required=True, max_length=limits.PRODUCT_CODE_MAX_LENGTH)
    if code and not limits.PRODUCT_CODE_RE.match(code):
        errors.add("code", f"upper-case letters, digits and - only, like KN-YL (got {shown(code)})")
    return {
        "type": "product",
        "code": code,
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


# list field -> (at most this many items, of at most this many characters, one line each)
LISTS = {
    "questions": (limits.QUESTIONS_MAX_COUNT, limits.QUESTION_MAX_LENGTH, True),
    "products": (limits.PRODUCTS_MAX_COUNT, limits.PRODUCT_CODE_MAX_LENGTH, False),
    "tags": (limits.TAGS_MAX_COUNT, limits.TAG_MAX_LENGTH, True),
    "channels": (len(Channel.values), 20, False),
}


def _list(raw: Record, name: str, errors: Invalid, default: list[str] | None = None) -> list[str]:
    max_items, max_length, one_line = LISTS[name]
    return read_strings(
        raw, name, errors, default, max_items=max_items, max_length=max_length, one_line=one_line
    )


def _article(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, ARTICLE_FIELDS, errors)
    key = read_text(raw, "key", errors, max_length=32)
    if key and not KEY_RE.match(key):
        errors.add("key", f"letters, digits and . _ - only (got {shown(key)})")
    title_max = KnowledgeArticle._meta.get_field("title").max_length
    record: Record = {
        "type": "article",
        "key": key,
        "title": read_text(raw, "title", errors, required=True, max_length=title_max),
        "summary": read_text(
            raw, "summary", errors, required=True, max_length=limits.SUMMARY_MAX_LENGTH
        ),
        "body": read_text(raw, "body", errors, max_length=BODY_MAX_LENGTH),
        "questions": _list(raw, "questions", errors),
        "category": _read_category(raw, "category", errors),
        "products": sorted(set(_list(raw, "products", errors))),
        "tags": sorted(set(_list(raw, "tags", errors))),
        "channels": _list(raw, "channels", errors, default=list(Channel.values)),
        "audience": read_choice(raw, "audience", errors, Audience.values, Audience.PUBLIC),
        "effective_from": read_date(raw, "effective_from", errors),
        "effective_to": read_date(raw, "effective_to", errors),
        "review_due": read_date(raw, "review_due", errors),
        "status": read_choice(raw, "status", errors, STATUSES, RecordStatus.PUBLISHED),
    }
    unknown_products = [code for code in record["products"] if code not in catalog.products]
    if unknown_products:
        many = "s" if len(unknown_products) > 1 else ""
        errors.add("products", f"unknown product{many} {', '.join(unknown_products)}")
    unknown_channels = [c for c in record["channels"] if c not in Channel.values]
    if unknown_channels:
        errors.add(
            "channels",
            f"unknown channel {', '.join(unknown_channels)} (known: {', '.join(Channel.values)})",
        )
    elif not record["channels"] and "channels" in raw and not errors.has("channels"):
        errors.add("channels", "at least one channel")
    record["channels"] = [c for c in Channel.values if c in record["channels"]]
    start, end = record["effective_from"], record["effective_to"]
    if start and end and end < start:
        errors.add("effective_to", "must not be before effective_from")
    check_markdown("summary", record["summary"], catalog, errors)
    check_markdown("body", record["body"], catalog, errors)
    return record


OVERRIDE_FIELDS = ("article", "branch", "hidden", "summary", "sections", "note", "status")


def _read_sections(raw: Record, errors: Invalid) -> dict[str, dict[str, str]]:
    """``slug -> {"mode", "body"}``, every slug, mode and body a bounded string."""
    raw_sections = raw.get("sections")
    if raw_sections is None:
        return {}
    if not isinstance(raw_sections, dict):
        errors.add("sections", "must be an object of section slug: {mode, body}")
        return {}
    if len(raw_sections) > limits.SECTIONS_MAX_COUNT:
        errors.add(
            "sections",
            f"at most {limits.SECTIONS_MAX_COUNT} section changes (got {len(raw_sections)})",
        )
        return {}
    sections: dict[str, dict[str, str]] = {}
    for slug, operation in raw_sections.items():
        if len(slug) > limits.SECTION_SLUG_MAX_LENGTH:
            errors.add(
                "sections",
                f"{shown(slug, 20)}: section slugs have at most "
                f"{limits.SECTION_SLUG_MAX_LENGTH} characters",
            )
            continue
        if not isinstance(operation, dict) or set(operation) - {"mode", "body"}:
            errors.add("sections", f"{slug}: must be an object with mode and body")
            continue
        mode, body = operation.get("mode", ""), operation.get("body") or ""
        if not isinstance(mode, str):
            errors.add("sections", f"{slug}: mode must be a string, not {type(mode).__name__}")
        elif not isinstance(body, str):
            errors.add("sections", f"{slug}: body must be a string, not {type(body).__name__}")
        elif len(body) > limits.SECTION_BODY_MAX_LENGTH:
            errors.add(
                "sections",
                f"{slug}: body at most {limits.SECTION_BODY_MAX_LENGTH} characters "
                f"(got {len(body)})",
            )
        else:
            sections[slug] = {"mode": mode, "body": body}
    return sections


def _override(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    reject_unknown(raw, OVERRIDE_FIELDS, errors)
    key = read_text(raw, "article", errors, required=True, max_length=32)
    branch = read_text(raw, "branch", errors, required=True, max_length=32)
    if key and key not in catalog.articles:
        errors.add("article", f"unknown article {key}")
    if branch and branch not in catalog.branches:
        errors.add("branch", f"unknown branch {branch}")
    elif branch and catalog.branches[branch] is None:
        errors.add("branch", f"{branch} is the head office; edit the article itself")
    hidden = raw.get("hidden")
    if hidden is not None and not isinstance(hidden, bool):
        errors.add("hidden", f"must be true, false or null (got {shown(hidden)})")
        hidden = None
    sections = _read_sections(raw, errors)
    record: Record = {
        "type": "override",
        "article": key,
        "branch": branch,
        "hidden": hidden,
        "summary": read_text(raw, "summary", errors, max_length=limits.SUMMARY_MAX_LENGTH),
        "sections": sections,
        "note": read_text(raw, "note", errors, max_length=limits.NOTE_MAX_LENGTH),
        "status": read_choice(raw, "status", errors, STATUSES, RecordStatus.PUBLISHED),
    }
    if key in catalog.articles:
        for name, message in override_problems(
            hq_slugs=catalog.live_slugs(key),
            summary=record["summary"],
            operations=[(slug, op["mode"], op["body"]) for slug, op in sections.items()],
            known_variables=catalog.variables,
            check=catalog.checked_unresolved,
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
        return None, [Problem(line, "type", f"unknown record type {shown(kind)} (known: {known})")]
    errors = Invalid()
    record = validator(raw, catalog, errors)
    if errors.problems:
        return None, [Problem(line, name, message) for name, message in errors.problems]
    catalog.learn(record)
    return record, []
