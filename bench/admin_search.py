"""The editors' search in the admin: the article listing's search, timed in-process.

Run against a knowledge base that holds the benchmark corpus (see docs/benchmarks.md):

    KMS_DATA_DIR=/tmp/kb50k-admin .venv/bin/python bench/admin_search.py

For each query, two timings, each the median and p95 of ``--repeat`` runs after one
warm-up:

* ``search``: what the listing asks the search backend — the number of hits and the first
  page of 50, best first — over all articles;
* ``request``: the whole listing request ``/admin/knowledge_articles/?q=…`` of an HQ editor
  (made once, ``bench-editor``) through Django's test client: the search, the editor's
  permissions, and rendering 50 rows with their action menus.

The listing without a query is timed first, as the floor of any request. Then the same
with Wagtail's substring fallback backend (the admin's search before search.admin_search).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.base")

QUERIES = ["犹豫期", "退保", "理赔材料", "理賠材料", "保单贷款", "身份证件 有效期", "kb-004211"]
FALLBACK = {"default": {"BACKEND": "wagtail.search.backends.database.fallback"}}
PAGE = 50


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm-up
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    ordered = sorted(took)
    return statistics.median(took), ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query")
    parser.add_argument("--no-fallback", action="store_true", help="skip the comparison")
    parser.add_argument("queries", nargs="*", default=QUERIES)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from content.models import KnowledgeArticle

    user, _ = User.objects.get_or_create(username="bench-editor")
    user.groups.add(Group.objects.get(name="总部编辑"))
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    listing = reverse("knowledge_articles:index")

    def request(query: str | None) -> None:
        response = client.get(listing, {"q": query} if query else {})
        if response.status_code != 200:
            raise SystemExit(f"{listing}?q={query}: HTTP {response.status_code}")

    def search(query: str) -> int:
        hits = KnowledgeArticle.objects.filter(depth__gt=1).autocomplete(query)
        count = hits.count()
        list(hits[:PAGE])
        return count

    def run(label: str) -> None:
        median, p95 = timed(lambda: request(None), args.repeat)
        print(f"{label:8} {'(no query)':14} request {median:7.1f} / {p95:7.1f} ms")
        for query in args.queries:
            found = search(query)
            s_median, s_p95 = timed(lambda q=query: search(q), args.repeat)
            r_median, r_p95 = timed(lambda q=query: request(q), args.repeat)
            print(
                f"{label:8} {query:14} search {s_median:7.1f} / {s_p95:7.1f} ms   "
                f"request {r_median:7.1f} / {r_p95:7.1f} ms   {found:6} found"
            )

    print(f"median / p95 of {args.repeat} runs; {KnowledgeArticle.objects.count()} articles")
    run(settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].rsplit(".", 1)[-1])
    if not args.no_fallback:
        with override_settings(WAGTAILSEARCH_BACKENDS=FALLBACK):
            run("fallback")


if __name__ == "__main__":
    main()
