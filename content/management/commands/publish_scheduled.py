"""``manage.py publish_scheduled``: scheduled go-live and expiry, one object at a time.

Replaces Wagtail's command of the same name (this app comes first in INSTALLED_APPS) so
that every scheduled change goes through the publishing service — snapshot and change
event in the same transaction as the live state, one transaction per object.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from content.services import scheduling


class Command(BaseCommand):
    help = "Publish articles and overrides whose go-live time has come; expire the expired."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dryrun", action="store_true", help="only list what is due")

    def handle(self, *args: Any, dryrun: bool, **options: Any) -> None:
        if dryrun:
            work = scheduling.due()
            for obj in work.expired:
                self.stdout.write(f"would expire: {obj} (expire_at {obj.expire_at:%Y-%m-%d %H:%M})")
            for revision in work.going_live:
                self.stdout.write(
                    f"would publish: {revision.object_str} "
                    f"(go live {revision.approved_go_live_at:%Y-%m-%d %H:%M})"
                )
            if not (work.expired or work.going_live):
                self.stdout.write("Nothing is due.")
            return
        expired, published = scheduling.scheduled_publishing_apply()
        self.stdout.write(f"Expired {expired}, published {published}.")
