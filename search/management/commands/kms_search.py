"""``manage.py kms_search "query" [--branch GD] [--channel agent] [--public] [--explain]``:
what a reader would find, for debugging relevance. The reader is staff (public and internal
articles) unless ``--public`` asks as a key limited to public articles would."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.models import Audience, BranchTree, Channel
from content.selectors import AUDIENCES
from search import services, vectors
from search.backends.base import IndexUnavailable
from search.queries import Filters


class Command(BaseCommand):
    help = "Search as a reader in a branch would, and show the ranking (and why with --explain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--branch", help="the reader's branch code (default: the head office)")
        parser.add_argument("--channel", choices=Channel.values)
        parser.add_argument(
            "--public",
            action="store_true",
            help="read as a public key does (default: staff, internal articles included)",
        )
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--explain", action="store_true", help="show the analysed query plan")

    def handle(
        self,
        *args: Any,
        query: str,
        branch: str | None,
        channel: str | None,
        limit: int,
        public: bool,
        explain: bool,
        **options: Any,
    ) -> None:
        tree = BranchTree.load()
        code = branch or tree.root or ""
        if code not in tree.parents:
            raise CommandError(f"no branch {code!r}")
        audiences = (Audience.PUBLIC.value,) if public else AUDIENCES
        filters = Filters(code, audiences, (channel,) if channel else None)
        if explain:
            plan = services.plan_of(query, filters)
            self.stdout.write(
                json.dumps(
                    {
                        "terms": [
                            [" ".join(alt) for alt in term.alternatives] for term in plan.terms
                        ],
                        "sounds": list(plan.sounds),
                        # too common to bring in an article: they only add to its score
                        "common": sorted(
                            {c.options[0][0][0] for c in plan.clauses if not c.selects}
                        ),
                        "boosts": plan.boosts,
                        # the question as embedded, and the share of meaning in the
                        # blended score (0: ranked by words only)
                        "question": plan.question,
                        "meaning": vectors.weight(),
                    },
                    ensure_ascii=False,
                )
            )
        try:
            page = services.search(query, filters, limit=max(1, min(limit, 100)), tree=tree)
        except IndexUnavailable as error:
            raise CommandError(f"{error}: run manage.py kms_reindex") from error
        reader = "public" if public else "staff (public and internal)"
        self.stdout.write(f"{page.count} found in {page.took_ms} ms, read as {reader}")
        for rank, result in enumerate(page.results, 1):
            pinned = " (promoted)" if result.promoted else ""
            self.stdout.write(f"{rank:>2}. {result.score:8.3f} {result.key} {result.title}{pinned}")
            self.stdout.write(f"    {result.snippet}")
