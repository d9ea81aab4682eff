"""``manage.py kms_apikey create|list|revoke``: API keys for counters, bots and agent tools."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    no_translations,
)
from django.utils import timezone

from api.management.options import comma_list, problem_text
from api.models import ApiKey
from api.services import apikey_create, apikey_revoke
from content.actors import Actor

OPERATOR = Actor.system_context("kms_apikey")


class Command(BaseCommand):
    help = "Create, list and revoke API keys. A new key is printed once, alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = actions.add_parser("create", help="make a key and print it (once)")
        create.add_argument("name")
        create.add_argument("--scopes", required=True, help="read,search,changes,feedback")
        create.add_argument("--branches", help="codes; a branch covers its sub-branches")
        create.add_argument("--channels", help="agent,counter,bot,app,sms")
        create.add_argument("--internal", action="store_true", help="also read internal articles")
        create.add_argument("--rate", type=int, help="requests per minute (default: the site's)")
        actions.add_parser("list", help="every key, never the key itself")
        revoke = actions.add_parser("revoke", help="refuse a key from now on")
        revoke.add_argument("name")

    @no_translations  # errors in English, like the rest of what it prints
    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(problem_text(error)) from error

    def _create(
        self,
        *,
        name: str,
        scopes: str,
        branches: str | None,
        channels: str | None,
        internal: bool,
        rate: int | None,
        **options: Any,
    ) -> None:
        if rate is not None and rate < 1:
            raise CommandError("--rate: at least 1 request per minute")
        issued = apikey_create(
            actor=OPERATOR,
            name=name,
            scopes=comma_list(scopes),
            branches=comma_list(branches),
            channels=comma_list(channels),
            internal=internal,
            rate_per_minute=rate,
        )
        key = issued.key
        self.stderr.write(
            f"Created API key {key.name}: scopes {','.join(key.scopes)}; "
            f"branches {','.join(key.branches) or 'all'}; "
            f"channels {','.join(key.channels) or 'all'}; "
            f"audiences {','.join(key.audiences)}. It is shown only now:"
        )
        self.stdout.write(issued.secret)

    def _list(self, **options: Any) -> None:
        """Every key, its times in the site's time zone (as the logs have them)."""
        self.stdout.write(f"times in {timezone.get_current_timezone_name()}")
        self.stdout.write(
            f"{'name':<24} {'scopes':<28} {'branches':<16} {'created':<17} {'last used':<17} status"
        )
        for key in ApiKey.objects.order_by("name"):
            used = _local(key.last_used_at) if key.last_used_at else "never"
            self.stdout.write(
                f"{key.name:<24} {','.join(key.scopes):<28} {','.join(key.branches) or 'all':<16} "
                f"{_local(key.created_at)} {used:<17} "
                f"{'revoked' if key.revoked_at else 'active'}"
            )

    def _revoke(self, *, name: str, **options: Any) -> None:
        key = apikey_revoke(actor=OPERATOR, name=name)
        self.stdout.write(f"Revoked API key {key.name}: it is refused from now on.")


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
