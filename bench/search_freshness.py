"""Search freshness: from the commit of a published edit to a search that finds it.

Run against a knowledge base that holds the benchmark corpus and its search index (see
docs/benchmarks.md):

    # embedded default (eager tasks: the consumers, the search indexer among them, run
    # in-process right after the commit)
    KMS_DATA_DIR=/tmp/bench/data .venv/bin/python bench/search_freshness.py --edits 50

    # services mode: PostgreSQL + Redis + a real Celery worker (started here), which
    # indexes; this process only publishes and searches
    DATABASE_URL=postgresql://… REDIS_URL=redis://… KMS_DATA_DIR=… \
        .venv/bin/python bench/search_freshness.py --edits 50 --start-worker

Each edit puts a word found nowhere else (a code such as ``20261204-7-031337``, one
token to the analysis) into the summary of a random published article and publishes it
through the publishing service. A reader thread, with its own database connection, asks
``search.services.search`` for the word in a random branch that reads the article from
the moment the edit commits until the article is found. Prints the median, p95 and max in
milliseconds of commit → found, and of commit → the indexer's cursor past the edit.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")

from bench.publish_latency import edit_arguments, spread, start_worker  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    args = edit_arguments(__doc__, argv, edits=50)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from content.actors import Actor
    from content.models import BranchTree, ChangeEvent, ConsumerCursor, PublishedArticle
    from content.records import article_record
    from content.selectors import AUDIENCES, effective_article
    from content.services import article_upsert
    from search import services
    from search.indexing import NAME
    from search.queries import Filters

    keys = list(PublishedArticle.objects.filter(in_effect=True).values_list("key", flat=True))
    if not keys:
        sys.exit("no published articles: import the benchmark corpus first")
    tree = BranchTree.load()
    branches = [code for code in tree.codes if code != tree.root]
    rng = random.Random(args.seed)
    found_ms: list[float] = []
    indexed_ms: list[float] = []

    def reader(word: str, key: str, wanted: Filters, go: threading.Event, out: list) -> None:
        try:
            go.wait()
            started = out[0]
            deadline = started + args.timeout
            while time.perf_counter() < deadline:
                if any(r.key == key for r in services.search(word, wanted, tree=tree).results):
                    out.append(time.perf_counter())
                    return
                time.sleep(0.001)
        finally:
            connection.close()

    worker = start_worker() if args.start_worker else None
    try:
        for n in range(args.edits):
            key = rng.choice(keys)
            branch = rng.choice(branches)
            if effective_article(key, branch=branch, audiences=AUDIENCES, tree=tree) is None:
                branch = tree.root  # hidden in that branch: HQ reads it
            wanted = Filters(branch, AUDIENCES)
            # digits and hyphens: one token, and no bigrams a later edit's code could share
            word = f"{time.strftime('%Y%m%d')}-{n}-{secrets.randbelow(10**6):06d}"
            if services.search(word, wanted, tree=tree).count:
                sys.exit(f"{word} is found before the edit")
            article = PublishedArticle.objects.get(key=key).article
            record = article_record(article, status="published")
            record["summary"] = f"{record['summary'][:200]} 编号 {word}"
            go, out = threading.Event(), []
            thread = threading.Thread(target=reader, args=(word, key, wanted, go, out))
            thread.start()

            def committed(out: list = out, go: threading.Event = go) -> None:
                out.append(time.perf_counter())
                go.set()

            with transaction.atomic():
                transaction.on_commit(committed)  # before the nudge: runs first
                article_upsert(record, actor=Actor.system_context("bench"))
            seq = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
            while not ConsumerCursor.objects.filter(name=NAME, position__gte=seq).exists():
                time.sleep(0.001)
            indexed = time.perf_counter()
            thread.join()
            if len(out) < 2:
                sys.exit(f"edit {n}: {word} not found in {key} for {branch} in {args.timeout} s")
            found_ms.append((out[1] - out[0]) * 1000)
            indexed_ms.append((indexed - out[0]) * 1000)

    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=30)

    mode = "embedded (eager)" if settings.CELERY_TASK_ALWAYS_EAGER else "services (worker)"
    print(
        f"mode={mode} engine={settings.KMS_SEARCH_BACKEND} edits={len(found_ms)} "
        f"articles={len(keys)}"
    )
    print(f"commit -> indexer cursor past the edit: {spread(indexed_ms)}")
    print(f"commit -> found by search: {spread(found_ms)}")


if __name__ == "__main__":
    main()
