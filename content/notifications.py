"""E-mails to editors. Sent after commit, from tasks, never inside a transaction."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from content.models import BranchOverride
from content.models.roles import BranchRole, Role

logger = logging.getLogger(__name__)


def stale_overrides_notify(override_ids: list[int]) -> int:
    """One e-mail per stale override to its branch's editors; returns e-mails sent."""
    sent = 0
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
        send_mail(
            subject=f"[KMS] {override.article.key} 总部已修改，{override.branch.name}版本需复核",
            message=(
                f"总部修改了《{override.article.title}》中贵机构覆盖的部分：{parts}。\n"
                f"请核对差异并确认（rebase）：{url}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        sent += 1
        logger.info(
            "stale override notified override=%s branch=%s recipients=%d",
            override.pk,
            override.branch.code,
            len(recipients),
        )
    return sent
