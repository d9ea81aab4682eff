"""Which link and image targets may reach the HTML, and how media embeds resolve.

Invariants:

* :func:`url_allowed` is an allow-list: a URL is relative, or its scheme is one of
  ``SAFE_SCHEMES``. A colon before the first ``/ ? #`` must end a known scheme, which also
  refuses what browsers might still run, like ``java%09script:`` or ``%20javascript:``.
* An embed id is at most 18 digits, so ``int()`` never meets a digit string it refuses.
"""

from __future__ import annotations

import re
from typing import Protocol

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "image", "document"})
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
EMBED_RE = re.compile(r"(image|document):(.*)", re.IGNORECASE | re.DOTALL)
EMBED_ID_RE = re.compile(r"[0-9]{1,18}")
ABSOLUTE_HTTP_RE = re.compile(r"(https?:)?//", re.IGNORECASE)


class EmbedResolver(Protocol):
    def image_url(self, image_id: int) -> str | None: ...

    def document_url(self, document_id: int) -> str | None: ...


def url_allowed(url: str) -> bool:
    url = url.strip()
    if ":" not in re.split(r"[/?#]", url, maxsplit=1)[0]:
        return True
    match = _SCHEME_RE.match(url)
    return match is not None and match.group(1).lower() in SAFE_SCHEMES


def resolve(url: str, embeds: EmbedResolver | None) -> str | None:
    """The URL to emit for a link or image target, or None when there is none."""
    match = EMBED_RE.fullmatch(url)
    if match is None:
        return url or None
    if embeds is None or not EMBED_ID_RE.fullmatch(match.group(2)):
        return None
    if match.group(1).lower() == "image":
        return embeds.image_url(int(match.group(2)))
    return embeds.document_url(int(match.group(2)))


def has_embeds(source: str) -> bool:
    """Whether `source` may refer to media (which needs the database to resolve)."""
    lowered = source.lower()
    return "image:" in lowered or "document:" in lowered
