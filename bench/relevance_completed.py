"""hit@k and MRR@10 of `search` with a relevance set's labels, and again with the labels
completed by the articles that ask the question word for word.

    KMS_DATA_DIR=DIR .venv/bin/python bench/relevance_completed.py QUERIES.jsonl [MORE.jsonl …]

DIR holds the knowledge base the set describes (``relevance.py --data DIR`` imports it).
Each QUERIES line is {"q", "keys": [correct keys]}. InsuranceQA links one question text to
several answers, and a set built from it keeps one of them as the "correct" key while the
others become articles whose title or similar question *is* the query. Those count as
misses by the keys alone; the completed figures count a hit whose own title or similar
question is the question (``search.confidence.asks``: punctuation, script and width aside,
or read aloud the same) as correct too,
as ``bench/answer_calibration.py`` labels answers. Read as the head office, in process.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")

CUTOFFS = (1, 5, 10)


def scores(ranks: list[int | None]) -> dict[str, float]:
    """hit@k and MRR@10 from each question's first correct rank (0-based; None: none)."""
    total = max(len(ranks), 1)
    found = {f"hit@{k}": sum(1 for r in ranks if r is not None and r < k) / total for k in CUTOFFS}
    found["MRR@10"] = sum(1 / (r + 1) for r in ranks if r is not None and r < 10) / total
    return {name: round(value, 3) for name, value in found.items()}


def main() -> None:
    import django

    django.setup()
    from content.selectors import AUDIENCES, branch_tree
    from search import services
    from search.backends import engine
    from search.confidence import asks
    from search.queries import Filters

    tree = branch_tree()
    filters = Filters(tree.root or "", AUDIENCES)
    for path in map(Path, sys.argv[1:]):
        by_keys: list[int | None] = []
        completed: list[int | None] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            query = json.loads(line)
            page = services.search(query["q"], filters, limit=10, tree=tree)
            keys = [result.key for result in page.results]
            shown = dataclasses.replace(filters, keys=tuple(keys))
            hits = {hit.key: hit for hit in engine().fetch(shown, limit=10)} if keys else {}
            right = set(query["keys"])
            by_keys.append(next((i for i, key in enumerate(keys) if key in right), None))
            completed.append(
                next(
                    (
                        i
                        for i, key in enumerate(keys)
                        if key in right or (key in hits and asks(hits[key], query["q"]))
                    ),
                    None,
                )
            )
        print(
            json.dumps(
                {
                    "queries": path.name,
                    "count": len(by_keys),
                    "keys": scores(by_keys),
                    "completed": scores(completed),
                }
            )
        )


if __name__ == "__main__":
    main()
