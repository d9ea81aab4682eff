"""The one Markdown parse every other module works from, with placeholders made inert.

Invariants:

* Variable values never reach the Markdown parser: well-formed ``{{ branch.x }}``
  placeholders are swapped for alphanumeric sentinels before parsing, and :func:`fill` puts
  values into the *tokens* afterwards, so a value is always literal text or part of a URL
  that the renderer validates again.
* Sentinels contain no newline, so token line maps are those of the source, and
  :attr:`Doc.lines` is the source normalised the way markdown-it normalises it (CRLF and
  CR to LF, NUL to U+FFFD), so a token's map indexes straight into it.
* A sentinel cannot be matched across a seam: its prefix ``zq…v`` has no border and is
  chosen so that it does not occur in the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

VARIABLE_RE = re.compile(r"\{\{[ \t]*branch\.(?P<name>[a-z][a-z0-9_]*)[ \t]*\}\}")

# `{{` (plus any braces before it) up to the first `}}` on the same line without crossing
# another `{{`; a match without `}}` is an unclosed placeholder.
_SCAN_RE = re.compile(r"\{*\{\{(?:(?:(?!\{\{)[^\n])*?\}\})?")

# markdown-it's own validateLink is a block-list that lets data:image/png through, and it
# cannot see URLs that come from variables or the embed resolver: the renderer checks every
# final href/src against an allow-list instead.
MD = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .use(front_matter_plugin)
    .use(footnote_plugin)
)


@dataclass
class Doc:
    lines: list[str]  # normalised like markdown-it does, so token maps index into this
    tokens: list[Token]
    scan: list[tuple[int, str]]  # (1-based line, text) of every `{{...` in the body
    slots: list[re.Match[str]]  # well-formed placeholders; the index is the sentinel number
    prefix: str
    sentinel: re.Pattern[str]
    body: int  # 0-based first line after the front matter


def analyse(source: str) -> Doc:
    text = source.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    prefix = "zq"
    while prefix + "v" in text:
        prefix += "j"
    prefix += "v"  # z...v has no border, so a sentinel can't be matched across a seam
    slots: list[re.Match[str]] = []
    scan: list[tuple[int, str]] = []
    pieces: list[str] = []
    pos, line = 0, 1
    for match in _SCAN_RE.finditer(text):
        line += text.count("\n", pos, match.start())
        pieces.append(text[pos : match.start()])
        pos = match.end()
        scan.append((line, match.group()))
        if var := VARIABLE_RE.fullmatch(match.group()):
            pieces.append(f"{prefix}{len(slots)}x")
            slots.append(var)
        else:
            pieces.append(match.group())
    pieces.append(text[pos:])
    tokens = MD.parse("".join(pieces))
    front = tokens[0].map if tokens and tokens[0].type == "front_matter" else None
    body = front[1] if front else 0
    sentinel = re.compile(re.escape(prefix) + r"([0-9]+)x")
    scan = [(n, written) for n, written in scan if n > body]
    return Doc(text.split("\n"), tokens, scan, slots, prefix, sentinel, body)


def as_written(doc: Doc, text: str) -> str:
    """`text` with every sentinel turned back into the placeholder it stands for."""
    return doc.sentinel.sub(lambda m: doc.slots[int(m.group(1))].group(), text)


def fill(doc: Doc, text: Callable[[int], str], url: Callable[[int], str | None]) -> None:
    """Replace sentinels in tokens: by ``text`` in content, by ``url`` in href/src."""

    def sub(value: str, part: Callable[[int], str | None]) -> str | None:
        parts = [part(int(m.group(1))) for m in doc.sentinel.finditer(value)]
        filled = iter(parts)
        return None if None in parts else doc.sentinel.sub(lambda _m: next(filled) or "", value)

    def fill_token(token: Token) -> None:
        if doc.prefix in token.content:
            token.content = sub(token.content, text) or ""
        for key, value in list(token.attrs.items()):
            if isinstance(value, str) and doc.prefix in value:
                filled = sub(value, text if key == "title" else url)
                if filled is None:
                    del token.attrs[key]  # no value for a placeholder: no link target at all
                else:
                    token.attrs[key] = filled
        for child in token.children or ():
            fill_token(child)

    for token in doc.tokens if doc.slots else ():
        fill_token(token)


def placeholders(doc: Doc) -> list[tuple[int, str]]:
    """``(line, name)`` of every well-formed placeholder in the body, in source order."""
    return [(line, var.group("name")) for line, w in doc.scan if (var := VARIABLE_RE.fullmatch(w))]


def variable_names(source: str) -> set[str]:
    """The names of the well-formed placeholders in `source` (front matter excluded)."""
    return {name for _, name in placeholders(analyse(source))}


def filled(source: str, variables: dict[str, str]) -> str:
    """`source` with each ``{{ branch.x }}`` a value is known for replaced by it, for
    readers who take Markdown; unknown names stay as written (as the renderer keeps them)."""

    def value(match: re.Match[str]) -> str:
        return variables.get(match.group("name"), match.group())

    return VARIABLE_RE.sub(value, source)
