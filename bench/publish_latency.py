"""Publish latency: from the commit of a single edit to every consumer's cursor passing it.

Run against a knowledge base that holds the benchmark corpus (see docs/benchmarks.md):

    # embedded default (eager tasks: consumers run in-process right after the commit)
    .venv/bin/python bench/publish_latency.py --edits 100

    # services mode: PostgreSQL + Redis + a real Celery worker (started here, or your own)
    DATABASE_URL=postgresql://… REDIS_URL=redis://… \
        .venv/bin/python bench/publish_latency.py --edits 100 --start-worker

Prints the median, p95 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")


def edit_arguments(doc: str, argv: list[str] | None, *, edits: int) -> argparse.Namespace:
    """The options of a benchmark that publishes edits one by one and times what follows."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--edits", type=int, default=edits)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per edit")
    parser.add_argument(
        "--start-worker", action="store_true", help="start a Celery worker (services mode)"
    )
    return parser.parse_args(argv)


def spread(took: list[float]) -> str:
    """Median, p95 and max of `took` (milliseconds)."""
    ordered = sorted(took)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"median_ms={statistics.median(ordered):.1f} p95_ms={p95:.1f} max_ms={ordered[-1]:.1f}"


def main(argv: list[str] | None = None) -> None:
    args = edit_arguments(__doc__, argv, edits=100)

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from content import consumers
    from content.actors import Actor
    from content.models import ChangeEvent, ConsumerCursor, KnowledgeArticle
    from content.records import article_record
    from content.services import article_upsert

    mode = "embedded (eager)" if settings.CELERY_TASK_ALWAYS_EAGER else "services (worker)"
    keys = list(KnowledgeArticle.objects.filter(live=True).values_list("key", flat=True))
    if not keys:
        sys.exit("no published articles: import the benchmark corpus first")
    worker = start_worker() if args.start_worker else None
    rng = random.Random(args.seed)
    latencies: list[float] = []
    try:
        for n in range(args.edits):
            article = KnowledgeArticle.objects.get(key=rng.choice(keys))
            record = article_record(article, status="published")
            record["summary"] = f"{record['summary'][:100]}（第{n}次修订）"
            committed: list[float] = []
            with transaction.atomic():
                transaction.on_commit(lambda c=committed: c.append(time.perf_counter()))
                article_upsert(record, actor=Actor.system_context("bench"))
            seq = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
            names = consumers.registry.names()
            deadline = time.perf_counter() + args.timeout
            while ConsumerCursor.objects.filter(name__in=names, position__gte=seq).count() < len(
                names
            ):
                if time.perf_counter() > deadline:
                    sys.exit(f"edit {n}: consumers did not pass #{seq} in {args.timeout}s")
                time.sleep(0.002)
            latencies.append((time.perf_counter() - committed[0]) * 1000)
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=30)

    print(
        f"mode={mode} articles={len(keys)} edits={len(latencies)} consumers={len(names)} "
        + spread(latencies)
    )


def start_worker() -> subprocess.Popen:
    from kms.celery import app

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kms",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
    )
    started = time.monotonic()
    while not app.control.ping(timeout=0.5):
        if time.monotonic() - started > 60:
            worker.terminate()
            sys.exit("the Celery worker did not start within 60 s")
    return worker


if __name__ == "__main__":
    main()
