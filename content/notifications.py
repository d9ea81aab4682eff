"""E-mails to editors. Sent after commit, from tasks, never inside a transaction."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from content.models import BranchOverride, ReviewReminder
from content.models.roles import BranchRole, Role

logger = logging.getLogger(__name__)
MAIL_REFUSED = (smtplib.SMTPException, OSError)  # the server said no, or is not there


def stale_overrides_notify(override_ids: list[int]) -> list[int]:
    """One e-mail per stale override to its branch's editors; returns the overrides whose
    e-mail the mail server refused (logged; ``content.tasks.overrides_stale_notify`` tries
    them again on a worker). The override shows stale in the admin all the same, and the
    publish that made it stale (whose request runs this when tasks are eager) stands."""
    refused: list[int] = []
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    overrides = BranchOverride.objects.filter(pk__in=override_ids).select_related(
        "article", "branch"
    )
    for override in overrides:
        recipients = sorted(
            set(
                BranchRole.objects.filter(
                    branch=override.branch, role__in=[Role.EDITOR, Role.REVIEWER]
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if not recipients or not override.stale:
            continue
        parts = ", ".join([*override.stale_parts, *override.orphaned_sections])
        url = base + reverse("kms_override_rebase", args=(override.pk,))
        try:
            send_mail(
                subject=(
                    f"[KMS] {override.article.key} 总部已修改，{override.branch.name}版本需复核"
                ),
                message=(
                    f"总部修改了《{override.article.title}》中贵机构覆盖的部分：{parts}。\n"
                    f"请核对差异并确认（rebase）：{url}\n"
                ),
                from_email=None,
                recipient_list=recipients,
            )
        except MAIL_REFUSED as error:
            logger.warning("stale override not notified override=%s error=%s", override.pk, error)
            refused.append(override.pk)
            continue
        logger.info(
            "stale override notified override=%s branch=%s recipients=%d",
            override.pk,
            override.branch.code,
            len(recipients),
        )
    return refused


def review_due_notify(reminders: QuerySet[ReviewReminder]) -> int:
    """One e-mail per person listing their `reminders`, each marked e-mailed once the mail
    server took it; a person whose e-mail the server refused keeps theirs unsent (logged)
    and the others are still told. Returns e-mails sent."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    by_person: dict[str, list[ReviewReminder]] = {}
    for reminder in reminders.select_related("article", "user").order_by(
        "review_due", "article__title"
    ):
        by_person.setdefault(reminder.user.email, []).append(reminder)
    sent = 0
    for email, due in by_person.items():
        lines = [
            f"- {r.article.key}《{r.article.title}》复核日期 {r.review_due}："
            f"{base}{reverse('wagtailadmin_pages:edit', args=(r.article.pk,))}"
            for r in due
        ]
        try:
            send_mail(
                subject=f"[KMS] {len(due)} 篇知识已到复核日期",
                message="以下知识已过复核日期，请复核内容并更新复核日期：\n"
                + "\n".join(lines)
                + "\n",
                from_email=None,
                recipient_list=[email],
            )
        except MAIL_REFUSED as error:
            logger.warning("review due not notified recipient=%s error=%s", email, error)
            continue
        ReviewReminder.objects.filter(pk__in=[r.pk for r in due]).update(sent_at=timezone.now())
        sent += 1
        logger.info("review due notified recipient=%s articles=%d", email, len(due))
    return sent
