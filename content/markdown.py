"""Article bodies: Markdown in, sections + safe HTML + plain text out.

Invariants (tests in tests/content/test_markdown.py hold us to them):

* ``render`` never emits raw HTML from the source: HTML is escaped, and an href/src is only
  emitted for relative URLs or the schemes in ``_SAFE_SCHEMES``.
* Variable values never reach the Markdown parser: every well-formed placeholder is swapped for
  an alphanumeric sentinel before parsing and the value is put into the *tokens* afterwards, so
  a value is always literal text (or a percent-encoded, re-validated URL part).
* Sentinels contain no newline, so line numbers and section boundaries are those of the source.
* Only top-level ``##`` headings split sections; slugs depend only on heading text, never on
  position (except the deterministic ``-2`` suffix for duplicates, which ``validate`` rejects).
* ``join_sections(parse_sections(s))`` is ``s`` minus front matter, with CRLF -> LF, leading and
  trailing blank lines and trailing spaces of each section dropped, sections one blank line apart.
* ``validate`` never raises; problems carry 1-based source line numbers where possible.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import mdurl
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

__all__ = [
    "LEAD",
    "VARIABLE_RE",
    "EmbedResolver",
    "Problem",
    "Rendered",
    "Section",
    "join_sections",
    "parse_sections",
    "render",
    "validate",
    "variable_names",
]

VARIABLE_RE = re.compile(r"\{\{[ \t]*branch\.(?P<name>[a-z][a-z0-9_]*)[ \t]*\}\}")
LEAD = "_lead"

# A `{{` (possibly preceded by more braces) up to the first `}}` on the same line, not crossing
# another `{{`; a bare `{{` means unclosed.  Placeholders never span lines.
_SCAN_RE = re.compile(r"\{*\{\{(?:(?:(?!\{\{)[^\n])*?\}\})?")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "image", "document"})
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_EMBED_RE = re.compile(r"(image|document):(.*)", re.IGNORECASE | re.DOTALL)
_EMBED_ID_RE = re.compile(r"[0-9]{1,18}")  # bounded: int() of a huge digit run raises
_ABSOLUTE_HTTP_RE = re.compile(r"(https?:)?//", re.IGNORECASE)
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
_SOFTBREAK = "\x00"  # markdown-it turns NUL into U+FFFD, so it cannot come from the source
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
    # Allow-list rather than markdown-it's block-list: anything with a colon before the first
    # / ? # must be a known scheme, so `java%09script:` or `%20javascript:` are refused too.
    url = url.strip()
    if ":" not in re.split(r"[/?#]", url, maxsplit=1)[0]:
        return True
    match = _SCHEME_RE.match(url)
    return match is not None and match.group(1).lower() in _SAFE_SCHEMES


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return _url_allowed(url)


def _render_link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "" if tokens[idx].meta.get("drop") else self.renderToken(tokens, idx, options, env)


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("drop"):  # no usable src: show the alt text, never a broken URL
        return escapeHtml(self.renderInlineAsText(tokens[idx].children, options, env))
    return type(self).image(self, tokens, idx, options, env)


_MD = (
    _Parser("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .use(front_matter_plugin)
    .use(footnote_plugin)
)
for _name, _rule in (("link_open", _render_link), ("link_close", _render_link)):
    _MD.add_render_rule(_name, _rule)
_MD.add_render_rule("image", _render_image)


def _slugify(text: str) -> str:
    slug = re.sub(r"\s+", "-", unicodedata.normalize("NFKC", text).lower())
    return re.sub(r"[^\w\-]", "", slug).strip("-_")


@dataclass
class _Doc:
    lines: list[str]  # normalised source lines (markdown-it's own line numbering)
    tokens: list[Token]
    slots: list[re.Match[str]]  # well-formed placeholders, index = sentinel number
    scan: list[tuple[int, re.Match[str]]]  # every `{{...` in the body with its 1-based line
    sentinel: re.Pattern[str]
    body_start: int  # first line after front matter (0-based)


def _analyse(source: str) -> _Doc:
    text = source.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    prefix = "zq" + "j" * next(n for n in range(len(text) + 1) if f"zq{'j' * n}v" not in text)
    prefix += "v"  # starts with z, ends with v: no self-overlap, so no false match at a seam
    slots: list[re.Match[str]] = []
    scan: list[tuple[int, re.Match[str]]] = []
    pieces: list[str] = []
    pos, line = 0, 1
    for match in _SCAN_RE.finditer(text):
        line += text.count("\n", pos, match.start())
        pieces.append(text[pos : match.start()])
        pos = match.end()
        scan.append((line, match))
        if var := VARIABLE_RE.fullmatch(match.group()):
            pieces.append(f"{prefix}{len(slots)}x")
            slots.append(var)
        else:
            pieces.append(match.group())
    pieces.append(text[pos:])
    tokens = _MD.parse("".join(pieces))
    body_start = tokens[0].map[1] if tokens and tokens[0].type == "front_matter" else 0
    scan = [(ln, m) for ln, m in scan if ln > body_start]
    sentinel = re.compile(re.escape(prefix) + r"([0-9]+)x")
    return _Doc(text.split("\n"), tokens, slots, scan, sentinel, body_start or 0)


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _fill(doc: _Doc, text: Callable[[int], str], url: Callable[[int], str | None]) -> None:
    def sub(value: str, part: Callable[[int], str | None]) -> str | None:
        parts = [part(int(m.group(1))) for m in doc.sentinel.finditer(value)]
        if None in parts:
            return None
        filled = iter(parts)
        return doc.sentinel.sub(lambda _m: next(filled) or "", value)

    for token in _walk(doc.tokens):
        for attr in ("content", "info"):
            value = getattr(token, attr)
            if doc.sentinel.search(value):
                setattr(token, attr, sub(value, text))
        for key, value in list(token.attrs.items()):
            if isinstance(value, str) and doc.sentinel.search(value):
                filled = sub(value, text if key == "title" else url)
                if filled is None:
                    del token.attrs[key]  # placeholder without a value: drop the link target
                else:
                    token.attrs[key] = filled


def _inline_text(tokens: Sequence[Token] | None) -> str:
    out: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type == "softbreak":
            out.append(_SOFTBREAK)
        elif token.type == "hardbreak":
            out.append("\n")
        elif token.type == "image":
            out.append(_inline_text(token.children))
        elif token.type == "footnote_ref":
            out.append(f"[{token.meta['id'] + 1}]")
    return _CJK_SOFTBREAK_RE.sub("", "".join(out)).replace(_SOFTBREAK, " ")


def _plain(tokens: Iterable[Token]) -> str:
    out: list[str] = []
    numbers: list[int | None] = []  # per open list: next item number, None for bullets
    prefix, cells, new_block = "", None, False

    def emit(text: str) -> None:
        nonlocal prefix, new_block
        if out:
            out.append("\n\n" if new_block else "\n")
        out.append(prefix + text)
        prefix, new_block = "", False

    for token in tokens:
        kind = token.type
        if token.level == 0 and token.nesting >= 0 and kind != "inline":
            new_block = True
        if kind == "inline":
            text = _inline_text(token.children)
            cells.append(text) if cells is not None else emit(text)
        elif kind in ("fence", "code_block"):
            emit(token.content.rstrip("\n"))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            numbers.append(None if kind == "bullet_list_open" else int(start or 1))
        elif kind in ("bullet_list_close", "ordered_list_close") and numbers:
            numbers.pop()
        elif kind == "list_item_open" and numbers:
            number = numbers[-1]
            prefix = "• " if number is None else f"{number}. "
            numbers[-1] = None if number is None else number + 1
        elif kind == "list_item_close":
            prefix = ""
        elif kind == "footnote_open":
            prefix = f"[{token.meta['id'] + 1}] "
        elif kind == "tr_open":
            cells = []
        elif kind == "tr_close" and cells is not None:
            emit(" | ".join(cells))
            cells = None
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


def _blocks(tokens: list[Token]) -> list[tuple[int, list[Token]]]:
    """Split the token stream into top-level blocks, each with its first source line."""
    blocks: list[tuple[int, list[Token]]] = []
    current: list[Token] = []
    for token in tokens:
        if token.type in ("footnote_block_open", "footnote_block_close"):
            continue  # footnote_tail puts every footnote at level 0 inside this wrapper
        current.append(token)
        if token.level == 0 and token.nesting <= 0:
            line = next((t.map[0] for t in current if t.map), None)
            if line is not None:
                blocks.append((line, current))
            current = []
    return blocks


def _heading_text(doc: _Doc, inline: Token) -> str:
    # Slugs and headings come from the source as written, so placeholders stay placeholders.
    return doc.sentinel.sub(
        lambda m: doc.slots[int(m.group(1))].group(), _inline_text(inline.children)
    ).strip()


def _headings(doc: _Doc) -> list[tuple[int, str, str, list[Token]]]:
    """(start line, natural slug, heading, heading tokens) per section, lead first if any."""
    found: list[tuple[int, str, str, list[Token]]] = []
    tokens = doc.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0 and token.map:
            heading = _heading_text(doc, tokens[i + 1])
            found.append((token.map[0], _slugify(heading), heading, tokens[i : i + 3]))
    first = found[0][0] if found else len(doc.lines)
    if any(line.strip(" \t") for line in doc.lines[doc.body_start : first]):
        found.insert(0, (doc.body_start, LEAD, "", []))
    return found


def _unique(slugs: list[str]) -> list[str]:
    # validate() rejects empty and duplicate slugs; this only has to be deterministic.
    natural, used, result = set(slugs), set(), []
    for slug in slugs:
        base, n = slug or "section", 2
        unique = base
        while unique in used or (unique != slug and unique in natural):
            unique, n = f"{base}-{n}", n + 1
        used.add(unique)
        result.append(unique)
    return result


def _build_sections(
    doc: _Doc, found: list[tuple[int, str, str, list[Token]]], slugs: list[str]
) -> tuple[Section, ...]:
    starts = [start for start, _, _, _ in found]
    bodies: list[list[Token]] = [[] for _ in found]
    notes: list[list[Token]] = [[] for _ in found]
    for line, block in _blocks(doc.tokens):
        n = bisect.bisect_right(starts, line) - 1
        if n >= 0 and not (found[n][3] and block[0] is found[n][3][0]):
            (notes if block[0].type == "footnote_open" else bodies)[n].extend(block)
    sections = []
    for n, (start, _, heading, _) in enumerate(found):
        end = starts[n + 1] if n + 1 < len(found) else len(doc.lines)
        lines = doc.lines[start:end]
        while lines and not lines[-1].strip(" \t"):
            lines.pop()
        while lines and not lines[0].strip(" \t"):
            lines.pop(0)
        if lines:
            lines[-1] = lines[-1].rstrip(" \t")
        text = _plain(bodies[n] + notes[n])
        sections.append(Section(slugs[n], heading, "\n".join(lines), text))
    return tuple(sections)


def variable_names(source: str) -> set[str]:
    return {m.group("name") for m in _analyse(source).slots}


def parse_sections(source: str) -> tuple[Section, ...]:
    doc = _analyse(source)
    found = _headings(doc)
    _fill(doc, lambda i: doc.slots[i].group(), lambda _i: None)
    return _build_sections(doc, found, _unique([slug for _, slug, _, _ in found]))


def join_sections(sections: Iterable[Section]) -> str:
    text = "\n\n".join(section.markdown for section in sections)
    return text + "\n" if text else ""


def _links(doc: _Doc) -> Iterable[tuple[Token, Token, str]]:
    """(inline token, link_open/image token, attribute name) for every link and image."""
    for inline in doc.tokens:
        for token in inline.children or ():
            if token.type in ("link_open", "image"):
                yield inline, token, "href" if token.type == "link_open" else "src"


def _resolve(url: str, embeds: EmbedResolver | None) -> str | None:
    match = _EMBED_RE.fullmatch(url)
    if match is None:
        return url or None
    if embeds is None or not _EMBED_ID_RE.fullmatch(match.group(2)):
        return None
    if match.group(1).lower() == "image":
        return embeds.image_url(int(match.group(2)))
    return embeds.document_url(int(match.group(2)))


def _url_part(value: str | None) -> str | None:
    return None if value is None else mdurl.encode(value.strip())


def render(
    source: str,
    *,
    variables: Mapping[str, str] | None = None,
    embeds: EmbedResolver | None = None,
) -> Rendered:
    doc = _analyse(source)
    found = _headings(doc)
    slugs = _unique([slug for _, slug, _, _ in found])
    values = {} if variables is None else variables

    def text(i: int) -> str:
        value = values.get(doc.slots[i].group("name"))
        return doc.slots[i].group() if value is None else value

    _fill(doc, text, lambda i: _url_part(values.get(doc.slots[i].group("name"))))
    sections = _build_sections(doc, found, slugs)
    for (_, _, _, head), slug in zip(found, slugs, strict=True):
        if head:
            head[0].attrSet("id", slug)
    for _inline, token, key in _links(doc):
        url = _resolve(str(token.attrs.pop(key, "")), embeds)
        if url is None or not _url_allowed(url):
            token.meta["drop"] = True
            continue
        token.attrs = {key: url, **token.attrs}  # keep href/src first, as markdown-it does
        if key == "href" and _ABSOLUTE_HTTP_RE.match(url):
            token.attrSet("rel", "noopener noreferrer")
    for inline in doc.tokens:  # links never nest, so a close belongs to the last open
        opened: Token | None = None
        for token in inline.children or ():
            if token.type == "link_open":
                opened = token
            elif token.type == "link_close" and opened is not None:
                token.meta["drop"] = opened.meta.get("drop", False)
    html = _MD.renderer.render(doc.tokens, _MD.options, {})
    return Rendered(html, _plain(doc.tokens), sections)


def _line_of(needle: str, inline: Token, lines: list[str]) -> int | None:
    if not inline.map:
        return None
    start, end = inline.map
    needle = needle.lower()
    hit = next((n for n in range(start, end) if needle in lines[n].lower()), start)
    return hit + 1


def _check(
    source: str, known: Collection[str] | None, embeds: EmbedResolver | None
) -> list[Problem]:
    doc = _analyse(source)
    problems: list[Problem] = []
    for line, match in doc.scan:
        written, var = match.group(), VARIABLE_RE.fullmatch(match.group())
        if not written.endswith("}}"):
            problems.append(Problem(line, "unclosed {{ placeholder"))
        elif var is None:
            hint = "write {{ branch.name }} with a lower-case name"
            problems.append(Problem(line, f"malformed placeholder {written} ({hint})"))
        elif known is not None and var.group("name") not in known:
            names = ", ".join(sorted(known)) or "none"
            message = f"unknown variable {{{{ branch.{var.group('name')} }}}} (known: {names})"
            problems.append(Problem(line, message))
    for token in doc.tokens:
        if token.type == "heading_open" and token.tag == "h1" and token.map:
            message = "use ## for section headings; the article title is the level-1 heading"
            problems.append(Problem(token.map[0] + 1, message))
    first_line: dict[str, int] = {}
    for start, slug, heading, _ in _headings(doc):
        if slug == LEAD:
            continue
        if not slug:
            problems.append(Problem(start + 1, "section heading has no text"))
        elif slug in first_line:
            also = f"(also on line {first_line[slug]})"
            problems.append(Problem(start + 1, f"duplicate section heading '{heading}' {also}"))
        else:
            first_line[slug] = start + 1
    for inline, token, key in _links(doc):
        match = _EMBED_RE.fullmatch(str(token.attrGet(key) or ""))
        if match is None:
            continue
        kind, ident = match.group(1).lower(), match.group(2)
        line = _line_of(match.group(), inline, doc.lines)
        if not _EMBED_ID_RE.fullmatch(ident):
            message = f"malformed {kind} reference {match.group()} (expected {kind}:<number>)"
            problems.append(Problem(line, message))
        elif embeds is not None and _resolve(match.group(), embeds) is None:
            problems.append(Problem(line, f"no {kind} with id {int(ident)}"))
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def validate(
    source: str,
    *,
    known_variables: Collection[str] | None = None,
    embeds: EmbedResolver | None = None,
) -> list[Problem]:
    try:
        return _check(source, known_variables, embeds)
    except Exception:  # noqa: BLE001
        # An editor's form must show a problem, never a 500; the traceback still gets logged.
        _log.exception("could not validate article markdown")
        return [Problem(None, "this text could not be checked; please report it to support")]
