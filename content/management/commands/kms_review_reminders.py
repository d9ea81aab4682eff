"""``manage.py kms_review_reminders``: tell owners, once, that their articles are past
their review date — what the hourly beat task does, at once (``make setup`` runs it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from content.tasks import review_reminders_send


class Command(BaseCommand):
    help = "Remind owners of live articles past their review date (once per review date)."

    def handle(self, *args: Any, **options: Any) -> None:
        made, sent = review_reminders_send()  # at once, in this process
        filed = sent and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")
        where = f" (saved in {settings.EMAIL_FILE_PATH})" if filed else ""
        self.stdout.write(f"{made} review reminders, {sent} e-mails{where}")
