"""A serving process readies itself before its first reader: the segmenter's dictionary,
OpenCC, the index's searcher and, when ranking by meaning, the sentence model are loaded
on first use, which made the first searches after a start take 200–550 ms instead of
~30. :func:`warm_up_soon` makes that first use a search of its own, on a thread, as the
process starts (runserver's serving process, each gunicorn worker).

Invariant: warming up never fails a start: whatever it meets (no index yet, a database
not migrated) is logged and left to the first reader, who meets it as before.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import connection

from content.selectors import AUDIENCES, branch_tree
from search import services, vectors
from search.queries import Filters

logger = logging.getLogger(__name__)
QUESTION = "理赔需要哪些材料"  # common words: reads the index, and the model if it is on


def warm_up() -> float:
    """Search once as the head office would, and return how long it took (seconds)."""
    started = time.perf_counter()
    try:
        if vectors.enabled():  # whether or not the search below needs it
            vectors.question_vector(QUESTION)
        tree = branch_tree()
        services.search(QUESTION, Filters(tree.root or "", AUDIENCES), tree=tree)
    except Exception as error:  # noqa: BLE001 (a start must not fail for it: see the invariant)
        logger.info("warm-up left to the first reader (%s: %s)", type(error).__name__, error)
    seconds = time.perf_counter() - started
    logger.info("warmed up seconds=%.2f", seconds)
    return seconds


def warm_up_soon() -> None:
    """:func:`warm_up` on a thread of its own: the process serves meanwhile."""
    threading.Thread(target=_warm_up_then_close, name="kms-warm-up", daemon=True).start()


def _warm_up_then_close() -> None:
    try:
        warm_up()
    finally:
        connection.close()  # the thread's own database connection
