"""Owners hear once that their articles passed their review date: an e-mail and a panel
on the admin's home page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from content.models import KnowledgeArticle, ReviewReminder
from content.services.reminders import review_reminders_create
from content.tasks import review_reminders_send
from tests.factories import make_article

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def owned(key: str, owner: User | None, review_due: dt.date) -> KnowledgeArticle:
    article = make_article(key=key, title=f"{key} 的标准问题")
    KnowledgeArticle.objects.filter(pk=article.pk).update(owner=owner, review_due=review_due)
    return KnowledgeArticle.objects.get(pk=article.pk)


@pytest.fixture
def owner() -> User:
    return User.objects.create_superuser("owner", "owner@example.com", "pw")


def test_an_owner_hears_once_about_each_passed_review_date(owner: User) -> None:
    article = owned("KB-900001", owner, TODAY - dt.timedelta(days=1))
    owned("KB-900002", owner, TODAY + dt.timedelta(days=10))  # not yet due

    review_reminders_send()
    review_reminders_send()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    assert "KB-900001" in mail.outbox[0].body and "KB-900002" not in mail.outbox[0].body
    # an editor sets a new date, which passes too: one more reminder
    KnowledgeArticle.objects.filter(pk=article.pk).update(review_due=TODAY)
    review_reminders_send()
    assert len(mail.outbox) == 2
    assert ReviewReminder.objects.filter(article=article).count() == 2


def test_a_reminder_the_mail_server_refused_goes_on_the_next_run(
    owner: User, mail_server_down: None, settings: Any
) -> None:
    """The mail server is down (nothing listens on its port): nobody is told, and the
    next run, with the server back, tells the owner — once."""
    owned("KB-900005", owner, TODAY - dt.timedelta(days=1))

    assert review_reminders_send() == (1, 0)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert review_reminders_send() == (0, 1)
    assert review_reminders_send() == (0, 0)
    assert len(mail.outbox) == 1 and "KB-900005" in mail.outbox[0].body


def test_articles_nobody_owns_are_the_superusers_to_review(owner: User) -> None:
    other = User.objects.create_superuser("lead", "lead@example.com", "pw")
    User.objects.create_superuser("gone", "gone@example.com", "pw", is_active=False)
    owned("KB-900003", None, TODAY)

    made = review_reminders_create()

    told = set(ReviewReminder.objects.filter(pk__in=made).values_list("user__username", flat=True))
    assert told == {owner.username, other.username}


def test_the_home_page_lists_the_editors_articles_past_review(owner: User, client: Client) -> None:
    article = owned("KB-900004", owner, TODAY - dt.timedelta(days=3))
    review_reminders_create()
    client.force_login(owner)

    assert "KB-900004" in client.get("/admin/").content.decode()
    KnowledgeArticle.objects.filter(pk=article.pk).update(review_due=TODAY + dt.timedelta(days=90))
    assert "KB-900004" not in client.get("/admin/").content.decode()


def test_without_a_mail_server_the_command_saves_each_e_mail_as_a_file(
    owner: User, settings: Any, tmp_path: Any
) -> None:
    """What ``make setup`` shows a new user: where the reminder went, not the e-mail."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    owned("KB-900009", owner, TODAY - dt.timedelta(days=1))
    out = io.StringIO()

    call_command("kms_review_reminders", stdout=out)

    assert out.getvalue().strip() == f"1 review reminders, 1 e-mails (saved in {tmp_path / 'mail'})"
    (saved,) = (tmp_path / "mail").iterdir()
    assert "KB-900009" in saved.read_text(encoding="utf-8")
