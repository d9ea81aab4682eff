"""A published snapshot keeps the plain texts readers get, so the index renders nothing."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from content import markdown
from content.models import PublishedArticle
from tests.factories import make_article

pytestmark = pytest.mark.django_db

BODY = (
    "适用于**住院**医疗。\n\n## 办理材料\n\n- 理赔申请书\n- 身份证件 [说明](https://example.cn)\n\n"
    "| 材料 | 份数 |\n|---|---|\n| 发票 | 1 |\n\n"
    "请致电 {{ branch.hotline }}[^1]。\n\n[^1]: 工作日\n"
)


def test_a_snapshot_holds_the_texts_a_reader_without_values_would_get() -> None:
    article = make_article(summary="先**报案**，再致电 {{ branch.hotline }}。", body=BODY)

    snapshot = PublishedArticle.objects.get(key=article.key)

    assert snapshot.text == markdown.render(BODY).text
    assert snapshot.summary_text == markdown.render(article.summary).text
    assert "{{ branch.hotline }}" in snapshot.text and "**" not in snapshot.summary_text


def test_the_migration_fills_the_snapshots_there_were() -> None:
    article = make_article(body=BODY)
    PublishedArticle.objects.filter(key=article.key).update(text="", summary_text="")
    migration = importlib.import_module("content.migrations.0013_snapshot_plain_texts")

    migration.fill(apps, None)

    snapshot = PublishedArticle.objects.get(key=article.key)
    assert snapshot.text == markdown.render(BODY).text
    assert snapshot.summary_text == markdown.render(article.summary).text
