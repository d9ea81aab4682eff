"""``manage.py kms_query_rollup [--days N]``: roll the query log up by day for the cockpit.

The periodic task adds each minute's calls; this recomputes whole days (up to what the
periodic task has counted), to repair them after a restore, and may run while the site
serves.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api import rollup


class Command(BaseCommand):
    help = "Recompute the cockpit's daily query figures of the last days from the query log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=2, help="the last N days (default 2)")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        if not 1 <= days <= 3660:
            raise CommandError("--days: between 1 and 3660")
        written = rollup.query_days_recount(days)
        if written is None:
            raise CommandError("another rollup is running: try again when it is done")
        self.stdout.write(f"{days} days recounted: {written} calls")
