"""``manage.py kms_widget_demo``: make sure the widget demo page has its key, and print
where the page is.

The demo key (``api.widget.DEMO_KEY_NAME``) may read, search and send feedback on the
agent channel, public articles only. Its secret is kept in KMS_DATA_DIR (readable only by
its owner) so that running the command again — as ``make run`` does — keeps the same key;
a key file lost or no longer matching gets the key a new secret.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api import widget
from api.management.options import problem_text
from content.actors import Actor

OPERATOR = Actor.system_context("kms_widget_demo")


class Command(BaseCommand):
    help = "Create or repair the widget demo page's API key, kept in KMS_DATA_DIR."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            widget.demo_key_ensure(actor=OPERATOR)
        except ValidationError as error:
            raise CommandError(problem_text(error)) from error
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        where = f"{base}/widget/demo/" if settings.KMS_WIDGET_DEMO else "off (KMS_WIDGET_DEMO)"
        self.stdout.write(
            f"Widget demo: {where}  (key {widget.DEMO_KEY_NAME!r} kept in {widget.demo_key_file()})"
        )
