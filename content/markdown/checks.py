"""What is wrong with a text an editor wrote: placeholders, headings, embeds.

Invariants:

* :func:`validate` and :func:`check` never raise: an editor's form shows a problem, never
  a 500 (an unexpected failure is logged and becomes one generic problem). The checking
  itself, :func:`find_problems`, does raise on a bug, so tests can tell the two apart.
* Problems carry 1-based source line numbers where possible.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from content.markdown.analysis import VARIABLE_RE, Doc, analyse, placeholders
from content.markdown.sections import heads
from content.markdown.urls import EMBED_ID_RE, EMBED_RE, EmbedResolver, resolve

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


def _unknown(line: int, name: str, known: Collection[str]) -> Problem:
    names = ", ".join(sorted(known)) or "none"
    return Problem(line, f"unknown variable {{{{ branch.{name} }}}} (known: {names})")


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def _check(doc: Doc, known: Collection[str] | None, embeds: EmbedResolver | None) -> list[Problem]:
    problems: list[Problem] = []
    for line, written in doc.scan:
        var = VARIABLE_RE.fullmatch(written)
        if not written.endswith("}}"):
            problems.append(Problem(line, "unclosed {{ placeholder"))
        elif var is None:
            hint = "write {{ branch.name }} with a lower-case name"
            problems.append(Problem(line, f"malformed placeholder {written} ({hint})"))
        elif known is not None and var.group("name") not in known:
            problems.append(_unknown(line, var.group("name"), known))
    for token in doc.tokens:
        if token.type == "heading_open" and token.tag == "h1" and token.map:
            message = "use ## for section headings; the article title is the level-1 heading"
            problems.append(Problem(token.map[0] + 1, message))
    first_line: dict[str, int] = {}
    for head in heads(doc):
        if head.token is None:
            continue
        if not head.natural:
            what = "has no text" if not head.heading else f"'{head.heading}' has no letters"
            problems.append(Problem(head.start + 1, f"section heading {what}"))
        elif head.natural in first_line:
            also = f"(also on line {first_line[head.natural]})"
            problems.append(
                Problem(head.start + 1, f"duplicate section heading '{head.heading}' {also}")
            )
        else:
            first_line[head.natural] = head.start + 1
    urls = [
        (inline.map, str(token.attrGet("href") or token.attrGet("src") or ""))
        for inline in doc.tokens
        for token in inline.children or ()
        if token.type in ("link_open", "image") and inline.map
    ]
    for (start, end), url in urls:
        if not (match := EMBED_RE.fullmatch(url)):
            continue
        kind, ident, needle = match.group(1).lower(), match.group(2), url.lower()
        # An inline token only knows its block's lines: find the one with the URL.
        line = next((n for n in range(start, end) if needle in doc.lines[n].lower()), start) + 1
        if not EMBED_ID_RE.fullmatch(ident):
            message = f"malformed {kind} reference {url} (expected {kind}:<number>)"
            problems.append(Problem(line, message))
        elif embeds is not None and resolve(url, embeds) is None:
            problems.append(Problem(line, f"no {kind} with id {int(ident)}"))
    return _sorted(problems)


def find_problems(
    source: str,
    *,
    known_variables: Collection[str] | None = None,
    embeds: EmbedResolver | None = None,
) -> list[Problem]:
    """Everything wrong with `source`; raises only on a bug (or a failing resolver)."""
    return _check(analyse(source), known_variables, embeds)


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


def find_checked(source: str, *, embeds: EmbedResolver | None = None) -> Checked:
    """:func:`check` without the safety net: raises on a bug."""
    doc = analyse(source)
    return Checked(tuple(_check(doc, None, embeds)), tuple(placeholders(doc)))


def check(source: str, *, embeds: EmbedResolver | None = None) -> Checked:
    """Every problem except unknown variable names, plus where the placeholders are."""
    try:
        return find_checked(source, embeds=embeds)
    except Exception:  # noqa: BLE001  (as in validate: a problem for the editor, never a 500)
        _log.exception("could not check article markdown")
        return Checked((Problem(None, "this text could not be checked; please report it"),), ())


def unknown_variables(checked: Checked, known: Collection[str]) -> list[Problem]:
    return [_unknown(line, name, known) for line, name in checked.placeholders if name not in known]


def problems_of(checked: Checked, known: Collection[str] | None) -> list[Problem]:
    """``validate``'s result from a :class:`Checked` and the known variable names."""
    found = list(checked.problems)
    if known is not None:
        found += unknown_variables(checked, known)
    return _sorted(found)
