"""The kms_import / kms_export record format: validation and normalisation.

A record is one JSON object a line. :func:`validate_record` checks one record against a
:class:`Catalog` of what exists (in the database and on earlier lines of the same file),
returning the normalised record or every problem with it. Normalised records have every
field present, in a fixed order, so that an exported record and the record it came from
compare equal — which is what makes "an unchanged record makes nothing" and a lossless
round trip possible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from content import markdown
from content.fields import VARIABLE_NAME_RE
from content.models import (
    BRANCH_CODE_RE,
    KEY_RE,
    Audience,
    Branch,
    BranchOverride,
    Category,
    Channel,
    KnowledgeArticle,
    Product,
    ProductLine,
    PublishedArticle,
    SaleStatus,
)
from content.overrides import hq_section_slugs, override_problems

Record = dict[str, Any]
STATUSES = ("published", "draft")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record; prints as ``LINE: field: message``."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.line}: {where}{self.message}"


@dataclass
class Catalog:
    """What a record may refer to: the database plus the valid records read so far."""

    branches: dict[str, str | None] = field(default_factory=dict)  # code -> parent code
    variables: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)
    # key -> HQ's live section slugs, or the live body they come from (parsed on first
    # use: most articles are never overridden), or None when the article is not live
    articles: dict[str, set[str] | str | None] = field(default_factory=dict)
    # Markdown checks by source text, precomputed in parallel for big files
    checks: dict[str, markdown.Checked] = field(default_factory=dict)
    embeds: markdown.EmbedResolver | None = None

    @classmethod
    def from_database(cls) -> Catalog:
        from content.embeds import WagtailEmbeds

        catalog = cls(embeds=WagtailEmbeds())
        for code, parent, variables in Branch.objects.values_list(
            "code", "parent__code", "variables"
        ):
            catalog.branches[code] = parent
            catalog.variables.update(variables or {})
        catalog.products.update(Product.objects.values_list("code", flat=True))
        catalog.articles.update(
            dict.fromkeys(KnowledgeArticle.objects.values_list("key", flat=True))
        )
        for key, sections in PublishedArticle.objects.values_list("key", "sections"):
            catalog.articles[key] = hq_section_slugs(sections)
        return catalog

    def root(self) -> str | None:
        return next((code for code, parent in self.branches.items() if parent is None), None)

    def learn(self, record: Record) -> None:
        """Remember a valid record so that later lines may refer to it."""
        if record["type"] == "branch":
            self.branches[record["code"]] = record["parent"]
            self.variables.update(record["variables"])
        elif record["type"] == "product":
            self.products.add(record["code"])
        elif record["type"] == "article":
            if record["status"] == "published":
                self.articles[record["key"]] = record["body"]
            else:
                self.articles.setdefault(record["key"], None)

    def checked(self, text: str) -> markdown.Checked:
        if text not in self.checks or markdown.has_embeds(text):
            self.checks[text] = markdown.check(text, embeds=self.embeds)
        return self.checks[text]

    def live_slugs(self, key: str) -> set[str] | None:
        known = self.articles.get(key)
        if isinstance(known, str):
            known = self.articles[key] = {s.slug for s in markdown.parse_sections(known)}
        return known


class Invalid(Exception):
    """Collects the problems of one record."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[tuple[str | None, str]] = []

    def add(self, field_name: str | None, message: str) -> None:
        self.problems.append((field_name, message))


# --- field readers: each returns the clean value or reports and returns a fallback -------


def _text(
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


def _choice(raw: Record, name: str, errors: Invalid, choices: Iterable[str], default: str) -> str:
    value = raw.get(name, default)
    allowed = list(choices)
    if value not in allowed:
        errors.add(name, f"must be one of {', '.join(allowed)} (got {value!r})")
        return default
    return value


def _strings(raw: Record, name: str, errors: Invalid, default: list[str] | None = None) -> list:
    value = raw.get(name, default if default is not None else [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.add(name, "must be a list of strings")
        return []
    return [item.strip() for item in value if item.strip()]


def _date(raw: Record, name: str, errors: Invalid) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        errors.add(name, f"must be a date as YYYY-MM-DD (got {value!r})")
        return None


def _markdown(name: str, text: str, catalog: Catalog, errors: Invalid) -> None:
    for problem in markdown.problems_of(catalog.checked(text), catalog.variables):
        errors.add(name, str(problem))


def _reject_unknown(raw: Record, known: Iterable[str], errors: Invalid) -> None:
    for name in sorted(set(raw) - set(known) - {"type"}):
        errors.add(name, "unknown field")


# --- one validator a record type ----------------------------------------------------------


def category_path(value: str) -> str | None:
    """The canonical form of a category path, or None when it is not one."""
    segments = [segment.strip() for segment in value.split("/")]
    if not value or any(not segment for segment in segments):
        return None
    return "/".join(segments)


def _category(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    _reject_unknown(raw, ("path", "name"), errors)
    path = _text(raw, "path", errors, required=True, max_length=255)
    if path and category_path(path) is None:
        errors.add("path", f"not a category path like 理赔/医疗 (got {path!r})")
    name = _text(raw, "name", errors, max_length=100)
    path = category_path(path) or path
    return {"type": "category", "path": path, "name": name or path.rsplit("/", 1)[-1]}


def _branch(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    _reject_unknown(raw, ("code", "name", "parent", "variables"), errors)
    code = _text(raw, "code", errors, required=True, max_length=32)
    if code and not BRANCH_CODE_RE.match(code):
        errors.add("code", f"upper-case letters, digits and - only, like GD-SZ (got {code!r})")
    name = _text(raw, "name", errors, required=True, max_length=100)
    parent = _text(raw, "parent", errors) or None
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
    _reject_unknown(raw, ("code", "name", "line", "status"), errors)
    return {
        "type": "product",
        "code": _text(raw, "code", errors, required=True, max_length=40),
        "name": _text(raw, "name", errors, required=True, max_length=200),
        "line": _choice(raw, "line", errors, ProductLine.values, ProductLine.LIFE),
        "status": _choice(raw, "status", errors, SaleStatus.values, SaleStatus.ON_SALE),
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
    _reject_unknown(raw, ARTICLE_FIELDS, errors)
    key = _text(raw, "key", errors, max_length=32)
    if key and not KEY_RE.match(key):
        errors.add("key", f"letters, digits and . _ - only (got {key!r})")
    title_max = KnowledgeArticle._meta.get_field("title").max_length
    record: Record = {
        "type": "article",
        "key": key,
        "title": _text(raw, "title", errors, required=True, max_length=title_max),
        "summary": _text(raw, "summary", errors, required=True, max_length=500),
        "body": _text(raw, "body", errors),
        "questions": _strings(raw, "questions", errors),
        "category": _text(raw, "category", errors, required=True, max_length=255),
        "products": sorted(set(_strings(raw, "products", errors))),
        "tags": sorted(set(_strings(raw, "tags", errors))),
        "channels": _strings(raw, "channels", errors, default=list(Channel.values)),
        "audience": _choice(raw, "audience", errors, Audience.values, Audience.PUBLIC),
        "effective_from": _date(raw, "effective_from", errors),
        "effective_to": _date(raw, "effective_to", errors),
        "review_due": _date(raw, "review_due", errors),
        "status": _choice(raw, "status", errors, STATUSES, "published"),
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
    _markdown("summary", record["summary"], catalog, errors)
    _markdown("body", record["body"], catalog, errors)
    return record


OVERRIDE_FIELDS = ("article", "branch", "hidden", "summary", "sections", "note", "status")


def _override(raw: Record, catalog: Catalog, errors: Invalid) -> Record:
    _reject_unknown(raw, OVERRIDE_FIELDS, errors)
    key = _text(raw, "article", errors, required=True)
    branch = _text(raw, "branch", errors, required=True)
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
        "summary": _text(raw, "summary", errors, max_length=500),
        "sections": sections,
        "note": _text(raw, "note", errors),
        "status": _choice(raw, "status", errors, STATUSES, "published"),
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


def category_record(category: Category) -> Record:
    return {"type": "category", "path": category.path, "name": category.name}


def branch_record(branch: Branch) -> Record:
    return {
        "type": "branch",
        "code": branch.code,
        "name": branch.name,
        "parent": branch.parent.code if branch.parent_id else None,
        "variables": dict(branch.variables or {}),
    }


def product_record(product: Product) -> Record:
    return {
        "type": "product",
        "code": product.code,
        "name": product.name,
        "line": product.line,
        "status": product.status,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def article_record(article: KnowledgeArticle, *, status: str) -> Record:
    """The normalised record of one version of an article (live or a revision's object)."""
    return {
        "type": "article",
        "key": article.key,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "questions": article.questions,
        "category": article.category.path,
        "products": sorted(product.code for product in article.products.all()),
        "tags": sorted({tag.name for tag in article.tags.all()}),
        "channels": list(article.channels),
        "audience": article.audience,
        "effective_from": _iso(article.effective_from),
        "effective_to": _iso(article.effective_to),
        "review_due": _iso(article.review_due),
        "status": status,
    }


HIDDEN_FLAG = {"inherit": None, "hidden": True, "shown": False}


def override_record(override: BranchOverride, *, status: str) -> Record:
    """The normalised record of one version of an override (live row or a revision's)."""
    return {
        "type": "override",
        "article": override.article.key,
        "branch": override.branch.code,
        "hidden": HIDDEN_FLAG[override.visibility],
        "summary": override.summary,
        "sections": override.operations(),
        "note": override.note,
        "status": status,
    }
