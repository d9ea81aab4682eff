"""The demo knowledge base, and the localisation story a new user would try on it."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from content.models import Branch, BranchOverride, BranchRole, KnowledgeArticle
from content.records import article_record
from content.selectors import effective_article
from content.services import article_upsert
from tests.factories import OPERATOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("kms_demo", stdout=io.StringIO())


def test_the_demo_loads_once_with_branches_overrides_and_a_stale_one(demo: None) -> None:
    out = io.StringIO()
    call_command("kms_demo", stdout=out)  # a second run changes nothing

    assert "not loaded again" in out.getvalue()
    assert KnowledgeArticle.objects.count() >= 60
    assert Branch.objects.count() >= 8
    branches = set(BranchOverride.objects.values_list("branch__code", flat=True))
    assert len(branches) >= 5
    stale = BranchOverride.objects.get(article__key="KB-000038", branch__code="BJ")
    assert stale.stale_parts == ["办理渠道"]
    assert "{{" not in effective_article("KB-000001", branch="GD-SZ").html


def test_guangdong_keeps_its_section_is_flagged_stale_and_rebases_but_cannot_touch_sichuan(
    demo: None,
) -> None:
    article = KnowledgeArticle.objects.get(key="KB-000051")
    record = article_record(article, status="published")
    hq = {s.slug: s for s in effective_article("KB-000051").sections}
    gd_before = effective_article("KB-000051", branch="GD").section("提交方式").markdown
    record["body"] = (
        record["body"]
        .replace(
            hq["提交方式"].markdown,
            hq["提交方式"].markdown + "\n\n- **邮寄递交**：总部新增邮寄渠道。",
        )
        .replace(hq["注意事项"].markdown, hq["注意事项"].markdown + "\n\n总部新增注意事项。")
    )

    article_upsert(record, actor=OPERATOR)  # an HQ editor publishes both changes

    gd = effective_article("KB-000051", branch="GD")
    assert gd.section("提交方式").markdown == gd_before  # Guangdong's own version
    assert "总部新增注意事项" in gd.section("注意事项").markdown  # HQ's new text
    override = BranchOverride.objects.get(article__key="KB-000051", branch__code="GD")
    assert override.stale_parts == ["提交方式"]

    client = Client()
    editor = User.objects.create_user("gd_editor", "gd@example.com", "pw")
    editor.groups.add(Group.objects.get(name="分公司用户"))
    BranchRole.objects.create(user=editor, branch=override.branch, role="editor")
    client.force_login(editor)
    diff = client.get(reverse("kms_override_rebase", args=(override.pk,))).content.decode()
    assert "<ins>" in diff and "邮寄" in diff

    client.post(reverse("kms_override_rebase", args=(override.pk,)))
    override.refresh_from_db()
    assert not override.stale

    sichuan = BranchOverride.objects.get(article__key="KB-000050", branch__code="SC")
    response = client.get(
        reverse("wagtailsnippets_content_branchoverride:edit", args=(sichuan.pk,))
    )
    assert response.status_code == 403
