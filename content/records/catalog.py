"""Records, the catalog they are checked against, and how problems are reported.

Invariant: the catalog knows exactly what a record may refer to — the database plus the
valid records on earlier lines of the same file — so records apply in file order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from content import markdown
from content.models import Branch, KnowledgeArticle, Product, PublishedArticle
from content.models.taxonomy import head_office_of
from content.overrides import hq_section_slugs
from content.vocabulary import RecordStatus

Record = dict[str, Any]
STATUSES = tuple(RecordStatus.values)


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
        return head_office_of(self.branches)

    def learn(self, record: Record) -> None:
        """Remember a valid record so that later lines may refer to it."""
        if record["type"] == "branch":
            self.branches[record["code"]] = record["parent"]
            self.variables.update(record["variables"])
        elif record["type"] == "product":
            self.products.add(record["code"])
        elif record["type"] == "article":
            if record["status"] == RecordStatus.PUBLISHED:
                self.articles[record["key"]] = record["body"]
            else:
                self.articles.setdefault(record["key"], None)

    def checked(self, text: str) -> markdown.Checked:
        """An article text's checks, its media looked up (in the database, every time)."""
        if text not in self.checks or markdown.has_embeds(text):
            self.checks[text] = markdown.check(text, embeds=self.embeds)
        return self.checks[text]

    def checked_unresolved(self, text: str) -> markdown.Checked:
        """An override text's checks: its media are not looked up, as in the admin."""
        if markdown.has_embeds(text):
            return markdown.check(text)  # self.checks holds such texts checked with media
        if text not in self.checks:
            self.checks[text] = markdown.check(text)
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

    def has(self, field_name: str) -> bool:
        """Whether a problem was already found with `field_name`."""
        return any(name == field_name for name, _ in self.problems)
