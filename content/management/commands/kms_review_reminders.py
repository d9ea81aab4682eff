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
        saved = getattr(settings, "EMAIL_FILE_PATH", None)
        where = (
            f" (saved in {saved})"
            if sent and saved and "filebased" in settings.EMAIL_BACKEND
            else ""
        )
        self.stdout.write(f"{made} review reminders, {sent} e-mails{where}")
