"""``manage.py kms_embed [--prune]``: embed every published article that has no sentence
vector yet (what an import too large to embed as it is indexed leaves), so that search
ranks it by meaning too; resumable, and searches go on meanwhile."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from content.management.progress import ProgressBar
from search import indexing, vectors
from search.models import PassageVector


class Command(BaseCommand):
    help = (
        "Embed the published articles that have no sentence vector yet (about 10 a second "
        "on two cores; each batch is kept as it is done, so an interrupted run resumes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prune",
            action="store_true",
            help="also delete the stored vectors no published text has any more",
        )

    def handle(self, *args: Any, prune: bool = False, **options: Any) -> None:
        if not vectors.enabled():
            raise CommandError("ranking by meaning is off (KMS_SEARCH_SEMANTIC=false)")
        started = time.monotonic()
        read_at = timezone.now()
        texts = indexing.passages()
        missing = len(texts) - len(vectors.stored(map(vectors.digest, texts)))
        try:
            embedded = vectors.embed_all(texts, progress=ProgressBar(missing, "embedding"))
        except vectors.ModelUnavailable as error:
            raise CommandError(f"{error}: search ranks by words only") from error
        seconds = time.monotonic() - started
        self.stdout.write(
            f"embedded {embedded} passages in {seconds:.1f} s; "
            f"{len(texts)} published passages in all"
        )
        if prune:
            # only what was stored before this run read the texts: a publish meanwhile
            # embedded its new text, which this run's list does not hold
            current = {vectors.digest(text) for text in texts}
            before = PassageVector.objects.filter(created_at__lt=read_at)
            stale = [
                key
                for key in before.values_list("digest", flat=True).iterator()
                if key not in current
            ]
            for start in range(0, len(stale), 500):
                PassageVector.objects.filter(digest__in=stale[start : start + 500]).delete()
            self.stdout.write(f"pruned {len(stale)} vectors no published text has")
