"""What the signed query_id costs each search, suggest and answer call, against the random
UUID it replaced, and what checking one costs each feedback or event.

    .venv/bin/python bench/query_ids.py --calls 100000

Prints microseconds per call (median of five runs of ``--calls`` each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")


def per_call(call: Callable[[], object], calls: int) -> float:
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        runs.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    import django

    django.setup()
    from api import query_ids

    given = query_ids.issue(7)
    print(f"uuid.uuid4()            {per_call(uuid.uuid4, args.calls):6.2f} µs")
    print(f"query_ids.issue(key)    {per_call(lambda: query_ids.issue(7), args.calls):6.2f} µs")
    checked = per_call(lambda: query_ids.issued_to(given, 7), args.calls)
    print(f"query_ids.issued_to(…)  {checked:6.2f} µs")


if __name__ == "__main__":
    main()
