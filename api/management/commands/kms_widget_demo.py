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
from django.core.management.base import BaseCommand, CommandError

from api import widget
from api.models import ApiKey
from api.services import apikey_create, apikey_rotate, apikey_update
from content.actors import Actor

OPERATOR = Actor.system_context("kms_widget_demo")


class Command(BaseCommand):
    help = "Create or repair the widget demo page's API key, kept in KMS_DATA_DIR."

    def handle(self, *args: Any, **options: Any) -> None:
        existing = ApiKey.objects.filter(name=widget.DEMO_KEY_NAME).first()
        if existing is None:
            issued = apikey_create(
                actor=OPERATOR,
                name=widget.DEMO_KEY_NAME,
                scopes=widget.DEMO_SCOPES,
                channels=widget.DEMO_CHANNELS,
            )
            self._keep(issued.secret)
        else:
            # whatever an operator changed, the demo key reads no more than the demo needs
            apikey_update(
                existing,
                actor=OPERATOR,
                name=widget.DEMO_KEY_NAME,
                scopes=widget.DEMO_SCOPES,
                channels=widget.DEMO_CHANNELS,
                revoked=existing.revoked_at is not None,  # an operator's revocation stands
            )
            if existing.revoked_at is not None:
                raise CommandError(f"the API key {widget.DEMO_KEY_NAME!r} is revoked")
            if widget.demo_key() is None:
                self._keep(apikey_rotate(actor=OPERATOR, name=widget.DEMO_KEY_NAME).secret)
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        where = f"{base}/widget/demo/" if settings.KMS_WIDGET_DEMO else "off (KMS_WIDGET_DEMO)"
        self.stdout.write(
            f"Widget demo: {where}  (key {widget.DEMO_KEY_NAME!r} kept in {widget.demo_key_file()})"
        )

    def _keep(self, secret: str) -> None:
        path = widget.demo_key_file()
        path.write_text(secret + "\n", encoding="utf-8")
        path.chmod(0o600)
