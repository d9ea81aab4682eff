"""What a snapshot records about its texts: the body's sections, the variables used, and
the plain texts (placeholders as written).

Pure (no Django, no database), so that big imports can compute it on every core with
``content.parallel.pmap`` — or take it from the Markdown checks their validation already
ran (:func:`facts_of`), so that each body is parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass

from content import markdown


@dataclass(frozen=True)
class TextFacts:
    sections: list[dict[str, str]]  # [{"slug", "heading", "markdown"}] of the body, in order
    variables: list[str]  # every {{ branch.x }} name the texts use, sorted
    summary_text: str = ""
    text: str = ""  # the body's


def facts_of(summary: markdown.Checked, body: markdown.Checked) -> TextFacts:
    """The facts of a summary and a body, from their checks."""
    sections = [
        {"slug": slug, "heading": heading, "markdown": source}
        for slug, heading, source in body.sections
    ]
    names = {name for _, name in (*summary.placeholders, *body.placeholders)}
    return TextFacts(sections, sorted(names), summary.text, body.text)


def text_facts(texts: tuple[str, str]) -> TextFacts:
    """Facts about ``(summary, body)``."""
    summary, body = texts
    return facts_of(markdown.find_checked(summary), markdown.find_checked(body))
