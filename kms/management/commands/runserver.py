"""``manage.py runserver`` that also keeps time in the embedded default (kms.scheduler).

Django's staticfiles ``runserver``, plus the embedded scheduler started in the process
that serves requests (with autoreload, the child process — never the file watcher), and
a warm-up search there (search.warmup).
``--noscheduler`` leaves it out.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.management.base import CommandParser

from kms.scheduler import start_embedded_scheduler
from search.warmup import warm_up_soon


class Command(RunserverCommand):
    help = (
        "Serve the admin and the API for development; in the embedded default also run the "
        "periodic tasks (scheduled publishing, effective dates, releases, consumer sweep)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--noscheduler",
            action="store_false",
            dest="use_scheduler",
            help="Do not run the periodic tasks in this process.",
        )

    def inner_run(self, *args: Any, **options: Any) -> None:
        # inner_run is what runs in the serving process (the autoreloader's child).
        if options.get("use_scheduler", True) and start_embedded_scheduler():
            self.stdout.write("Embedded scheduler: periodic tasks run in this process.\n")
        warm_up_soon()  # the first reader does not wait for the model and dictionaries
        super().inner_run(*args, **options)
