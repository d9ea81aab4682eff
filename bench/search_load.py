"""Load on the search API: gunicorn (2 workers) against wrk on loopback, then the workers' RSS.

    KMS_DATA_DIR=/tmp/bench/data .venv/bin/python bench/search_load.py

The knowledge base and its search index are whatever KMS_DATA_DIR (or DATABASE_URL)
points at (import bench/corpus.py's output first). The script makes a search key and
serves the API as bench/api_load.py does, and loads ``GET /api/v1/search?q=…&branch=…``
with wrk, rotating through the same kind of queries as bench/search_latency.py (2–4
title words, whole questions) for random provinces and cities: a warm-up, then one run
per connection count. Search answers are not cached, so every request asks the index.
It prints each run's rate and latency percentiles, then VmRSS and VmHWM of every
gunicorn worker (/proc/PID/status). ``KMS_SEARCH_SEMANTIC=false`` loads the ranking by
words alone.
"""

from __future__ import annotations

import argparse
import random
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load import bench_key, serve, setup_django, wrk  # noqa: E402
from bench.search_latency import fragment  # noqa: E402


def query_strings(count: int, seed: int) -> list[str]:
    """``?q=…&branch=…`` for `count` queries built from the published titles and questions."""
    from content.models import BranchTree, PublishedArticle

    rng = random.Random(seed)
    rows = list(PublishedArticle.objects.filter(in_effect=True).values_list("title", "questions"))
    tree = BranchTree.load()
    branches = [code for code in tree.codes if code != tree.root] or [tree.root]
    questions = [q for _, qs in rows for q in qs]
    found = []
    for n in range(count):
        text = rng.choice(questions) if n % 5 == 0 else fragment(rng.choice(rows)[0], rng)
        found.append("?" + urllib.parse.urlencode({"q": text, "branch": rng.choice(branches)}))
    return found


def memory(master: int) -> list[str]:
    """VmRSS and VmHWM of each worker of the gunicorn `master`."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    found = []
    for pid in children:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        found.append(f"pid {pid}: VmRSS {status['VmRSS'].strip()}, VmHWM {status['VmHWM'].strip()}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", default="4,16", help="one run for each, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django()

    key = bench_key("bench-search", ("search",))
    queries = query_strings(args.queries, args.seed)
    server = serve(args.port, args.workers)
    prefix = "/api/v1/search"
    try:
        print("after start:", *memory(server.pid), sep="\n  ")
        wrk(args.port, key, queries, seconds=10, connections=4, prefix=prefix)  # warm-up
        for connections in (int(c) for c in args.connections.split(",")):
            found = wrk(
                args.port,
                key,
                queries,
                seconds=args.seconds,
                connections=connections,
                prefix=prefix,
            )
            print(f"search, {connections} connections, {args.seconds} s: {found}")
        print("after the load:", *memory(server.pid), sep="\n  ")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
