"""``manage.py kms_embed [--prune | --check]``: embed every published article that has no
sentence vector yet (what an import too large to embed as it is indexed leaves, or what
no worker of the embedding queue took), so that search ranks it by meaning too;
resumable, and searches go on meanwhile. ``--check`` only counts them, for monitoring."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from content.management.progress import ProgressBar
from search import indexing, vectors
from search.models import EmbeddingBacklog


class Command(BaseCommand):
    help = (
        "Embed the published articles that have no sentence vector yet (about 10 a second "
        "on two cores; each batch is kept as it is done, so an interrupted run resumes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # a mistaken command line exits with status 2, never the 1 that --check reports with
        either = parser.add_mutually_exclusive_group()
        either.add_argument(
            "--prune",
            action="store_true",
            help="also delete the stored vectors no published text has any more",
        )
        either.add_argument(
            "--check",
            action="store_true",
            help="embed nothing: exit with status 1 when a published article has no vector",
        )

    def handle(self, *args: Any, prune: bool = False, check: bool = False, **options: Any) -> None:
        if not vectors.enabled():
            if check:  # nothing is ranked by meaning: no vector is missing
                self.stdout.write("ranking by meaning is off: no passage needs a vector")
                return
            raise CommandError("ranking by meaning is off (KMS_SEARCH_SEMANTIC=false)")
        started = time.monotonic()
        read_at = timezone.now()
        texts = indexing.passages()
        missing = vectors.unstored(texts)
        if check:
            self._check(len(missing), len(texts))
            return
        progress = ProgressBar(len(missing), "embedding")
        try:
            embedded = vectors.embed_and_store(missing, progress=progress)
        except vectors.ModelUnavailable as error:
            raise CommandError(f"{error}: search ranks by words only") from error
        EmbeddingBacklog.objects.filter(queued_at__lte=read_at).delete()  # all embedded now
        seconds = time.monotonic() - started
        self.stdout.write(
            f"embedded {embedded} passages in {seconds:.1f} s; "
            f"{len(texts)} published passages in all"
        )
        if prune:
            pruned = vectors.prune(texts, stored_before=read_at)
            self.stdout.write(f"pruned {pruned} vectors no published text has")

    def _check(self, missing: int, texts: int) -> None:
        if missing:
            raise CommandError(
                f"{missing} of {texts} published passages have no vector: they rank by words "
                "until embedded (is a worker taking the embedding queue? manage.py kms_embed "
                "embeds them)",
                returncode=1,
            )
        self.stdout.write(f"all {texts} published passages have a vector")
