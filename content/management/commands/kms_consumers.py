"""``manage.py kms_consumers``: each consumer's cursor and lag; ``--replay NAME --from SEQ``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content import consumers
from content.models import ConsumerCursor


class Command(BaseCommand):
    help = "Show the change-log consumers' cursors and lag, or replay one from a sequence number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--replay", metavar="NAME", help="consumer to replay")
        parser.add_argument("--from", dest="from_seq", type=int, metavar="SEQ", default=None)
        parser.add_argument("--run", action="store_true", help="let every consumer catch up")

    def handle(
        self, *args: Any, replay: str | None, from_seq: int | None, run: bool, **options: Any
    ) -> None:
        if replay:
            if from_seq is None or from_seq < 1:
                raise CommandError("--replay needs --from SEQ (a positive sequence number)")
            try:
                consumers.registry.get(replay)
            except KeyError as error:
                raise CommandError(str(error.args[0])) from error
            count = _run(replay, lambda: consumers.replay(replay, from_seq=from_seq))
            self.stdout.write(f"{replay}: replayed {count} events from #{from_seq}.")
        if run:
            for name in consumers.registry.names():
                _run(name, lambda name=name: consumers.drain(name))
        self.stdout.write(f"{'consumer':<20} {'position':>10} {'head':>10} {'lag':>8}  last error")
        for state in consumers.states():
            self.stdout.write(
                f"{state.name:<20} {state.position:>10} {state.head:>10} {state.lag:>8}  "
                f"{state.last_error or '-'}"
            )


def _run(name: str, work: Callable[[], int]) -> int:
    """Run a consumer; a failure (a cache or broker that is down…) is a clear message."""
    try:
        return work()
    except Exception as error:
        cursor = ConsumerCursor.objects.filter(name=name).first()
        where = f"stopped after event #{cursor.position}" if cursor else "did not start"
        raise CommandError(
            f"consumer {name} {where}: {type(error).__name__}: {str(error).rstrip('.')}. "
            "The error is kept on its cursor; fix the cause and run again.",
            returncode=1,
        ) from error
