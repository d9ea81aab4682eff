"""Search latency in-process: search, suggest and answer for realistic queries and branches.

Run against a knowledge base that holds the benchmark corpus and its search index (see
docs/benchmarks.md):

    KMS_DATA_DIR=/tmp/bench/data .venv/bin/python bench/search_latency.py --queries 1000

Queries come from the published titles and similar questions: runs of 2–4 words of a
title (as an agent types them, without spaces) and whole questions; each is asked for a
random province or city with every audience. Suggestions are 1–4 character prefixes of
titles and questions and the pinyin initials of their first 2–4 characters; answers are
asked for whole questions. After a warm-up, each call is timed on its own; the same
queries then go through what one would use instead (Wagtail's fallback search backend
and a plain ``icontains`` over titles, summaries and bodies) for a latency comparison.

Prints p50/p95/p99 in milliseconds per operation. ``KMS_SEARCH_SEMANTIC=false`` measures
the ranking by words alone.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")

_WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")


def percentiles(took: list[float]) -> str:
    ordered = sorted(took)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    return f"p50 {at(0.5):.2f} ms, p95 {at(0.95):.2f} ms, p99 {at(0.99):.2f} ms (n={len(ordered)})"


def timed(calls: list[Callable[[], object]]) -> tuple[list[float], list[object]]:
    took, answers = [], []
    for call in calls:
        started = time.perf_counter()
        answers.append(call())
        took.append((time.perf_counter() - started) * 1000)
    return took, answers


def fragment(title: str, rng: random.Random) -> str:
    """2–4 consecutive words of `title`, joined as typed (no spaces, no punctuation)."""
    import rjieba

    words = [word for word in rjieba.cut(title) if _WORD.search(word)]
    size = min(len(words), rng.randint(2, 4))
    start = rng.randrange(len(words) - size + 1)
    return "".join(words[start : start + size])


def compare(sample: list[tuple[str, object]]) -> None:
    """`sample`'s searches, then the same through what one would use instead: Wagtail's
    fallback search backend and a plain ``icontains``."""
    from django.db.models import Q

    from content.models import KnowledgeArticle, PublishedArticle
    from search import services

    took, _ = timed([lambda t=t, f=f: services.search(t, f) for t, f in sample])
    print(f"search, the {len(sample)} compared queries: {percentiles(took)}")
    pages = KnowledgeArticle.objects.live()
    fallback = "wagtail.search.backends.database.fallback"  # not the admin's own backend
    took, _ = timed([lambda t=t: list(pages.search(t, backend=fallback)[:10]) for t, _ in sample])
    print(f"wagtail fallback backend, first 10: {percentiles(took)}")

    def icontains(text: str) -> list:
        wanted = Q(title__icontains=text) | Q(summary__icontains=text) | Q(body__icontains=text)
        matching = PublishedArticle.objects.filter(wanted, in_effect=True)
        return [matching.count(), list(matching.values_list("key", "title")[:10])]

    took, _ = timed([lambda t=t: icontains(t) for t, _ in sample])
    print(f"SQL icontains, count + first 10: {percentiles(took)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000, help="searches (and suggestions)")
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--compare", type=int, default=100, help="queries for the alternatives")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the searches")
    args = parser.parse_args(argv)

    import django

    django.setup()

    from content.models import BranchTree, PublishedArticle
    from content.selectors import AUDIENCES
    from search import analysis, services
    from search.queries import Filters

    rng = random.Random(args.seed)
    rows = list(PublishedArticle.objects.filter(in_effect=True).values_list("title", "questions"))
    tree = BranchTree.load()
    # provinces and cities; the head office where the knowledge base has no branches
    branches = [code for code in tree.codes if code != tree.root] or [tree.root]
    titles = [title for title, _ in rows]
    questions = [q for _, qs in rows for q in qs] or titles

    def filters() -> Filters:
        return Filters(rng.choice(branches), AUDIENCES)

    wholes = args.queries // 5
    texts = [fragment(rng.choice(titles), rng) for _ in range(args.queries - wholes)]
    texts += [rng.choice(questions) for _ in range(wholes)]
    rng.shuffle(texts)
    searches = [(text, filters()) for text in texts]
    prefixes = []
    for _ in range(args.queries):
        phrase = analysis.normalise(
            rng.choice(titles + questions if rng.random() < 0.5 else titles)
        )
        cut = rng.randint(1, 4)
        prefixes.append(
            analysis.initials(phrase[: cut + 1]) if rng.random() < 0.3 else phrase[:cut]
        )
    suggestions = [(prefix, filters()) for prefix in prefixes if prefix]
    answers = [(rng.choice(questions), filters()) for _ in range(args.answers)]

    warm = searches[:100]  # the segmenter's dictionary, the index's files, the caches
    timed([lambda t=t, f=f: services.search(t, f) for t, f in warm])
    timed([lambda t=t, f=f: services.suggest(t, f) for t, f in suggestions[:100]])
    timed([lambda t=t, f=f: services.answer(t, f) for t, f in answers[:50]])

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    took, pages = timed([lambda t=t, f=f: services.search(t, f) for t, f in searches])
    if profiler:
        profiler.disable()
    found = sum(1 for page in pages if page.count)
    print(f"search:  {percentiles(took)}; {found / len(pages):.0%} with hits")
    took, lists = timed([lambda t=t, f=f: services.suggest(t, f) for t, f in suggestions])
    found = sum(1 for found in lists if found)
    print(f"suggest: {percentiles(took)}; {found / len(lists):.0%} with suggestions")
    took, given = timed([lambda t=t, f=f: services.answer(t, f) for t, f in answers])
    found = sum(1 for one in given if one.answer)
    print(f"answer:  {percentiles(took)}; {found / len(given):.0%} answered")

    sample = searches[: args.compare]
    if sample:  # --compare 0: no comparison
        compare(sample)

    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
