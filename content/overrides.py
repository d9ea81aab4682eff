"""Rules an override must follow, shared by the import and the admin form.

Invariant: an operation may only address a section HQ's live version has, the text an
override adds never starts sections of its own (no ``##`` headings), and it refers only to
known ``{{ branch.x }}`` variables.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from content import markdown
from content.models import SectionMode

Problem = tuple[str, str]  # (field, message)


def override_problems(
    *,
    hq_slugs: Collection[str] | None,
    summary: str,
    operations: Iterable[tuple[str, str, str]],  # (slug, mode, body)
    known_variables: Collection[str],
    kept_slugs: Collection[str] = (),
) -> list[Problem]:
    """Everything wrong with an override; `kept_slugs` may be orphaned (already saved)."""
    problems: list[Problem] = []
    if hq_slugs is None:
        return [("article", "HQ has not published this article yet; nothing to override")]
    for problem in markdown.validate(summary, known_variables=known_variables):
        problems.append(("summary", str(problem)))
    seen: set[str] = set()
    for slug, mode, body in operations:
        if slug in seen:
            problems.append(("sections", f"{slug}: changed twice"))
        seen.add(slug)
        if slug not in hq_slugs and slug not in kept_slugs:
            known = ", ".join(sorted(hq_slugs)) or "none"
            problems.append(
                ("sections", f"{slug}: no such section in HQ's article (known: {known})")
            )
        if mode not in SectionMode.values:
            problems.append(
                ("sections", f"{slug}: mode must be one of {', '.join(SectionMode.values)}")
            )
        if mode != SectionMode.HIDE and not body.strip():
            problems.append(("sections", f"{slug}: text required for {mode}"))
        headings = [s for s in markdown.parse_sections(body) if s.slug != markdown.LEAD]
        if headings:
            problems.append(("sections", f"{slug}: the text may not contain ## headings"))
        for problem in markdown.validate(body, known_variables=known_variables):
            problems.append(("sections", f"{slug}: {problem}"))
    return problems


def hq_section_slugs(sections: Iterable[Mapping[str, str]]) -> set[str]:
    return {section["slug"] for section in sections}
