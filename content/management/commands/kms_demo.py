"""``manage.py kms_demo``: load the demo knowledge base once.

The demo tells a small story in three files applied in order: the knowledge base, the
branches' overrides, then an HQ edit that leaves Beijing's override of KB-000038 stale.
Because that story includes a change over time, the demo is loaded only into an empty
knowledge base; running the command again changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from content import importing
from content.actors import Actor
from content.models import KnowledgeArticle
from content.records.lines import read_lines

DEMO_FILES = ("knowledge.jsonl", "overrides.jsonl", "hq-edits.jsonl")
DEMO = Actor.system_context("kms_demo")


class Command(BaseCommand):
    help = "Load the demo knowledge base (articles, branches, overrides) into an empty KMS."

    def handle(self, *args: Any, **options: Any) -> None:
        if KnowledgeArticle.objects.exists():
            self.stdout.write("The knowledge base already holds articles; demo not loaded again.")
            return
        demo = Path(settings.BASE_DIR) / "demo"
        with transaction.atomic():
            for name in DEMO_FILES:
                parsed = importing.parse(read_lines(str(demo / name)))
                if parsed.problems:
                    problems = "\n".join(f"{name}:{problem}" for problem in parsed.problems)
                    raise CommandError(f"the demo data is invalid:\n{problems}")
                counts = importing.apply(parsed.records, actor=DEMO, checked=parsed.checked)
                summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
                self.stdout.write(f"{name}: {summary}")
        self.stdout.write("Demo knowledge base loaded.")
