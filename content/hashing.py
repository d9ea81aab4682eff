"""Content digests: the ETag of what a reader sees."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def content_hash(data: Any) -> str:
    """A stable digest of JSON-able data (key order and non-ASCII text do not matter)."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
