"""``manage.py kms_reindex [--engine NAME] [--embed]``: rebuild the search index from the
snapshots; with ``--embed``, first embed every article a bulk import left without a sentence
vector (``search.vectors``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.management.progress import ProgressBar
from search import vectors
from search.backends import ENGINES, engine
from search.backends.base import IndexBusy
from search.indexing import articles_to_index, missing_passages, rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the published snapshots, beside the one being "
        "served, and switch readers to it when complete (no downtime)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine", choices=ENGINES, help="the engine to rebuild (default: the configured one)"
        )
        parser.add_argument(
            "--embed",
            action="store_true",
            help="first embed the articles without a sentence vector (after a bulk import; "
            "about 0.1 s an article, resumable)",
        )

    def handle(
        self, *args: Any, engine: str | None = None, embed: bool = False, **options: Any
    ) -> None:
        backend = _engine(engine)
        started = time.monotonic()
        if embed:
            missing = missing_passages()
            try:
                vectors.embed_all(missing, progress=ProgressBar(len(missing), "embedding"))
            except vectors.ModelUnavailable as error:
                raise CommandError(f"{error}: search ranks by words only") from error
            seconds = time.monotonic() - started
            self.stdout.write(f"embedded {len(missing)} passages in {seconds:.1f} s")
        # Variants outnumber articles slightly; the bar counts records written.
        progress = ProgressBar(articles_to_index(), f"indexing ({backend.name})")
        try:
            written = rebuild(backend, progress=progress)
        except IndexBusy as error:
            raise CommandError(f"{error}; try again in a moment.") from error
        except ConnectionError as error:
            raise CommandError(f"cannot reach the {backend.name} search engine: {error}") from error
        seconds = time.monotonic() - started
        self.stdout.write(f"indexed {written} documents with {backend.name} in {seconds:.1f} s")


def _engine(name: str | None) -> Any:
    try:
        return engine(name)
    except ValueError as error:
        raise CommandError(str(error)) from error
