"""kms_import on hostile files: how long validation takes and how much memory it needs.

    .venv/bin/python bench/hostile_import.py --out /tmp/hostile [--megabytes 50]

Writes one file per case into ``--out`` — a record whose body is ``--megabytes`` MB of
``## x`` lines, the same of ``*a_``, a body of 10,000 ``## x`` lines (exactly the body
limit), and 200 different articles, each a 30,000-character body of repeated headings — then
runs ``manage.py kms_import`` on each in a fresh process against an empty knowledge base
(``KMS_DATA_DIR`` under ``--out``) and prints its wall time, peak memory (RSS, from
``/usr/bin/time``, Linux) and the number of lines it reported. Every case must fail
validation with exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAXONOMY = [
    {"type": "category", "path": "理赔", "name": "理赔"},
    {"type": "branch", "code": "HQ", "name": "总公司", "parent": None, "variables": {}},
]


def article(key: str, body: str) -> dict[str, object]:
    return {
        "type": "article",
        "key": key,
        "title": "退保需要什么材料？",
        "summary": "带身份证和保单。",
        "body": body,
        "category": "理赔",
    }


def write(path: Path, records: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def cases(out: Path, megabytes: int) -> dict[str, Path]:
    size = megabytes * 1024 * 1024
    return {
        f"{megabytes} MB body of '## x'": write(
            out / "headings.jsonl", [*TAXONOMY, article("KB-1", "## x\n" * (size // 5))]
        ),
        f"{megabytes} MB body of '*a_'": write(
            out / "emphasis.jsonl", [*TAXONOMY, article("KB-1", "*a_" * (size // 3))]
        ),
        "10,000 '## x' (50,000 characters)": write(
            out / "limit.jsonl", [*TAXONOMY, article("KB-1", "## x\n" * 10_000)]
        ),
        "200 articles of 6,000 '## x'": write(
            out / "many.jsonl",
            [*TAXONOMY, *(article(f"KB-{n}", "## x\n" * 6_000 + f"第{n}条") for n in range(200))],
        ),
    }


def run(path: Path, data_dir: Path) -> tuple[float, int, int, int]:
    """(seconds, peak RSS in MB, exit status, lines reported) of one kms_import."""
    env = {**os.environ, "KMS_DATA_DIR": str(data_dir)}
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "manage.py", "kms_import", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    reported = sum(1 for line in done.stderr.splitlines() if line.startswith(str(path)))
    return seconds, int(rss.group(1)) // 1024 if rss else -1, done.returncode, reported


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="a directory for the files")
    parser.add_argument("--megabytes", type=int, default=50)
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = args.out / "kb"
    data_dir.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**os.environ, "KMS_DATA_DIR": str(data_dir)},
        check=True,
    )
    print(f"{'case':38} {'time':>8} {'peak RSS':>9} {'exit':>5} {'lines':>6}")
    for name, path in cases(args.out, args.megabytes).items():
        seconds, rss, status, reported = run(path, data_dir)
        print(f"{name:38} {seconds:7.1f}s {rss:6d} MB {status:5d} {reported:6d}")


if __name__ == "__main__":
    main()
