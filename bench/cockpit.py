"""The cockpit at a million logged queries: filling the log, rolling it up, and serving the
dashboard and its CSV to the knowledge team and to a branch editor.

    KMS_DATA_DIR=/tmp/kb50k .venv/bin/python bench/cockpit.py [--queries 1000000] [--days 90]

Fills the query log of DIR (a migrated knowledge base, such as the 50,000-article
benchmark corpus) with `--queries` calls spread over `--days` days: questions drawn with a
Zipf-like skew from the knowledge base's own titles and similar questions, a long tail of
one-off questions, 3 % that find nothing, one call in five an `answer` (a third of them
unanswered), every branch and channel. Then times the rollup of every day and the pages.
Run it on a copy: it adds rows to the log (``--keep`` leaves them; by default they are
deleted at the end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")

BATCH = 20_000
KEY_NAME = "bench-cockpit"


def fill(total: int, days: int, seed: int = 7, at: dt.datetime | None = None) -> float:
    """Write `total` logged calls over the `days` days before `at` (all at `at` for 0);
    seconds taken."""
    from django.utils import timezone

    from api.models import QueryLog
    from content.models import Branch, Channel, KnowledgeArticle

    rng = random.Random(seed)
    asked = list(KnowledgeArticle.objects.values_list("title", flat=True)[:20_000])
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(asked))]
    branches = list(Branch.objects.values_list("code", flat=True))
    channels = list(Channel.values)
    now = at or timezone.now()
    started = time.perf_counter()
    made = 0
    while made < total:
        size = min(BATCH, total - made)
        popular = rng.choices(asked, weights=weights, k=size)
        rows = []
        for n in range(size):
            answer = rng.random() < 0.2
            query = popular[n] if rng.random() < 0.7 else f"{popular[n][:6]}{rng.randrange(10**6)}"
            empty = rng.random() < 0.03
            rows.append(
                QueryLog(
                    kind="answer" if answer else "search",
                    query=query[:200],
                    branch_code=rng.choice(branches),
                    channel=rng.choice(channels),
                    key_name=KEY_NAME,
                    result_count=0 if empty else rng.randrange(1, 60),
                    top_keys=[],
                    answered=(rng.random() > 0.33) if answer else None,
                    confidence=None,
                    latency_ms=5.0,
                    created_at=(
                        made_at := now - dt.timedelta(seconds=rng.randrange(max(days * 86_400, 1)))
                    ),
                    written_at=made_at,
                )
            )
        QueryLog.objects.bulk_create(rows, batch_size=5000)
        made += size
    return time.perf_counter() - started


def timed(fetch, runs: int = 5) -> float:
    """Median milliseconds of `fetch()` over `runs` (after one warm-up)."""
    fetch()
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        response = fetch()
        took.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"the cockpit answered {response.status_code}")
    return round(statistics.median(took), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--pages-only", action="store_true", help="time the pages of a log filled with --keep"
    )
    args = parser.parse_args()
    import django

    django.setup()
    from api import rollup
    from api.models import QueryLog

    report: dict[str, object] = {"queries": args.queries, "days": args.days}
    if args.pages_only:
        report["queries"] = QueryLog.objects.filter(key_name=KEY_NAME).count()
    else:
        report.update(rolled_up(args))
    report.update(pages(args))
    if not args.keep:
        QueryLog.objects.filter(key_name=KEY_NAME).delete()
        rollup.query_days_recount(args.days + 1)
    print(json.dumps(report))


def rolled_up(args: argparse.Namespace) -> dict[str, object]:
    """Fill the log, recount every day, count one more minute's calls: the timings."""
    from django.utils import timezone

    from api import rollup
    from api.models import QueryDay

    report: dict[str, object] = {"fill_s": round(fill(args.queries, args.days), 1)}
    later = timezone.now() + rollup.LAG
    started = time.perf_counter()
    if rollup.query_days_recount(args.days + 1, now=later) is None:
        sys.exit("another rollup holds the lock: wait for it (at most 5 minutes)")
    report["rollup_all_days_s"] = round(time.perf_counter() - started, 1)
    report["rollup_rows"] = QueryDay.objects.count()
    # a busy minute: as many calls as the log gets a minute on average, counted at once
    minute = max(1, args.queries // (args.days * 24 * 60))
    fill(minute, 0, seed=11, at=later + dt.timedelta(seconds=1))
    started = time.perf_counter()
    rollup.query_log_count(now=later + rollup.LAG + dt.timedelta(minutes=1))
    report["rollup_periodic_calls"] = minute
    report["rollup_periodic_ms"] = round((time.perf_counter() - started) * 1000)
    return report


def pages(args: argparse.Namespace) -> dict[str, float]:
    """Median milliseconds of the cockpit's pages, for the team and a branch editor."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.utils import timezone

    from content.models import Branch, BranchRole

    report: dict[str, float] = {}
    lead, _ = User.objects.get_or_create(username="bench-lead", defaults={"is_superuser": True})
    lead.is_superuser = lead.is_staff = True
    lead.save()
    editor, _ = User.objects.get_or_create(username="bench-gd")
    editor.groups.add(Group.objects.get(name="分公司用户"))
    branch = Branch.objects.filter(parent__isnull=False, parent__parent__isnull=True).first()
    BranchRole.objects.get_or_create(user=editor, branch=branch, role="editor")
    team, gd = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    team.force_login(lead)
    gd.force_login(editor)
    today = timezone.localdate()
    ninety = {"start": str(today - dt.timedelta(days=args.days - 1)), "end": str(today)}
    page = "/admin/kms/cockpit/"
    report["page_30_days_ms"] = timed(lambda: team.get(page))
    report["page_90_days_ms"] = timed(lambda: team.get(page, ninety))
    report["page_90_days_branch_channel_ms"] = timed(
        lambda: team.get(page, {**ninety, "branch": branch.code, "channel": "agent"})
    )
    report["csv_top_queries_90_days_ms"] = timed(
        lambda: team.get(page, {**ninety, "csv": "top-queries"})
    )
    report["branch_editor_page_90_days_ms"] = timed(lambda: gd.get(page, ninety))
    report["log_scan_top_queries_90_days_ms"] = log_scan(args.days)  # what it replaces
    return report


def log_scan(days: int) -> float:
    """Median milliseconds of the top 20 queries summed straight from the log."""
    from django.db.models import Count
    from django.utils import timezone

    from api.models import QueryLog

    since = timezone.now() - dt.timedelta(days=days)

    class Done:
        status_code = 200

    def scan() -> Done:
        list(
            QueryLog.objects.filter(created_at__gte=since, kind__in=["search", "answer"])
            .values("query")
            .annotate(calls=Count("id"))
            .order_by("-calls")[:20]
        )
        return Done()

    return timed(scan, runs=3)


if __name__ == "__main__":
    main()
