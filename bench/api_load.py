"""Load on the read API from a second process: gunicorn (2 workers) against wrk on loopback.

    KMS_DATA_DIR=/tmp/kb50k .venv/bin/python bench/api_load.py
    DATABASE_URL=postgresql://… REDIS_URL=redis://… KMS_DATA_DIR=/tmp/kbpg \\
        .venv/bin/python bench/api_load.py

The knowledge base is whatever those variables point at (import bench/corpus.py's output
first). The script makes a key, serves the API with gunicorn and the production settings,
and measures:

* ``GET articles/{key}`` for random (article, branch) pairs, with wrk: once over pairs
  never asked for (every request renders: what a cache-less API would cost), then again
  over the same pairs (served from the cache);
* ``GET changes`` pages of 1,000 events (each read once, then again: a full page is
  cached) and ``GET articles`` listing pages, one request at a time (median and p95).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Each wrk thread walks its own stride of the pairs, so no two ask for the same one.
WRK_SCRIPT = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  paths = {}
  for line in io.lines("%(pairs)s") do paths[#paths + 1] = line end
  n = id
end
request = function()
  local pair = paths[(n %% #paths) + 1]
  n = n + %(threads)d
  return wrk.format("GET", "%(prefix)s" .. pair, {["Authorization"] = "Bearer %(key)s"})
end
"""
WRK_THREADS = 2


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")
    import django

    django.setup()


def bench_key(name: str = "bench-load", scopes: tuple[str, ...] = ("read", "changes")) -> str:
    """A fresh internal key with `scopes` and no practical rate limit."""
    from api.models import ApiKey
    from api.services import apikey_create
    from content.actors import Actor

    ApiKey.objects.filter(name=name).delete()
    issued = apikey_create(
        actor=Actor.system_context("bench"),
        name=name,
        scopes=list(scopes),
        internal=True,
        rate_per_minute=100_000_000,
    )
    return issued.secret


def article_pairs(count: int, seed: int) -> list[str]:
    """``KEY?branch=CODE`` for `count` different random published articles and branches."""
    from content.models import Branch, PublishedArticle

    rng = random.Random(seed)
    keys = list(PublishedArticle.objects.filter(in_effect=True).values_list("key", flat=True))
    branches = list(Branch.objects.values_list("code", flat=True))
    pairs: set[str] = set()
    while len(pairs) < count:
        pairs.add(f"{rng.choice(keys)}?branch={rng.choice(branches)}")
    return sorted(pairs, key=lambda _: rng.random())


def serve(port: int, workers: int) -> subprocess.Popen:
    from django.conf import settings

    environ = dict(os.environ)
    database = environ.get("DATABASE_URL") or f"sqlite:///{settings.DATA_DIR / 'kms.sqlite3'}"
    environ.update(
        DJANGO_SETTINGS_MODULE="kms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database,
        KMS_PLAIN_HTTP="true",
        KMS_LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "kms.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=environ,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).close()
            return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.5)


def wrk(
    port: int,
    key: str,
    pairs: list[str],
    *,
    seconds: int,
    connections: int,
    prefix: str = "/api/v1/articles/",
) -> dict:
    """Load for `seconds`: GET `prefix` + each of `pairs` in turn (already URL-quoted)."""
    with tempfile.TemporaryDirectory() as tmp:
        pairs_file = Path(tmp) / "pairs.txt"
        pairs_file.write_text("\n".join(pairs) + "\n")
        script = Path(tmp) / "articles.lua"
        script.write_text(
            WRK_SCRIPT % {"pairs": pairs_file, "key": key, "threads": WRK_THREADS, "prefix": prefix}
        )
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, "latency": latency, "non_2xx": int(errors.group(1)) if errors else 0}


def timed(url: str, key: str, times: int) -> list[float]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
    took = []
    for _ in range(times):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
        took.append((time.perf_counter() - started) * 1000)
    return took


def summary(took: list[float]) -> str:
    ordered = sorted(took)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cold-pairs", type=int, default=30_000)
    parser.add_argument("--warm-pairs", type=int, default=2_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django()
    from django.core.cache import cache

    from content.models import ChangeEvent

    cache.clear()  # nothing from an earlier run: "never asked for" must mean it

    key = bench_key()
    pairs = article_pairs(args.cold_pairs + args.warm_pairs, args.seed)
    cold_pairs, warm_pairs = pairs[: args.cold_pairs], pairs[args.cold_pairs :]
    head = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    server = serve(args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}/api/v1"
    try:
        load = {"seconds": args.seconds, "connections": args.connections}
        cold = wrk(args.port, key, cold_pairs, **load)
        print(f"articles/{{key}}, pairs never asked for (each renders): {cold}")
        wrk(args.port, key, warm_pairs, seconds=15, connections=args.connections)  # fill
        warm = wrk(args.port, key, warm_pairs, **load)
        print(f"articles/{{key}}, {len(warm_pairs)} pairs asked for before (cache): {warm}")
        since = max(0, head - 20_000)
        pages = [f"{base}/changes?since={start}&limit=1000" for start in range(since, head, 1_000)]
        first = [t for page in pages for t in timed(page, key, 1)]
        print("changes, 1,000 events a page, first read:", summary(first))
        again = [t for page in pages for t in timed(page, key, 1)]
        print("changes, the same pages again (cached):  ", summary(again))
        gd = f"{base}/changes?since={since}&limit=1000&branch=GD"
        print("changes, 1,000 events for GD, first read:", summary(timed(gd, key, 1)))
        print("articles, 50 a page, GD:    ", summary(timed(f"{base}/articles?branch=GD", key, 20)))
        print(
            "articles, 200 a page, GD:   ",
            summary(timed(f"{base}/articles?branch=GD&limit=200", key, 20)),
        )
        print(
            "articles, category filter:  ",
            summary(timed(f"{base}/articles?branch=GD&category=%E7%90%86%E8%B5%94", key, 20)),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
