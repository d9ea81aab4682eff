"""Plain text from tokens, for bots, SMS and the search index.

Invariants: no Markdown syntax survives (emphasis, links, code fences, table rules, quote
markers are dropped; list items keep a ``•`` or their number; footnotes become ``[n]``);
a soft break between two CJK characters joins them without a space, any other soft break
becomes one space; blocks are one blank line apart, never more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from markdown_it.token import Token

from content.markdown.analysis import Doc, analyse, fill

_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
_SOFTBREAK = "\x00"  # markdown-it turns NUL into U+FFFD, so the source cannot contain it
_CJK_SOFTBREAK_RE = re.compile(rf"(?<={_CJK}){_SOFTBREAK}(?={_CJK})")


def inline_text(tokens: Sequence[Token] | None) -> str:
    """The text of an inline token's children: what a reader sees, without markup."""
    out: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(_SOFTBREAK if token.type == "softbreak" else "\n")
        elif token.type == "image":
            out.append(inline_text(token.children))
        elif token.type == "footnote_ref":
            out.append(f"[{token.meta['id'] + 1}]")
    return _CJK_SOFTBREAK_RE.sub("", "".join(out)).replace(_SOFTBREAK, " ")


def plain(tokens: Iterable[Token]) -> str:
    """The plain text of a run of block tokens."""
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
            text = inline_text(token.children)
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


def written_text(doc: Doc) -> str:
    """The plain text of a parsed document with ``{{ branch.x }}`` placeholders as
    written: what ``render(source).text`` gives without variables (this fills `doc`)."""
    fill(doc, lambda i: doc.slots[i].group(), lambda _i: None)
    return plain(doc.tokens)


def plain_text(source: str) -> str:
    """:func:`written_text` of `source`: its plain text, without rendering any HTML."""
    return written_text(analyse(source))
