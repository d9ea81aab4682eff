"""Rules an override must follow, shared by the import and the admin form.

Invariants:

* an operation may only address a section HQ's live version has, the text an override
  adds never starts sections of its own (no ``##`` headings), and it refers only to known
  ``{{ branch.x }}`` variables;
* the work is bounded like an article body's: all the text of an override (its summary and
  every section body) is at most ``BODY_MAX_LENGTH`` characters, checked before anything
  is parsed, and each text is parsed once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from content import markdown
from content.models import BODY_MAX_LENGTH, SectionMode

Problem = tuple[str, str]  # (field, message)


def text_length_problem(summary: str, bodies: Iterable[str]) -> Problem | None:
    """The problem with an override whose texts together are longer than an article body."""
    total = len(summary) + sum(len(body) for body in bodies)
    if total <= BODY_MAX_LENGTH:
        return None
    return (
        "sections",
        f"at most {BODY_MAX_LENGTH} characters of text in all, summary and section bodies "
        f"together, as in an article body (got {total})",
    )


def override_problems(
    *,
    hq_slugs: Collection[str] | None,
    summary: str,
    operations: Iterable[tuple[str, str, str]],  # (slug, mode, body)
    known_variables: Collection[str],
    kept_slugs: Collection[str] = (),
    check: Callable[[str], markdown.Checked] | None = None,
) -> list[Problem]:
    """Everything wrong with an override; `kept_slugs` may be orphaned (already saved).

    `check` gives a text's Markdown checks (an import passes the ones it made in advance;
    by default :func:`content.markdown.check`).
    """
    check = check or markdown.check
    operations = list(operations)
    if too_long := text_length_problem(summary, (body for _, _, body in operations)):
        return [too_long]
    problems: list[Problem] = []
    if hq_slugs is None:
        return [("article", "HQ has not published this article yet; nothing to override")]
    for problem in markdown.problems_of(check(summary), known_variables):
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
        checked = check(body)
        if any(section_slug != markdown.LEAD for section_slug, _, _ in checked.sections):
            problems.append(("sections", f"{slug}: the text may not contain ## headings"))
        for problem in markdown.problems_of(checked, known_variables):
            problems.append(("sections", f"{slug}: {problem}"))
    return problems


def hq_section_slugs(sections: Iterable[Mapping[str, str]]) -> set[str]:
    return {section["slug"] for section in sections}
