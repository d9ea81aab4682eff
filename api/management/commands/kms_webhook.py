"""``manage.py kms_webhook add|list|pause|resume|resend|remove``: webhook subscriptions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.management.options import comma_list, problem_text
from api.selectors import subscriptions_counted
from api.services import (
    subscription_add,
    subscription_pause,
    subscription_remove,
    subscription_resend,
    subscription_resume,
)
from content.actors import Actor

OPERATOR = Actor.system_context("kms_webhook")


class Command(BaseCommand):
    help = "Manage webhook subscriptions: signed POSTs of change-log events."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="add|list|pause|resume|resend|remove"
        )
        add = actions.add_parser("add", help="subscribe a URL; prints its signing secret")
        add.add_argument("name")
        add.add_argument("url", help="http(s) URL events are POSTed to")
        add.add_argument("--actions", help="only these actions, e.g. published,unpublished")
        add.add_argument("--branches", help="only events affecting these branches (or below)")
        add.add_argument("--secret", help="signing secret (default: a new random one)")
        actions.add_parser("list", help="every subscription with its queue")
        for name, text in (
            ("pause", "stop sending"),
            ("resume", "send again, dead letters first"),
            ("remove", "delete the subscription and its deliveries"),
        ):
            actions.add_parser(name, help=text).add_argument("name")
        resend = actions.add_parser("resend", help="send dead letters (or --seq events) again")
        resend.add_argument("name")
        resend.add_argument("--seq", type=int, action="append", default=[], help="repeatable")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(problem_text(error)) from error

    def _add(
        self,
        *,
        name: str,
        url: str,
        actions: str | None,
        branches: str | None,
        secret: str | None,
        **options: Any,
    ) -> None:
        subscription = subscription_add(
            actor=OPERATOR,
            name=name,
            url=url,
            actions=comma_list(actions),
            branches=comma_list(branches),
            secret=secret or "",
        )
        self.stderr.write(f"Subscribed {subscription.name} to {subscription.url}. Signing secret:")
        self.stdout.write(subscription.secret)

    def _list(self, **options: Any) -> None:
        counted = subscriptions_counted()
        self.stdout.write(f"{'name':<20} {'status':<7} {'pending':>7} {'dead':>6}  url")
        for sub in counted:
            note = f"  ({sub.paused_reason})" if sub.paused_reason else ""
            self.stdout.write(
                f"{sub.name:<20} {sub.status:<7} {sub.pending:>7} {sub.dead:>6}  {sub.url}{note}"
            )

    def _pause(self, *, name: str, **options: Any) -> None:
        subscription_pause(actor=OPERATOR, name=name)
        self.stdout.write(f"Paused {name}: events are kept as dead letters until it is resumed.")

    def _resume(self, *, name: str, **options: Any) -> None:
        count = subscription_resume(actor=OPERATOR, name=name)
        self.stdout.write(f"Resumed {name}: {count} dead letters queued again, oldest first.")

    def _resend(self, *, name: str, seq: list[int], **options: Any) -> None:
        count = subscription_resend(actor=OPERATOR, name=name, seqs=seq)
        self.stdout.write(f"{name}: {count} deliveries queued again.")

    def _remove(self, *, name: str, **options: Any) -> None:
        subscription_remove(actor=OPERATOR, name=name)
        self.stdout.write(f"Removed {name}.")
