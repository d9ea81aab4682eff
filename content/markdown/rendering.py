"""Safe HTML and plain text for readers, with a branch's variables filled in.

Invariant: ``render`` never emits raw HTML from the source — HTML is escaped, and an
href/src is only emitted when :func:`~content.markdown.urls.url_allowed` accepts it *after*
embeds and variables are filled in, so ``javascript:``/``data:``/``file:``/``vbscript:``
never appear, whatever a variable's value or the embed resolver returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import mdurl
from markdown_it.token import Token

from content.markdown.analysis import MD, analyse, fill
from content.markdown.plain import inline_text, plain
from content.markdown.sections import Section, heads, section_blocks, sections
from content.markdown.urls import ABSOLUTE_HTTP_RE, EmbedResolver, resolve, url_allowed


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str
    sections: tuple[Section, ...]


def render(
    source: str,
    *,
    variables: Mapping[str, str] | None = None,
    embeds: EmbedResolver | None = None,
) -> Rendered:
    doc = analyse(source)
    found = heads(doc)
    # Values come from the database; tolerate None/non-str rather than fail a page view.
    values = {k: str(v) for k, v in (variables or {}).items() if v is not None}

    def text(i: int) -> str:
        return values.get(doc.slots[i].group("name"), doc.slots[i].group())

    def url(i: int) -> str | None:
        value = values.get(doc.slots[i].group("name"))
        return None if value is None else mdurl.encode(value.strip())

    fill(doc, text, url)
    parts = sections(doc, found)
    for head in found:
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
            target = resolve(str(token.attrs.pop(key, "")), embeds)
            if target is not None and url_allowed(target):
                token.attrs = {key: target, **token.attrs}  # href/src first, like markdown-it
                if key == "href" and ABSOLUTE_HTTP_RE.match(target):
                    token.attrSet("rel", "noopener noreferrer")
            elif key == "href":
                token.hidden = True  # keep the link text, lose the link
            else:  # an image becomes its alt text, never a broken URL
                token.type, token.content = "text", inline_text(token.children)
            opened = token if key == "href" else opened
    html = MD.renderer.render(doc.tokens, MD.options, {})
    # Each section's own HTML from the same tokens, links already checked (no second
    # parse); footnotes stay in the whole body's HTML.
    bodies, _notes = section_blocks(doc, found)
    parts = tuple(
        replace(part, html=MD.renderer.render(bodies[n], MD.options, {}))
        for n, part in enumerate(parts)
    )
    return Rendered(html, plain(doc.tokens), parts)


def render_with_variables(item: tuple[str, Mapping[str, str]]) -> Rendered:
    """``render(source, variables=...)`` for a process pool (no embeds: no database)."""
    source, variables = item
    return render(source, variables=variables)
