"""How much a match counts in each part of an editors' index entry: data, not code.

Invariant: the weights come from the backend's ``WEIGHTS`` in ``WAGTAILSEARCH_BACKENDS``
(keys ``title``, ``body``, ``grams``); what is not given keeps its default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Weights:
    title: float = 2.0  # Wagtail's own boost of a page's title
    body: float = 1.0
    grams: float = 0.5  # the piece as written, across segmentation differences

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Weights:
        given = params.get("WEIGHTS") or {}
        unknown = set(given) - {field.name for field in fields(cls)}
        if unknown:
            raise ValueError(f"WEIGHTS: unknown keys {sorted(unknown)}")
        return cls(**{name: float(value) for name, value in given.items()})
