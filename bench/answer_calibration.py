"""Fit the answer endpoint's confidence model (settings.KMS_ANSWER_MODEL) on development
questions, and print its precision/coverage curve on others.

    KMS_DATA_DIR=DIR .venv/bin/python bench/answer_calibration.py \\
        --fit QUERIES.jsonl [--fit MORE.jsonl] --check OTHER.jsonl [--check …]

Each QUERIES line is {"q", "keys": [correct keys]}; an empty `keys` is a question the
knowledge base should not answer. The label of a question is whether the engine's best
hit answers it: the hit is one of its keys, or the hit's own title or similar question
*is* the question (the same words, punctuation aside). Relevance sets list one answer per
question although a knowledge base often holds several articles with that very question
as their title; without this, a model fitted on them learns that a question matching an
article's title exactly is a poor sign. The model is a logistic regression over
search.confidence's features (plain gradient descent, deterministic). It prints the
fitted model as the settings entry, then per --check file the coverage/precision at each
threshold, by this label and by the keys alone (what relevance.py --mode answer counts).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")

THRESHOLDS = (0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)


Example = tuple[dict[str, float] | None, bool, bool, bool]


def examples(path: Path) -> list[Example]:
    """Per question: the features of the best hit, whether it answers the question,
    whether it is one of the keys, whether the question has keys."""
    from content.selectors import AUDIENCES
    from search import services
    from search.confidence import asks
    from search.queries import Filters

    filters = Filters("HQ", AUDIENCES)
    found: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        query = json.loads(line)
        weighing = services.weighed(query["q"], filters)
        hits, weighed = weighing.hits, weighing.features
        keyed = bool(query["keys"])
        if not hits:
            found.append((None, False, False, keyed))
            continue
        strict = hits[0].key in query["keys"]
        same = keyed and asks(hits[0], query["q"])
        found.append((weighed[0], strict or same, strict, keyed))
    return found


def fit(rows: list[tuple[dict[str, float], bool]], names: tuple[str, ...]) -> dict:
    weights = dict.fromkeys(names, 0.0)
    bias = 0.0
    rate = 0.5
    for _ in range(3000):
        grad_b, grad = 0.0, dict.fromkeys(names, 0.0)
        for found, label in rows:
            z = bias + sum(weights[n] * found[n] for n in names)
            error = 1 / (1 + math.exp(-z)) - label
            grad_b += error
            for n in names:
                grad[n] += error * found[n]
        bias -= rate * grad_b / len(rows)
        for n in names:
            weights[n] -= rate * (grad[n] / len(rows) + 1e-3 * weights[n])
    return {"bias": round(bias, 3), "weights": {n: round(w, 3) for n, w in weights.items()}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", action="append", type=Path, default=[])
    parser.add_argument("--check", action="append", type=Path, default=[])
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    from search.confidence import FEATURES, probability

    rows = [(f, label) for path in args.fit for f, label, _, _ in examples(path) if f is not None]
    model = fit(rows, FEATURES)
    print("KMS_ANSWER_MODEL =", json.dumps(model))
    settings.KMS_ANSWER_MODEL = model
    for path in args.check:
        asked = [(probability(f) if f else 0.0, *labels) for f, *labels in examples(path)]
        keyed = [row for row in asked if row[3]]
        unanswerable = [p for p, *_, has_keys in asked if not has_keys]
        print(f"{path.name}: {len(asked)} questions, {len(unanswerable)} with no answer")
        print("threshold coverage precision precision(keys) abstention(no answer)")
        for threshold in THRESHOLDS:
            answered = [row for row in keyed if row[0] >= threshold]
            abstained = sum(1 for p in unanswerable if p < threshold)
            print(
                f"{threshold:9.2f} {len(answered) / max(len(keyed), 1):8.3f} "
                f"{sum(row[1] for row in answered) / max(len(answered), 1):9.3f} "
                f"{sum(row[2] for row in answered) / max(len(answered), 1):16.3f} "
                + (
                    f"{abstained / len(unanswerable):21.3f}"
                    if unanswerable
                    else "                  n/a"
                )
            )


if __name__ == "__main__":
    main()
