"""Imports never block editors: publish latency during a big import, and two imports at once.

Run on PostgreSQL (the embedded SQLite default has one writer at a time), against a
freshly migrated, empty database:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kms_conc KMS_DATA_DIR=/tmp/kbconc \\
        .venv/bin/python bench/import_concurrency.py --articles 20000

1. loads a base knowledge base (the benchmark corpus with --base articles) and times
   --edits publishes of an edited base article with nothing else running;
2. runs ``manage.py kms_import`` of --articles new articles in another process, as an
   operator would, while this process — the editor — publishes an edit every --every
   seconds through the publishing service, and reports each publish's time from start
   to commit;
3. runs two ``kms_import`` processes of --articles/2 different new articles at once and
   reports whether both succeeded, and how long each took.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")


def lines_of(records: list[dict]) -> list[str]:
    return [json.dumps(record, ensure_ascii=False) for record in records]


def new_articles(prefix: str, count: int, seed: int) -> list[dict]:
    from bench.corpus import generate

    articles = [r for r in generate(count, 36, 0.0, seed) if r.get("type", "article") == "article"]
    for n, record in enumerate(articles):
        record["key"] = f"{prefix}-{n:06d}"
    return articles


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(lines_of(records)) + "\n", encoding="utf-8")
    return path


def kms_import(path: Path) -> subprocess.Popen:
    """``manage.py kms_import PATH`` in its own process; its messages go to PATH.log."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "kms_import", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=path.with_suffix(".log").open("w"),
    )


def outcome(process: subprocess.Popen, path: Path) -> str:
    if process.returncode == 0:
        return "ok"
    return "failed: " + path.with_suffix(".log").read_text(encoding="utf-8")[-500:]


def publish_edit(key: str, n: int) -> float:
    """One editor publish of article `key`; returns its time from start to commit."""
    from content.actors import Actor
    from content.models import KnowledgeArticle
    from content.records import article_record
    from content.services import article_upsert

    record = article_record(KnowledgeArticle.objects.get(key=key), status="published")
    record["summary"] = f"{record['summary'][:100]}（第{n}次修订）"
    started = time.perf_counter()
    article_upsert(record, actor=Actor.system_context("editor"))  # committed on return
    return time.perf_counter() - started


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{len(latencies)} publishes: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--base", type=int, default=500)
    parser.add_argument("--edits", type=int, default=20, help="publishes timed when idle")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between edits")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection

    from bench.corpus import generate
    from content import importing
    from content.actors import Actor
    from content.models import KnowledgeArticle

    if connection.vendor != "postgresql":
        sys.exit("run this on PostgreSQL (DATABASE_URL=postgresql://…)")
    if KnowledgeArticle.objects.exists():
        sys.exit("use an empty, freshly migrated database")

    base = importing.parse(lines_of(list(generate(args.base, 36, 0.05, 1))))
    importing.apply(base.records, actor=Actor.system_context("base"))
    keys = list(KnowledgeArticle.objects.filter(live=True).values_list("key", flat=True))
    work = Path(tempfile.mkdtemp(prefix="kms-concurrency-"))
    big = write_jsonl(work / "big.jsonl", new_articles("BX", args.articles, 2))
    half = args.articles // 2
    first = write_jsonl(work / "first.jsonl", new_articles("BY", half, 3))
    second = write_jsonl(work / "second.jsonl", new_articles("BZ", half, 4))

    idle = [publish_edit(keys[n % len(keys)], n) for n in range(args.edits)]
    print(f"0. nothing else running: {summary(idle)}")

    started = time.perf_counter()
    importer = kms_import(big)
    during: list[float] = []
    n = args.edits
    while importer.poll() is None:
        during.append(publish_edit(keys[n % len(keys)], n))
        n += 1
        time.sleep(args.every)
    took = time.perf_counter() - started
    print(
        f"1. kms_import of {args.articles} new articles: {outcome(importer, big)} in {took:.1f} s"
    )
    print(f"   meanwhile {summary(during)}")

    started = time.perf_counter()
    files = {"first": first, "second": second}
    both = {name: kms_import(path) for name, path in files.items()}
    ended: dict[str, float] = {}
    while len(ended) < len(both):
        for name, process in both.items():
            if name not in ended and process.poll() is not None:
                ended[name] = time.perf_counter() - started
        time.sleep(0.1)
    print(f"2. two kms_import processes of {half} different new articles at once:")
    for name, process in both.items():
        print(f"   {name}: {outcome(process, files[name])} in {ended[name]:.1f} s")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
