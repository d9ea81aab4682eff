"""Article bodies: one Markdown parse gives sections, safe HTML and plain text.

Invariants (tests/content/test_markdown.py holds us to them):

* ``render`` never emits raw HTML from the source: HTML is escaped, and an href/src is only
  emitted for relative URLs or the schemes in ``_SAFE_SCHEMES`` (checked after embeds and
  variables are filled in), so ``javascript:``/``data:``/``file:``/``vbscript:`` never appear.
* Variable values never reach the Markdown parser: well-formed placeholders are swapped for
  alphanumeric sentinels before parsing and values go into the *tokens* afterwards, so a value
  is always literal text, or a percent-encoded part of an (again validated) URL.
* Sentinels contain no newline, so token line maps are those of the source.
* Only top-level ``##`` headings split sections; slugs depend only on heading text, never on
  position (except the deterministic ``-2`` suffix for duplicates, which ``validate`` rejects).
* ``join_sections(parse_sections(s))`` is ``s`` without front matter, with CRLF -> LF, blank
  lines around sections and trailing spaces dropped, sections one blank line apart.
* ``validate`` never raises; problems carry 1-based source line numbers where possible.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import mdurl
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

VARIABLE_RE = re.compile(r"\{\{[ \t]*branch\.(?P<name>[a-z][a-z0-9_]*)[ \t]*\}\}")
LEAD = "_lead"

# `{{` (plus any braces before it) up to the first `}}` on the same line without crossing
# another `{{`; a match without `}}` is an unclosed placeholder.
_SCAN_RE = re.compile(r"\{*\{\{(?:(?:(?!\{\{)[^\n])*?\}\})?")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "image", "document"})
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_EMBED_RE = re.compile(r"(image|document):(.*)", re.IGNORECASE | re.DOTALL)
_EMBED_ID_RE = re.compile(r"[0-9]{1,18}")  # bounded: int() refuses very long digit strings
_ABSOLUTE_HTTP_RE = re.compile(r"(https?:)?//", re.IGNORECASE)
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
_SOFTBREAK = "\x00"  # markdown-it turns NUL into U+FFFD, so the source cannot contain it
_CJK_SOFTBREAK_RE = re.compile(rf"(?<={_CJK}){_SOFTBREAK}(?={_CJK})")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Section:
    slug: str
    heading: str
    markdown: str
    text: str


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str
    sections: tuple[Section, ...]


class EmbedResolver(Protocol):
    def image_url(self, image_id: int) -> str | None: ...

    def document_url(self, document_id: int) -> str | None: ...


def _url_allowed(url: str) -> bool:
    # An allow-list: a colon before the first / ? # must end a known scheme, which also
    # refuses what browsers might still run, like `java%09script:` or `%20javascript:`.
    url = url.strip()
    if ":" not in re.split(r"[/?#]", url, maxsplit=1)[0]:
        return True
    match = _SCHEME_RE.match(url)
    return match is not None and match.group(1).lower() in _SAFE_SCHEMES


# markdown-it's own validateLink is a block-list that lets data:image/png through, and it
# cannot see URLs that come from variables or the embed resolver: render() applies
# _url_allowed to every final href/src instead.
_MD = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .use(front_matter_plugin)
    .use(footnote_plugin)
)


def _slugify(text: str) -> str:
    slug = re.sub(r"\s+", "-", unicodedata.normalize("NFKC", text).lower())
    return re.sub(r"[^\w\-]", "", slug).strip("-_")


@dataclass
class _Doc:
    lines: list[str]  # normalised like markdown-it does, so token maps index into this
    tokens: list[Token]
    scan: list[tuple[int, str]]  # (1-based line, text) of every `{{...` in the body
    slots: list[re.Match[str]]  # well-formed placeholders; the index is the sentinel number
    prefix: str
    sentinel: re.Pattern[str]
    body: int  # 0-based first line after the front matter


def _analyse(source: str) -> _Doc:
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
    tokens = _MD.parse("".join(pieces))
    front = tokens[0].map if tokens and tokens[0].type == "front_matter" else None
    body = front[1] if front else 0
    sentinel = re.compile(re.escape(prefix) + r"([0-9]+)x")
    scan = [(n, written) for n, written in scan if n > body]
    return _Doc(text.split("\n"), tokens, scan, slots, prefix, sentinel, body)


def _fill(doc: _Doc, text: Callable[[int], str], url: Callable[[int], str | None]) -> None:
    """Replace sentinels in tokens: by ``text`` in content, by ``url`` in href/src."""

    def sub(value: str, part: Callable[[int], str | None]) -> str | None:
        parts = [part(int(m.group(1))) for m in doc.sentinel.finditer(value)]
        filled = iter(parts)
        return None if None in parts else doc.sentinel.sub(lambda _m: next(filled) or "", value)

    def fill(token: Token) -> None:
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
            fill(child)

    for token in doc.tokens if doc.slots else ():
        fill(token)


def _inline_text(tokens: Sequence[Token] | None) -> str:
    out: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(_SOFTBREAK if token.type == "softbreak" else "\n")
        elif token.type == "image":
            out.append(_inline_text(token.children))
        elif token.type == "footnote_ref":
            out.append(f"[{token.meta['id'] + 1}]")
    return _CJK_SOFTBREAK_RE.sub("", "".join(out)).replace(_SOFTBREAK, " ")


def _plain(tokens: Iterable[Token]) -> str:
    out: list[str] = []
    numbers: list[int | None] = []  # per open list: next item number, None for bullets
    cells: list[str] | None = None
    prefix, new_block = "", False

    def emit(text: str) -> None:
        nonlocal prefix, new_block
        out.extend((("\n\n" if new_block else "\n") if out else "", prefix, text))
        prefix, new_block = "", False

    for token in tokens:
        kind = token.type
        new_block = new_block or (token.level == 0 and token.nesting >= 0)
        if kind == "inline":
            text = _inline_text(token.children)
            cells.append(text) if cells is not None else emit(text)
        elif kind in ("fence", "code_block"):
            emit(token.content.rstrip("\n"))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            numbers.append(int(token.attrGet("start") or 1) if ordered else None)
        elif kind in ("bullet_list_close", "ordered_list_close") and numbers:
            numbers.pop()
        elif kind == "list_item_open" and numbers:
            number = numbers[-1]
            prefix = "• " if number is None else f"{number}. "
            numbers[-1] = None if number is None else number + 1
        elif kind == "footnote_open":
            prefix = f"[{token.meta['id'] + 1}] "
        elif kind == "tr_open":
            cells = []
        elif kind == "tr_close" and cells is not None:
            emit(" | ".join(cells))
            cells = None
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


@dataclass
class _Head:
    start: int  # 0-based first line of the section
    natural: str  # slug from the heading text alone ("" if it has none)
    slug: str  # natural, made unique and non-empty
    heading: str
    token: Token | None  # heading_open; None for the lead


def _heads(doc: _Doc) -> list[_Head]:
    heads: list[_Head] = []
    for i, token in enumerate(doc.tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0 and token.map:
            # Headings/slugs come from the source as written: placeholders stay placeholders.
            heading = doc.sentinel.sub(
                lambda m: doc.slots[int(m.group(1))].group(),
                _inline_text(doc.tokens[i + 1].children),
            ).strip()
            natural = _slugify(heading)
            heads.append(_Head(token.map[0], natural, natural, heading, token))
    first = heads[0].start if heads else len(doc.lines)
    if any(line.strip(" \t") for line in doc.lines[doc.body : first]):
        heads.insert(0, _Head(doc.body, LEAD, LEAD, "", None))
    natural, used = {head.natural for head in heads}, set()
    for head in heads:  # validate() rejects these cases; this only has to be deterministic
        base = head.slug = head.natural or "section"
        n = 2
        while head.slug in used or (head.slug != head.natural and head.slug in natural):
            head.slug, n = f"{base}-{n}", n + 1
        used.add(head.slug)
    return heads


def _sections(doc: _Doc, heads: list[_Head]) -> tuple[Section, ...]:
    starts = [head.start for head in heads]
    bodies: list[list[Token]] = [[] for _ in heads]
    notes: list[list[Token]] = [[] for _ in heads]
    block: list[Token] = []
    for token in doc.tokens:
        if token.type in ("footnote_block_open", "footnote_block_close"):
            continue  # footnote_tail puts footnotes at level 0 inside this wrapper
        block.append(token)
        if token.level or token.nesting > 0:
            continue
        line = next((t.map[0] for t in block if t.map), -1)
        n = bisect.bisect_right(starts, line) - 1
        if n >= 0 and block[0] is not heads[n].token:
            (notes if block[0].type == "footnote_open" else bodies)[n].extend(block)
        block = []
    sections = []
    for n, head in enumerate(heads):
        lines = doc.lines[head.start : starts[n + 1] if n + 1 < len(heads) else None]
        while lines and not lines[-1].strip(" \t"):
            lines.pop()
        while lines and not lines[0].strip(" \t"):
            lines.pop(0)
        markdown = "\n".join(lines).rstrip(" \t")
        sections.append(Section(head.slug, head.heading, markdown, _plain(bodies[n] + notes[n])))
    return tuple(sections)


def variable_names(source: str) -> set[str]:
    return {
        var.group("name") for _, w in _analyse(source).scan if (var := VARIABLE_RE.fullmatch(w))
    }


def parse_sections(source: str) -> tuple[Section, ...]:
    doc = _analyse(source)
    heads = _heads(doc)
    _fill(doc, lambda i: doc.slots[i].group(), lambda _i: None)
    return _sections(doc, heads)


def join_sections(sections: Iterable[Section]) -> str:
    text = "\n\n".join(section.markdown for section in sections)
    return text + "\n" if text else ""


def _resolve(url: str, embeds: EmbedResolver | None) -> str | None:
    match = _EMBED_RE.fullmatch(url)
    if match is None:
        return url or None
    if embeds is None or not _EMBED_ID_RE.fullmatch(match.group(2)):
        return None
    if match.group(1).lower() == "image":
        return embeds.image_url(int(match.group(2)))
    return embeds.document_url(int(match.group(2)))


def render(
    source: str,
    *,
    variables: Mapping[str, str] | None = None,
    embeds: EmbedResolver | None = None,
) -> Rendered:
    doc = _analyse(source)
    heads = _heads(doc)
    # Values come from the database; tolerate None/non-str rather than fail a page view.
    values = {k: str(v) for k, v in (variables or {}).items() if v is not None}

    def text(i: int) -> str:
        return values.get(doc.slots[i].group("name"), doc.slots[i].group())

    def url(i: int) -> str | None:
        value = values.get(doc.slots[i].group("name"))
        return None if value is None else mdurl.encode(value.strip())

    _fill(doc, text, url)
    sections = _sections(doc, heads)
    for head in heads:
        if head.token is not None:
            head.token.attrSet("id", head.slug)
    for inline in doc.tokens:
        opened: Token | None = None  # links never nest: a close belongs to the latest open
        for token in inline.children or ():
            if token.type == "link_close" and opened is not None:
                token.hidden = opened.hidden  # hidden tokens render as ""
            if token.type not in ("link_open", "image"):
                continue
            key = "href" if token.type == "link_open" else "src"
            target = _resolve(str(token.attrs.pop(key, "")), embeds)
            if target is not None and _url_allowed(target):
                token.attrs = {key: target, **token.attrs}  # href/src first, like markdown-it
                if key == "href" and _ABSOLUTE_HTTP_RE.match(target):
                    token.attrSet("rel", "noopener noreferrer")
            elif key == "href":
                token.hidden = True  # keep the link text, lose the link
            else:  # an image becomes its alt text, never a broken URL
                token.type, token.content = "text", _inline_text(token.children)
            opened = token if key == "href" else opened
    html = _MD.renderer.render(doc.tokens, _MD.options, {})
    return Rendered(html, _plain(doc.tokens), sections)


def _unknown(line: int, name: str, known: Collection[str]) -> Problem:
    names = ", ".join(sorted(known)) or "none"
    return Problem(line, f"unknown variable {{{{ branch.{name} }}}} (known: {names})")


def _check(doc: _Doc, known: Collection[str] | None, embeds: EmbedResolver | None) -> list[Problem]:
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
    for head in _heads(doc):
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
        if not (match := _EMBED_RE.fullmatch(url)):
            continue
        kind, ident, needle = match.group(1).lower(), match.group(2), url.lower()
        # An inline token only knows its block's lines: find the one with the URL.
        line = next((n for n in range(start, end) if needle in doc.lines[n].lower()), start) + 1
        if not _EMBED_ID_RE.fullmatch(ident):
            message = f"malformed {kind} reference {url} (expected {kind}:<number>)"
            problems.append(Problem(line, message))
        elif embeds is not None and _resolve(url, embeds) is None:
            problems.append(Problem(line, f"no {kind} with id {int(ident)}"))
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def validate(
    source: str,
    *,
    known_variables: Collection[str] | None = None,
    embeds: EmbedResolver | None = None,
) -> list[Problem]:
    try:
        return _check(_analyse(source), known_variables, embeds)
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


def check(source: str, *, embeds: EmbedResolver | None = None) -> Checked:
    """Every problem except unknown variable names, plus where the placeholders are."""
    try:
        doc = _analyse(source)
        placeholders = tuple(
            (line, var.group("name"))
            for line, written in doc.scan
            if (var := VARIABLE_RE.fullmatch(written))
        )
        return Checked(tuple(_check(doc, None, embeds)), placeholders)
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
    return sorted(found, key=lambda p: (p.line is None, p.line or 0))


def has_embeds(source: str) -> bool:
    """Whether `source` may refer to media (which needs the database to resolve)."""
    lowered = source.lower()
    return "image:" in lowered or "document:" in lowered


def render_with_variables(item: tuple[str, Mapping[str, str]]) -> Rendered:
    """``render(source, variables=...)`` for a process pool (no embeds: no database)."""
    source, variables = item
    return render(source, variables=variables)
