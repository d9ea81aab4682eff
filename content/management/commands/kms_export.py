"""``manage.py kms_export PATH``: write the knowledge base as JSONL (``-`` for stdout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content import exporting


class Command(BaseCommand):
    help = "Export categories, branches, products and articles as kms_import JSONL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="output file, or - for standard output")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        if path == "-":
            for line in exporting.lines():
                self.stdout.write(line, ending="")
            return
        count = 0
        try:
            with Path(path).open("w", encoding="utf-8") as out:
                for line in exporting.lines():
                    out.write(line)
                    count += 1
        except OSError as error:
            raise CommandError(f"{path}: cannot write ({error.strerror or error})") from error
        self.stderr.write(f"Exported {count} records to {path}.")
