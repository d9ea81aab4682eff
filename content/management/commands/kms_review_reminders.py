"""``manage.py kms_review_reminders``: tell owners, once, that their articles are past
their review date — what the hourly beat task does, at once (``make setup`` runs it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from content.notifications import review_due_notify
from content.services.reminders import review_reminders_create


class Command(BaseCommand):
    help = "Remind owners of live articles past their review date (once per review date)."

    def handle(self, *args: Any, **options: Any) -> None:
        made = review_reminders_create()
        sent = review_due_notify(made) if made else 0
        self.stdout.write(f"{len(made)} review reminders, {sent} e-mails")
