"""hit@5 and MRR@10 of the blend of words and meaning over a grid of its constants.

    KMS_DATA_DIR=DIR .venv/bin/python bench/semantic_grid.py QUERIES.jsonl [MORE.jsonl …]

DIR holds a knowledge base the relevance set describes, indexed and embedded
(``relevance.py --data DIR`` imports it; ``manage.py kms_embed`` embeds it). For every
question the engine's hits by words (the first 200) and the articles asking it word for
word are read once, with the stored vectors of the hits and the question's; then each
setting of the grid orders them as ``search`` does (the asking articles first, then
:func:`search.vectors.reranked`) and is scored against the set's keys. Read as the head
office, in process. The settings in ``kms/settings/base.py`` and the scale in
``search/vectors.py`` were chosen from this grid (docs/benchmarks.md).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")

from bench.relevance_completed import scores  # noqa: E402

WEIGHTS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8)
SCALES = ((0.75, 0.95), (0.82, 0.92), (0.85, 0.93), (0.86, 0.95), (0.88, 0.94))
DEPTHS = (50, 100, 200)


def main() -> None:
    import django

    django.setup()
    from content.selectors import AUDIENCES, branch_tree
    from search import services, vectors
    from search.backends import engine
    from search.queries import Filters

    tree = branch_tree()
    filters = Filters(tree.root or "", AUDIENCES)
    read = []
    for path in map(Path, sys.argv[1:]):
        asked_of = []
        for line in path.read_text(encoding="utf-8").splitlines():
            query = json.loads(line)
            plan = services.plan_of(query["q"], filters)
            if plan.empty:
                asked_of.append((query, [], [], {}, None))
                continue
            hits = engine().search(plan, limit=max(DEPTHS), facets=False).hits
            asked = [hit.key for hit in services._asked(query["q"], plan)]
            known = vectors.known(hits)
            asked_of.append((query, hits, asked, known, vectors.question_vector(plan.question)))
        read.append((path.name, asked_of))

    for (floor, ceiling), weight, depth in itertools.product(SCALES, WEIGHTS, DEPTHS):
        if weight == 0.0 and (floor, ceiling, depth) != (*SCALES[0], DEPTHS[0]):
            continue  # by words alone: one line
        vectors.COSINE_FLOOR, vectors.COSINE_CEILING = floor, ceiling
        found = {}
        for name, questions in read:
            ranks: list[int | None] = []
            for query, hits, asked, known, question in questions:
                order = [hit.key for hit in hits]
                if weight and question is not None and len(known) >= 2:
                    blended = vectors.reranked(hits, question, known, weight, depth)
                    order = [hit.key for hit in blended]
                order = asked + [key for key in order if key not in asked]
                right = set(query["keys"])
                ranks.append(next((i for i, key in enumerate(order[:10]) if key in right), None))
            found[name] = {k: v for k, v in scores(ranks).items() if k in ("hit@5", "MRR@10")}
        setting = {"scale": [floor, ceiling], "weight": weight, "depth": depth}
        print(json.dumps({**setting, **found}), flush=True)


if __name__ == "__main__":
    main()
