"""What a snapshot records about its texts: the body's sections and the variables used.

Pure (no Django, no database), so that big imports can compute it on every core with
``content.parallel.pmap``.
"""

from __future__ import annotations

from dataclasses import dataclass

from content import markdown


@dataclass(frozen=True)
class TextFacts:
    sections: list[dict[str, str]]  # [{"slug", "heading", "markdown"}] of the body, in order
    variables: list[str]  # every {{ branch.x }} name the texts use, sorted


def text_facts(texts: tuple[str, str]) -> TextFacts:
    """Facts about ``(summary, body)``."""
    summary, body = texts
    sections = [
        {"slug": s.slug, "heading": s.heading, "markdown": s.markdown}
        for s in markdown.parse_sections(body)
    ]
    names = markdown.variable_names(summary) | markdown.variable_names(body)
    return TextFacts(sections, sorted(names))
