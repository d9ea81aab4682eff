"""Validation only: how long kms_import takes to read and check a file, without applying it.

    .venv/bin/python bench/validation.py /tmp/corpus.jsonl

Runs the importer's reading and validation (content.records.reading.parse over
read_lines) against the knowledge base in ``KMS_DATA_DIR`` — an empty one validates the
whole corpus as new records — and prints the wall time, the time in Markdown checks, the
number of valid records and problems, and the peak memory of this process (the Markdown
workers are separate processes). Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a kms_import JSONL file")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from content.records import reading
    from content.records.lines import read_lines

    checking = 0.0
    pmap = reading.pmap

    def timed_pmap(fn: object, items: list) -> list:
        nonlocal checking
        start = time.perf_counter()
        try:
            return pmap(fn, items)
        finally:
            checking += time.perf_counter() - start

    reading.pmap = timed_pmap  # type: ignore[assignment]
    start = time.perf_counter()
    parsed = reading.parse(read_lines(args.path))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"{seconds:.1f} s ({checking:.1f} s in Markdown checks), {len(parsed.records):,} "
        f"valid records, {len(parsed.problems):,} problems, peak RSS {peak} MB"
    )


if __name__ == "__main__":
    main()
