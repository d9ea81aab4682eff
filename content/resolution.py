"""Branch resolution: HQ's sections ⊕ each ancestor's override, top down. Pure functions.

Invariants:
* the result depends only on HQ's published sections/summary and the ordered layers;
* a section no layer touches is HQ's text, byte for byte;
* an operation on a slug HQ no longer has is never silently dropped: it is reported as
  orphaned (and has no effect);
* visibility is decided by the nearest layer that says ``hidden`` or ``shown``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from content.markdown import LEAD, Section, join_sections, parse_sections
from content.vocabulary import SectionMode, Visibility


@dataclass(frozen=True)
class Layer:
    """One branch's published override of the article."""

    branch: str
    visibility: str = Visibility.INHERIT
    summary: str = ""
    sections: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # slug->{mode,body}


@dataclass(frozen=True)
class Resolved:
    visible: bool
    summary: str
    body: str
    applied: tuple[str, ...]  # branches whose layer changed something
    orphaned: Mapping[str, tuple[str, ...]]  # branch -> slugs HQ no longer has


def section_content(section: Section) -> str:
    """A section's Markdown without its heading line(s)."""
    if section.slug == LEAD:
        return section.markdown
    lines = section.markdown.split("\n")
    # ATX headings take one line; setext headings take the text and its underline.
    skip = 1 if lines[0].lstrip().startswith("#") else 2
    return "\n".join(lines[skip:]).strip("\n")


def _with_content(section: Section, content: str) -> Section:
    content = content.strip("\n")
    if section.slug == LEAD:
        markdown = content
    else:
        markdown = f"## {section.heading}\n\n{content}" if content else f"## {section.heading}"
    return Section(section.slug, section.heading, markdown, "")


def section_apply(section: Section, mode: str, body: str) -> Section | None:
    """One operation on one section; ``None`` means the section is hidden."""
    if mode == SectionMode.HIDE:
        return None
    current = section_content(section)
    if mode == SectionMode.REPLACE:
        return _with_content(section, body)
    if mode == SectionMode.PREPEND:
        return _with_content(section, f"{body.strip()}\n\n{current}")
    if mode == SectionMode.APPEND:
        return _with_content(section, f"{current}\n\n{body.strip()}")
    raise ValueError(f"unknown section mode {mode!r}")


def _sets_visibility(layer: Layer) -> bool:
    return layer.visibility in (Visibility.HIDDEN, Visibility.SHOWN)


def summary_resolve(hq_summary: str, layers: Sequence[Layer]) -> tuple[bool, str]:
    """Visibility and summary alone (what a listing shows): :func:`resolve` without
    parsing the body."""
    summary, visible = hq_summary, True
    for layer in layers:
        if _sets_visibility(layer):
            visible = layer.visibility == Visibility.SHOWN
        summary = layer.summary or summary
    return visible, summary


def resolve(
    hq_summary: str,
    hq_body: str,
    layers: Sequence[Layer],
    *,
    hq_sections: Sequence[Section] | None = None,
) -> Resolved:
    """HQ's summary and body with `layers` applied; `hq_sections` (the body's sections as a
    snapshot records them) spares parsing the body again."""
    parsed = parse_sections(hq_body) if hq_sections is None else hq_sections
    sections: list[Section | None] = list(parsed)
    index = {section.slug: i for i, section in enumerate(sections) if section is not None}
    visible, summary = summary_resolve(hq_summary, layers)
    applied: list[str] = []
    orphaned: dict[str, tuple[str, ...]] = {}
    for layer in layers:
        changed = _sets_visibility(layer) or bool(layer.summary)
        missing = []
        for slug, operation in layer.sections.items():
            position = index.get(slug)
            if position is None:
                missing.append(slug)
                continue
            current = sections[position]
            if current is not None:
                sections[position] = section_apply(current, operation["mode"], operation["body"])
                changed = True
        if missing:
            orphaned[layer.branch] = tuple(missing)
        if changed:
            applied.append(layer.branch)
    body = join_sections(s for s in sections if s is not None)
    return Resolved(visible, summary, body, tuple(applied), orphaned)


def merged_variables(chain: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Variables along a root-to-branch chain; the nearest branch defining a name wins."""
    merged: dict[str, str] = {}
    for variables in chain:
        merged.update(variables)
    return merged


@dataclass(frozen=True)
class Staleness:
    stale: tuple[str, ...]  # touched parts HQ changed since the base ("summary" or slugs)
    orphaned: tuple[str, ...]  # touched slugs HQ removed

    def __bool__(self) -> bool:
        return bool(self.stale or self.orphaned)


SUMMARY = "summary"


@functools.lru_cache(maxsize=256)
def section_contents(body: str) -> Mapping[str, str]:
    """``slug -> content`` of a body (read-only; cached, as HQ bodies are compared often)."""
    return MappingProxyType({s.slug: section_content(s) for s in parse_sections(body)})


def staleness(
    *,
    base_summary: str,
    base_body: str,
    current_summary: str,
    current_body: str,
    touched: Sequence[str],
    replaces_summary: bool,
) -> Staleness:
    """Which parts an override touches changed (or vanished) in HQ since its base."""
    base, current = section_contents(base_body), section_contents(current_body)
    stale = [SUMMARY] if replaces_summary and base_summary != current_summary else []
    orphaned = [slug for slug in touched if slug not in current]
    stale += [slug for slug in touched if slug in current and base.get(slug) != current[slug]]
    return Staleness(tuple(stale), tuple(orphaned))
