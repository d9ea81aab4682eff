"""Sections: a body split at its top-level ``##`` headings, keyed by slug.

Invariants:

* Only top-level ``##`` headings (ATX or setext) split sections; text before the first is
  the ``_lead`` section. Headings inside quotes, lists, code or footnotes do not split.
* A slug depends only on its heading text as written (placeholders stay placeholders),
  never on position — except the deterministic ``-2``, ``-3`` … suffixes that keep
  duplicate or empty headings apart (``validate`` rejects both). Assigning them is linear
  in the number of headings, however many repeat.
* ``join_sections(parse_sections(s))`` is ``s`` without front matter, with CRLF -> LF, blank
  lines around sections and trailing spaces dropped, sections one blank line apart.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from content.markdown.analysis import Doc, analyse, as_written, fill
from content.markdown.plain import inline_text, plain

LEAD = "_lead"


@dataclass(frozen=True)
class Section:
    slug: str
    heading: str
    markdown: str
    text: str
    html: str = ""  # set by content.markdown.rendering.render (without the heading)


@dataclass
class Head:
    start: int  # 0-based first line of the section
    natural: str  # slug from the heading text alone ("" if it has none)
    slug: str  # natural, made unique and non-empty
    heading: str
    token: Token | None  # heading_open; None for the lead


def slugify(text: str) -> str:
    slug = re.sub(r"\s+", "-", unicodedata.normalize("NFKC", text).lower())
    return re.sub(r"[^\w\-]", "", slug).strip("-_")


def unique_slugs(naturals: Sequence[str]) -> list[str]:
    """Each natural slug (``""`` when a heading has none) made unique and non-empty.

    A slug keeps its natural form unless an earlier one took it; otherwise it becomes
    ``base-2``, ``base-3`` … — the first that is neither taken nor some *other* heading's
    natural slug. A candidate once refused stays refused (the taken set only grows), so
    each base remembers where its search stopped: the whole pass is linear.
    """
    reserved = set(naturals)
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    slugs: list[str] = []
    for natural in naturals:
        base = slug = natural or "section"
        if slug in used or (slug != natural and slug in reserved):
            n = next_suffix.get(base, 2)
            slug = f"{base}-{n}"
            while slug in used or slug in reserved:
                n += 1
                slug = f"{base}-{n}"
            next_suffix[base] = n + 1
        used.add(slug)
        slugs.append(slug)
    return slugs


def heads(doc: Doc) -> list[Head]:
    found: list[Head] = []
    for i, token in enumerate(doc.tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0 and token.map:
            # Headings/slugs come from the source as written: placeholders stay placeholders.
            heading = as_written(doc, inline_text(doc.tokens[i + 1].children)).strip()
            natural = slugify(heading)
            found.append(Head(token.map[0], natural, natural, heading, token))
    first = found[0].start if found else len(doc.lines)
    if any(line.strip(" \t") for line in doc.lines[doc.body : first]):
        found.insert(0, Head(doc.body, LEAD, LEAD, "", None))
    for head, slug in zip(found, unique_slugs([h.natural for h in found]), strict=True):
        head.slug = slug
    return found


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def section_blocks(doc: Doc, found: list[Head]) -> tuple[list[list[Token]], list[list[Token]]]:
    """Each section's tokens without its heading, and its footnotes' tokens, by section."""
    starts = [head.start for head in found]
    bodies: list[list[Token]] = [[] for _ in found]
    notes: list[list[Token]] = [[] for _ in found]
    block: list[Token] = []
    for token in doc.tokens:
        if token.type in ("footnote_block_open", "footnote_block_close"):
            continue  # footnote_tail puts footnotes at level 0 inside this wrapper
        block.append(token)
        if token.level or token.nesting > 0:
            continue
        line = next((t.map[0] for t in block if t.map), -1)
        n = bisect.bisect_right(starts, line) - 1
        if n >= 0 and block[0] is not found[n].token:
            (notes if block[0].type == "footnote_open" else bodies)[n].extend(block)
        block = []
    return bodies, notes


def sections(doc: Doc, found: list[Head]) -> tuple[Section, ...]:
    bodies, notes = section_blocks(doc, found)
    return tuple(
        Section(head.slug, head.heading, markdown, plain(bodies[n] + notes[n]))
        for n, (head, markdown) in enumerate(zip(found, section_sources(doc, found), strict=True))
    )


def section_sources(doc: Doc, found: list[Head]) -> list[str]:
    """Each section's Markdown as written: its lines without the blank ones around them."""
    starts = [head.start for head in found]
    sources = []
    for n, head in enumerate(found):
        first, last = head.start, starts[n + 1] if n + 1 < len(found) else len(doc.lines)
        while last > first and _blank(doc.lines[last - 1]):
            last -= 1
        while first < last and _blank(doc.lines[first]):
            first += 1
        sources.append("\n".join(doc.lines[first:last]).rstrip(" \t"))
    return sources


def outline(doc: Doc) -> tuple[tuple[str, str, str], ...]:
    """``(slug, heading, markdown)`` of every section: :func:`parse_sections` without the
    plain text (no token is rendered)."""
    found = heads(doc)
    return tuple(
        (head.slug, head.heading, markdown)
        for head, markdown in zip(found, section_sources(doc, found), strict=True)
    )


def parse_sections(source: str) -> tuple[Section, ...]:
    doc = analyse(source)
    found = heads(doc)
    fill(doc, lambda i: doc.slots[i].group(), lambda _i: None)
    return sections(doc, found)


def join_sections(parts: Iterable[Section]) -> str:
    text = "\n\n".join(section.markdown for section in parts)
    return text + "\n" if text else ""
