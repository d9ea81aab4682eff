"""What is wrong with a text an editor wrote: placeholders, headings, embeds.

Invariants:

* :func:`validate` and :func:`check` never raise: an editor's form shows a problem, never
  a 500 (an unexpected failure is logged and becomes one generic problem). The checking
  itself, :func:`find_problems` and :func:`find_checked`, does raise on a bug, so tests
  can tell the two apart.
* The work is bounded: a text longer than ``MAX_CHECKED_LENGTH`` is not parsed at all,
  each line is looked at a bounded number of times, and a text with more than
  ``MAX_EMBEDS`` media references is refused without looking any of them up.
* The problems stay few whatever the text: one problem for each mistake however many
  lines repeat it (naming the first ``LISTED`` lines and how many more), and at most
  ``DISTINCT`` different mistakes of one kind before the rest are only counted.
* Problems carry 1-based source line numbers where possible.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import mdurl
from markdown_it.token import Token

from content.markdown.analysis import VARIABLE_RE, Doc, analyse, placeholders
from content.markdown.plain import written_text
from content.markdown.sections import heads, outline
from content.markdown.urls import EMBED_ID_RE, EMBED_RE, EmbedResolver, resolve

_log = logging.getLogger(__name__)

# Twice the longest article body (content.models.BODY_MAX_LENGTH): every text that may be
# stored is checked; anything longer is refused before it costs a parse.
MAX_CHECKED_LENGTH = 100_000
LISTED = 3
DISTINCT = 5
# Media references a text may hold: each is looked up whenever the text is checked or read.
MAX_EMBEDS = 100

# What a kind of mistake is called when several are folded into one count.
_KINDS = {
    "unclosed": "unclosed placeholders",
    "malformed": "malformed placeholders",
    "unknown": "unknown variables",
    "h1": "level-1 headings",
    "empty": "section headings without letters",
    "duplicate": "duplicate section headings",
    "reference": "malformed image or document references",
    "missing": "missing images or documents",
    "embeds": "counts of image or document references",
}


@dataclass(frozen=True)
class Problem:
    """One mistake; when it recurs, ``lines`` holds the first few lines and ``more`` how
    many other lines it is on."""

    line: int | None
    message: str
    lines: tuple[int, ...] = ()
    more: int = 0

    def __str__(self) -> str:
        if self.more:
            return (
                f"{self.message} on lines {', '.join(map(str, self.lines))} and {self.more:,} more"
            )
        if len(self.lines) > 1:
            *first, last = self.lines
            return f"{self.message} on lines {', '.join(map(str, first))} and {last}"
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class _Found:
    kind: str  # a key of _KINDS
    line: int
    message: str


def _at(lines: Iterable[int], message: str) -> Problem:
    distinct = sorted(set(lines))
    if len(distinct) == 1:
        return Problem(distinct[0], message)
    listed = tuple(distinct[:LISTED])
    return Problem(listed[0], message, listed, len(distinct) - len(listed))


def _summarise(found: Iterable[_Found]) -> list[Problem]:
    """One problem for each message, at most DISTINCT messages of a kind, sorted by line."""
    lines: dict[tuple[str, str], list[int]] = {}
    for item in found:
        lines.setdefault((item.kind, item.message), []).append(item.line)
    shown: Counter[str] = Counter()
    folded: dict[str, list[int]] = {}
    folded_count: Counter[str] = Counter()
    problems: list[Problem] = []
    for (kind, message), where in lines.items():
        if shown[kind] < DISTINCT:
            shown[kind] += 1
            problems.append(_at(where, message))
        else:
            folded.setdefault(kind, []).extend(where)
            folded_count[kind] += 1
    for kind, where in folded.items():
        problems.append(_at(where, f"{folded_count[kind]:,} more {_KINDS[kind]}"))
    return _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def _unknown(line: int, name: str, known: Collection[str]) -> _Found:
    names = ", ".join(sorted(known)) or "none"
    return _Found("unknown", line, f"unknown variable {{{{ branch.{name} }}}} (known: {names})")


def _too_long(source: str) -> Problem | None:
    if len(source) <= MAX_CHECKED_LENGTH:
        return None
    message = f"too long to check: {len(source):,} characters (at most {MAX_CHECKED_LENGTH:,})"
    return Problem(None, message)


def _check(doc: Doc, embeds: EmbedResolver | None) -> list[_Found]:
    """Every mistake but unknown variable names (those depend on the branches)."""
    found: list[_Found] = []
    for line, written in doc.scan:
        if not written.endswith("}}"):
            found.append(_Found("unclosed", line, "unclosed {{ placeholder"))
        elif VARIABLE_RE.fullmatch(written) is None:
            hint = "write {{ branch.name }} with a lower-case name"
            found.append(_Found("malformed", line, f"malformed placeholder {written} ({hint})"))
    for token in doc.tokens:
        if token.type == "heading_open" and token.tag == "h1" and token.map:
            message = "use ## for section headings; the article title is the level-1 heading"
            found.append(_Found("h1", token.map[0] + 1, message))
    by_slug: dict[str, list[tuple[int, str]]] = {}
    for head in heads(doc):
        if head.token is None:
            continue
        if not head.natural:
            what = "has no text" if not head.heading else f"'{head.heading}' has no letters"
            found.append(_Found("empty", head.start + 1, f"section heading {what}"))
        else:
            by_slug.setdefault(head.natural, []).append((head.start + 1, head.heading))
    for same in by_slug.values():
        if len(same) > 1:
            message = f"duplicate section heading '{same[0][1]}'"
            found += [_Found("duplicate", line, message) for line, _ in same]
    found += _check_embeds(doc, embeds)
    return found


def _target(token: Token) -> str:
    return str(token.attrGet("href") or token.attrGet("src") or "")


# A media reference as written in the source, up to where a link destination ends.
_WRITTEN_EMBED_RE = re.compile(r"(?:image|document):[^\s()<>\[\]\"']*", re.IGNORECASE)


class _TargetLines:
    """The 1-based line each link target is written on, in one pass over the source.

    An inline token knows only its block's lines. Each block's lines are scanned once for
    written media references (percent-encoded as markdown-it encodes link targets); each
    target then takes the next place it is written in its block, or the block's first line
    when it is not written there as such (a reference-style link, an entity).
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.written: dict[tuple[int, int], dict[str, list[int]]] = {}
        self.taken: Counter[tuple[int, int, str]] = Counter()

    def line(self, block: Sequence[int], url: str) -> int:
        start, end = block[0], block[1]
        written = self.written.get((start, end))
        if written is None:
            written = self.written[start, end] = {}
            for number in range(start, end):
                for match in _WRITTEN_EMBED_RE.finditer(self.doc.lines[number]):
                    key = mdurl.encode(match.group()).lower()
                    written.setdefault(key, []).append(number)
        needle = url.lower()
        places = written.get(needle)
        if not places:
            return start + 1
        taken = self.taken[start, end, needle]
        self.taken[start, end, needle] += 1
        return places[min(taken, len(places) - 1)] + 1


def _check_embeds(doc: Doc, embeds: EmbedResolver | None) -> list[_Found]:
    """Malformed and missing media references, and too many of them.

    Each well-formed reference costs a lookup in the media library whenever the text is
    checked or read: past ``MAX_EMBEDS`` none is looked up, the text is refused instead.
    """
    found: list[_Found] = []
    where = _TargetLines(doc)
    refs = [
        (match.group(1).lower(), match.group(2), url, where.line(inline.map, url))
        for inline in doc.tokens
        if inline.map
        for token in inline.children or ()
        if token.type in ("link_open", "image")
        and (match := EMBED_RE.fullmatch(url := _target(token)))
    ]
    wellformed = [line for _, ident, _, line in refs if EMBED_ID_RE.fullmatch(ident)]
    if len(wellformed) > MAX_EMBEDS:
        message = f"{len(wellformed):,} image or document references (at most {MAX_EMBEDS})"
        found += [_Found("embeds", line, message) for line in wellformed]
        embeds = None
    for kind, ident, url, line in refs:
        if not EMBED_ID_RE.fullmatch(ident):
            message = f"malformed {kind} reference {url} (expected {kind}:<number>)"
            found.append(_Found("reference", line, message))
        elif embeds is not None and resolve(url, embeds) is None:
            found.append(_Found("missing", line, f"no {kind} with id {int(ident)}"))
    return found


def find_problems(
    source: str,
    *,
    known_variables: Collection[str] | None = None,
    embeds: EmbedResolver | None = None,
) -> list[Problem]:
    """Everything wrong with `source`; raises only on a bug (or a failing resolver)."""
    return problems_of(find_checked(source, embeds=embeds), known_variables)


def validate(
    source: str,
    *,
    known_variables: Collection[str] | None = None,
    embeds: EmbedResolver | None = None,
) -> list[Problem]:
    try:
        return find_problems(source, known_variables=known_variables, embeds=embeds)
    except Exception:  # noqa: BLE001
        # The editor's form must show a problem, never a 500; the traceback is still logged.
        _log.exception("could not validate article markdown")
        return [Problem(None, "this text could not be checked; please report it to support")]


@dataclass(frozen=True)
class Checked:
    """What :func:`validate` finds before knowing the variable names (picklable, so it can
    be computed in worker processes for big imports)."""

    problems: tuple[Problem, ...]
    placeholders: tuple[tuple[int, str], ...]  # (line, name) of well-formed placeholders
    # (slug, heading, markdown) of its sections and its plain text (placeholders as
    # written), from the same parse: what a published snapshot records, so a big import
    # parses each body once
    sections: tuple[tuple[str, str, str], ...] = ()
    text: str = ""


def find_checked(source: str, *, embeds: EmbedResolver | None = None) -> Checked:
    """:func:`check` without the safety net: raises on a bug."""
    if too_long := _too_long(source):
        return Checked((too_long,), ())
    doc = analyse(source)
    problems = tuple(_summarise(_check(doc, embeds)))
    found, sections = tuple(placeholders(doc)), outline(doc)
    return Checked(problems, found, sections, written_text(doc))  # the text last: it fills doc


def check(source: str, *, embeds: EmbedResolver | None = None) -> Checked:
    """Every problem except unknown variable names, plus where the placeholders are."""
    try:
        return find_checked(source, embeds=embeds)
    except Exception:  # noqa: BLE001  (as in validate: a problem for the editor, never a 500)
        _log.exception("could not check article markdown")
        return Checked((Problem(None, "this text could not be checked; please report it"),), ())


def unknown_variables(checked: Checked, known: Collection[str]) -> list[Problem]:
    return _summarise(
        _unknown(line, name, known) for line, name in checked.placeholders if name not in known
    )


def problems_of(checked: Checked, known: Collection[str] | None) -> list[Problem]:
    """``validate``'s result from a :class:`Checked` and the known variable names."""
    found = list(checked.problems)
    if known is not None:
        found += unknown_variables(checked, known)
    return _sorted(found)
