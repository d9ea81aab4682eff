"""``manage.py kms_import PATH``: load kms_import JSONL (``-`` reads standard input)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from content import consumers, importing, tasks
from content.actors import Actor
from content.management.progress import ProgressBar
from content.records.lines import Line, SourceError, read_lines


class Command(BaseCommand):
    help = (
        "Import knowledge-base records (articles, branches, products, categories) from "
        "JSONL. The whole file is validated first; any invalid record means nothing is "
        "imported unless --skip-invalid is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="JSONL file, or - for standard input")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid records and report the invalid ones",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="import as this user: their permissions are checked and the revisions are "
            "theirs (default: the operator, who may change everything)",
        )

    def handle(self, *args: Any, path: str, skip_invalid: bool, **options: Any) -> None:
        name = "<stdin>" if path == "-" else path
        valid, counts, skipped = self._apply(path, name, skip_invalid, options.get("user"))
        importing.statistics_refresh_after(counts)
        # The nudge after commit passed on a share of the new events; the rest now (a
        # worker's job in services mode), so none waits for a server's sweep. In-process,
        # a consumer may rebuild from the snapshots rather than replay a large backlog (a
        # worker's tasks have time limits a rebuild could outlast). The parsed records
        # are gone by now: the consumers do not run beside them in memory.
        if settings.CELERY_TASK_ALWAYS_EAGER:
            consumers.rebuild_backlogs()
        tasks.consumers_run_all.delay()
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing"
        self.stdout.write(f"Imported {valid} records from {name}: {summary}.")
        if skipped:
            self.stderr.write(f"Skipped {skipped} invalid records.")

    def _apply(
        self, path: str, name: str, skip_invalid: bool, user: str | None
    ) -> tuple[int, Counter[str], int]:
        """Parse and apply the file; (valid records, counts, invalid records skipped)."""
        parsed = importing.parse(_read_lines(path), progress=_progress)
        for line in parsed.report(name):
            self.stderr.write(line)
        valid = len(parsed.records)
        if parsed.problems and not skip_invalid:
            raise CommandError(
                f"{parsed.invalid_lines} invalid records; nothing imported. "
                f"Use --skip-invalid to import the {valid} valid records.",
                returncode=1,
            )
        try:
            counts = importing.apply(
                parsed.records,
                actor=_actor(user),
                checked=parsed.checked,
                progress=ProgressBar(valid, "importing"),
            )
        except importing.ApplyFailed as error:
            raise CommandError(f"{name}:{error}; nothing imported.", returncode=1) from error
        return valid, counts, parsed.invalid_lines if parsed.problems else 0


def _read_lines(path: str) -> Iterator[Line]:
    """The lines of `path` as a stream, showing how much is read; errors end the command."""
    size = Path(path).stat().st_size if path != "-" and Path(path).is_file() else 0
    try:
        lines = read_lines(path, progress=ProgressBar(size, "reading") if size else None)
        yield from lines
    except SourceError as error:
        raise CommandError(str(error), returncode=1) from error


def _progress(label: str, total: int) -> ProgressBar:
    return ProgressBar(total, label)


def _actor(username: str | None) -> Actor:
    if not username:
        return Actor.system_context("kms_import")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--user: no active user {username!r}", returncode=1)
    return Actor.editor(user)
