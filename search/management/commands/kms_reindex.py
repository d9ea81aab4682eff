"""``manage.py kms_reindex [--engine NAME]``: rebuild the search index from the snapshots."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.management.progress import ProgressBar
from search.backends import ENGINES, engine
from search.backends.base import IndexBusy
from search.indexing import articles_to_index, rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the published snapshots, beside the one being "
        "served, and switch readers to it when complete (no downtime)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine", choices=ENGINES, help="the engine to rebuild (default: the configured one)"
        )

    def handle(self, *args: Any, engine: str | None = None, **options: Any) -> None:
        backend = _engine(engine)
        started = time.monotonic()
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
