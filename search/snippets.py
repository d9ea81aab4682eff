"""Highlighted snippets: the part of a reader's text where the query's words are densest.

Invariant: a snippet is HTML-escaped text with only ``<mark>`` added, so it is safe to
put into a page as is; matching ignores width, script (traditional/simplified) and case,
and the marks fall on the reader's own characters.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable

from search import analysis

WIDTH = 120


def _spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    folded = analysis.normalise(text)
    if len(folded) != len(text):  # a folding that changed lengths: match as written
        folded = text.lower()
    wanted = tuple(sorted({w for w in words if w}, key=lambda w: (-len(w), w)))
    if not wanted:
        return []
    spans = [match.span() for match in _pattern(wanted).finditer(folded)]
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # 医保|结算|单 is one mark
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@functools.lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    """One pattern for all `words`, longest first: a search compiles it once, not once
    per word and result."""
    return re.compile("|".join(map(re.escape, words)))


def _densest(spans: list[tuple[int, int]], width: int) -> int:
    """The first span starting the window of `width` characters that holds the most span
    starts (one pass: the window's end only moves forward)."""
    best, most, end = 0, 0, 0
    for first, (left, _) in enumerate(spans):
        end = max(end, first)
        while end < len(spans) and spans[end][0] < left + width:
            end += 1
        if end - first > most:
            best, most = first, end - first
    return best


def snippet(text: str, words: Iterable[str], *, width: int = WIDTH) -> str:
    """A window of about `width` characters of `text` around the most matches of `words`,
    each match in ``<mark>``; the text's start when nothing matches."""
    text = " ".join(text.split())
    spans = _spans(text, words)
    start = 0
    if spans:
        start = max(0, spans[_densest(spans, width)][0] - width // 4)
    end = min(len(text), start + width)
    pieces, at = [], start
    for left, right in spans:
        if left < start or right > end:
            continue
        pieces += [html.escape(text[at:left]), "<mark>", html.escape(text[left:right]), "</mark>"]
        at = right
    pieces.append(html.escape(text[at:end]))
    return ("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else "")
