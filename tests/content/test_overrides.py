"""Branch overrides as readers see them: section operations along HQ → province → city,
visibility, variables, staleness and its e-mails, import/export and branch permissions."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from wagtail.models import Revision

from content.actors import Actor
from content.models import (
    Branch,
    BranchOverride,
    BranchRole,
    Category,
    KnowledgeArticle,
    KnowledgeBaseSettings,
    Product,
)
from content.records import Catalog, validate_record
from content.selectors import EffectiveArticle, effective_article
from content.services import override_rebase, override_upsert
from content.services.overrides import override_staleness, overrides_staleness_refresh
from content.tasks import overrides_stale_notify
from tests.factories import HQ_VARIABLES, OPERATOR, BranchFactory, make_article
from tests.imports import failed_import, jsonl, run_import

pytestmark = pytest.mark.django_db

KEY = "KB-300001"
TITLE = "申请医疗险理赔需要准备哪些材料？"
SUMMARY = "准备理赔申请书、身份证件、病历和发票，可在App或柜面提交。"
LEAD_TEXT = "适用于个人客户的住院医疗和门诊医疗理赔。"
MATERIALS = "- 理赔申请书\n- 被保险人身份证件\n- 病历及费用发票"
PROCESS = "1. 报案\n2. 提交材料\n3. 审核结案"
CONTACT = (
    "请致电 {{ branch.hotline }}（{{ branch.service_hours }}），"
    "或到柜面办理：{{ branch.address }}。"
)

GD_HOTLINE = "020-83338888"
SZ_ADDRESS = "深圳市福田区深南大道6008号"
HQ_ADDRESS = HQ_VARIABLES["address"]

GD_MATERIALS = "- 理赔申请书\n- 被保险人身份证件\n- 广东省内定点医院出具的病历"
GD_MATERIALS_TEXT = "• 理赔申请书\n• 被保险人身份证件\n• 广东省内定点医院出具的病历"
HQ_MATERIALS_TEXT = "• 理赔申请书\n• 被保险人身份证件\n• 病历及费用发票"
HQ_PROCESS_TEXT = "1. 报案\n2. 提交材料\n3. 审核结案"


def hq_body(
    *, materials: str | None = MATERIALS, process: str = PROCESS, contact: str = CONTACT
) -> str:
    parts = [LEAD_TEXT]
    if materials is not None:
        parts.append(f"## 办理材料\n\n{materials}")
    parts += [f"## 办理流程\n\n{process}", f"## 联系方式\n\n{contact}"]
    return "\n\n".join(parts) + "\n"


def publish_hq(**changes: Any) -> KnowledgeArticle:
    """Publish HQ's article (through the import service), with `changes` to the defaults."""
    fields: dict[str, Any] = {"key": KEY, "title": TITLE, "summary": SUMMARY, "body": hq_body()}
    return make_article(**(fields | changes))


@pytest.fixture(autouse=True)
def branches() -> dict[str, Branch]:
    hq = BranchFactory(code="HQ", name="总公司", parent=None, variables=HQ_VARIABLES)
    gd = BranchFactory(code="GD", name="广东分公司", parent=hq, variables={"hotline": GD_HOTLINE})
    sz = BranchFactory(
        code="GD-SZ", name="深圳分公司", parent=gd, variables={"address": SZ_ADDRESS}
    )
    sc = BranchFactory(code="SC", name="四川分公司", parent=hq, variables={})
    return {"HQ": hq, "GD": gd, "GD-SZ": sz, "SC": sc}


@pytest.fixture
def article() -> KnowledgeArticle:
    return publish_hq()


def override_raw(branch: str = "GD", **fields: Any) -> dict[str, Any]:
    return {"type": "override", "article": KEY, "branch": branch, **fields}


def upsert(branch: str = "GD", *, user: Any = None, **fields: Any) -> BranchOverride:
    """Validate an override record like the import does and apply it as `user`."""
    record, problems = validate_record(1, override_raw(branch, **fields), Catalog.from_database())
    assert not problems, problems
    override_upsert(record, actor=Actor.editor(user) if user else OPERATOR)
    return BranchOverride.objects.get(article__key=KEY, branch__code=branch)


def replace_materials(branch: str = "GD", **fields: Any) -> BranchOverride:
    return upsert(
        branch, sections={"办理材料": {"mode": "replace", "body": GD_MATERIALS}}, **fields
    )


def seen(branch: str | None, **kwargs: Any) -> EffectiveArticle:
    effective = effective_article(KEY, branch=branch, **kwargs)
    assert effective is not None, f"{KEY} is not visible in {branch}"
    return effective


def text_of(branch: str | None, slug: str) -> str:
    return seen(branch).section(slug).text


def slugs(branch: str | None) -> list[str]:
    return [section.slug for section in seen(branch).sections]


def assert_sees_hq_version(branch: str | None, overridden_by: tuple[str, ...] = ()) -> None:
    effective = seen(branch)
    assert effective.section("办理材料").text == HQ_MATERIALS_TEXT
    assert effective.section("办理流程").text == HQ_PROCESS_TEXT
    assert effective.summary == SUMMARY
    assert effective.overridden_by == overridden_by


# --- section operations along the branch chain -------------------------------------------


@pytest.mark.parametrize(
    ("mode", "body", "expected"),
    [
        ("replace", GD_MATERIALS, GD_MATERIALS_TEXT),
        (
            "prepend",
            "广东地区请先在粤省事小程序完成实名认证。",
            f"广东地区请先在粤省事小程序完成实名认证。\n\n{HQ_MATERIALS_TEXT}",
        ),
        (
            "append",
            "异地就医的，另需提供转诊证明。",
            f"{HQ_MATERIALS_TEXT}\n\n异地就医的，另需提供转诊证明。",
        ),
    ],
)
def test_a_province_operation_reaches_the_province_and_its_city_only(
    article: KnowledgeArticle, mode: str, body: str, expected: str
) -> None:
    upsert("GD", sections={"办理材料": {"mode": mode, "body": body}})

    assert text_of("GD", "办理材料") == expected
    assert text_of("GD-SZ", "办理材料") == expected
    for branch in ("GD", "GD-SZ"):
        assert text_of(branch, "办理流程") == HQ_PROCESS_TEXT
        assert slugs(branch) == ["_lead", "办理材料", "办理流程", "联系方式"]
    assert seen("GD-SZ").overridden_by == ("GD",)
    assert_sees_hq_version("HQ")
    assert_sees_hq_version("SC")


def test_a_province_can_hide_one_section_for_itself_and_its_city(article: KnowledgeArticle) -> None:
    upsert("GD", sections={"办理流程": {"mode": "hide", "body": ""}})

    for branch in ("GD", "GD-SZ"):
        effective = seen(branch)
        assert [section.slug for section in effective.sections] == ["_lead", "办理材料", "联系方式"]
        assert "审核结案" not in effective.text
        assert "办理流程" not in effective.html
        assert effective.section("办理材料").text == HQ_MATERIALS_TEXT
    assert_sees_hq_version("HQ")
    assert_sees_hq_version("SC")


def test_the_lead_paragraph_can_be_replaced(article: KnowledgeArticle) -> None:
    upsert(
        "GD", sections={"_lead": {"mode": "replace", "body": "适用于广东省内（不含深圳）的理赔。"}}
    )

    assert text_of("GD", "_lead") == "适用于广东省内（不含深圳）的理赔。"
    assert text_of("SC", "_lead") == LEAD_TEXT


def test_a_city_operation_applies_to_its_provinces_version_of_the_section(
    article: KnowledgeArticle,
) -> None:
    replace_materials("GD")
    upsert(
        "GD-SZ", sections={"办理材料": {"mode": "append", "body": "深圳医保参保人另需提供社保卡。"}}
    )

    assert text_of("GD-SZ", "办理材料") == f"{GD_MATERIALS_TEXT}\n\n深圳医保参保人另需提供社保卡。"
    assert seen("GD-SZ").overridden_by == ("GD", "GD-SZ")
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    assert text_of("SC", "办理材料") == HQ_MATERIALS_TEXT


def test_a_city_replace_wins_over_its_provinces_append(article: KnowledgeArticle) -> None:
    upsert("GD", sections={"办理流程": {"mode": "append", "body": "4. 广东分公司回访"}})
    upsert("GD-SZ", sections={"办理流程": {"mode": "replace", "body": "深圳地区统一通过App办理。"}})

    assert text_of("GD-SZ", "办理流程") == "深圳地区统一通过App办理。"
    assert "广东分公司回访" in text_of("GD", "办理流程")


def test_a_province_summary_replaces_hqs_for_the_province_and_its_city(
    article: KnowledgeArticle,
) -> None:
    upsert("GD", summary="广东客户可通过粤省事或柜面提交理赔材料，热线 {{ branch.hotline }}。")

    expected = f"广东客户可通过粤省事或柜面提交理赔材料，热线 {GD_HOTLINE}。"
    assert seen("GD").summary == expected
    assert seen("GD-SZ").summary == expected
    assert seen("SC").summary == SUMMARY
    assert seen("HQ").summary == SUMMARY
    assert text_of("GD", "办理材料") == HQ_MATERIALS_TEXT


def test_variables_come_from_the_nearest_branch_that_defines_them(
    article: KnowledgeArticle,
) -> None:
    hours = HQ_VARIABLES["service_hours"]

    assert text_of("HQ", "联系方式") == f"请致电 95500（{hours}），或到柜面办理：{HQ_ADDRESS}。"
    assert text_of("SC", "联系方式") == f"请致电 95500（{hours}），或到柜面办理：{HQ_ADDRESS}。"
    assert (
        text_of("GD", "联系方式") == f"请致电 {GD_HOTLINE}（{hours}），或到柜面办理：{HQ_ADDRESS}。"
    )
    assert text_of("GD-SZ", "联系方式") == (
        f"请致电 {GD_HOTLINE}（{hours}），或到柜面办理：{SZ_ADDRESS}。"
    )


def test_variables_in_a_province_override_are_filled_for_the_city(
    article: KnowledgeArticle,
) -> None:
    upsert(
        "GD",
        sections={
            "联系方式": {
                "mode": "append",
                "body": "广东专线 {{ branch.hotline }}，地址 {{ branch.address }}。",
            }
        },
    )

    assert text_of("GD-SZ", "联系方式").endswith(f"广东专线 {GD_HOTLINE}，地址 {SZ_ADDRESS}。")
    assert text_of("GD", "联系方式").endswith(f"广东专线 {GD_HOTLINE}，地址 {HQ_ADDRESS}。")
    assert "{{" not in seen("GD-SZ").html


# --- visibility ----------------------------------------------------------------------------


def test_a_hidden_article_disappears_in_the_province_and_its_city(
    article: KnowledgeArticle,
) -> None:
    upsert("GD", hidden=True)

    assert effective_article(KEY, branch="GD") is None
    assert effective_article(KEY, branch="GD-SZ") is None
    assert_sees_hq_version("SC")
    assert_sees_hq_version("HQ")


def test_a_city_can_show_an_article_its_province_hides(article: KnowledgeArticle) -> None:
    upsert("GD", hidden=True)
    upsert("GD-SZ", hidden=False)

    assert effective_article(KEY, branch="GD") is None
    assert_sees_hq_version("GD-SZ", overridden_by=("GD", "GD-SZ"))


def test_a_city_override_that_inherits_visibility_stays_hidden_under_a_hiding_province(
    article: KnowledgeArticle,
) -> None:
    upsert("GD", hidden=True)
    upsert("GD-SZ", hidden=None, sections={"办理材料": {"mode": "append", "body": "深圳补充。"}})

    assert effective_article(KEY, branch="GD-SZ") is None


def test_an_article_for_other_channels_is_not_served_to_the_bot() -> None:
    publish_hq(channels=["agent"])
    upsert("GD", sections={"办理材料": {"mode": "replace", "body": GD_MATERIALS}})

    for branch in ("HQ", "GD", "GD-SZ"):
        assert effective_article(KEY, branch=branch, channel="bot") is None
        assert effective_article(KEY, branch=branch, channel="agent") is not None
    assert seen("GD", channel="agent").section("办理材料").text == GD_MATERIALS_TEXT


def test_an_internal_article_is_not_served_to_public_readers() -> None:
    publish_hq(audience="internal")

    for branch in ("HQ", "GD", "GD-SZ"):
        assert effective_article(KEY, branch=branch, audiences=("public",)) is None
        assert effective_article(KEY, branch=branch, audiences=("public", "internal")) is not None


# --- staleness -------------------------------------------------------------------------------


def test_guangdong_keeps_its_section_when_hq_edits_another(article: KnowledgeArticle) -> None:
    override = replace_materials("GD")

    publish_hq(body=hq_body(process="1. 在线报案\n2. 上传材料\n3. 审核结案"))

    assert text_of("GD", "办理流程") == "1. 在线报案\n2. 上传材料\n3. 审核结案"
    assert text_of("GD-SZ", "办理流程") == "1. 在线报案\n2. 上传材料\n3. 审核结案"
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    override.refresh_from_db()
    assert not override.stale
    assert not override_staleness(override)
    assert override_staleness(override).stale == ()


def test_hq_editing_the_overridden_section_makes_the_override_stale_but_keeps_it_live(
    article: KnowledgeArticle,
) -> None:
    override = replace_materials("GD")

    publish_hq(body=hq_body(materials="- 理赔申请书\n- 身份证件\n- 电子发票"))

    override.refresh_from_db()
    assert override.stale
    assert override.stale_parts == ["办理材料"]
    assert override.orphaned_sections == []
    assert override_staleness(override).stale == ("办理材料",)
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    assert text_of("SC", "办理材料") == "• 理赔申请书\n• 身份证件\n• 电子发票"


def test_hq_changing_the_summary_makes_a_summary_replacement_stale(
    article: KnowledgeArticle,
) -> None:
    override = upsert("GD", summary="广东客户可在粤省事提交理赔材料。")

    publish_hq(summary="理赔材料可通过App、微信或柜面提交。")

    override.refresh_from_db()
    assert override.stale_parts == ["summary"]
    assert seen("GD").summary == "广东客户可在粤省事提交理赔材料。"


def test_hq_changing_the_summary_does_not_stale_an_override_that_keeps_it(
    article: KnowledgeArticle,
) -> None:
    override = replace_materials("GD")

    publish_hq(summary="理赔材料可通过App、微信或柜面提交。")

    override.refresh_from_db()
    assert not override.stale
    assert seen("GD").summary == "理赔材料可通过App、微信或柜面提交。"


def test_an_operation_on_a_section_hq_removed_is_reported_as_orphaned(
    article: KnowledgeArticle,
) -> None:
    override = replace_materials("GD")

    publish_hq(body=hq_body(materials=None))

    override.refresh_from_db()
    assert override.orphaned_sections == ["办理材料"]
    assert override.stale
    assert override_staleness(override).orphaned == ("办理材料",)
    for branch in ("GD", "GD-SZ"):
        effective = seen(branch)
        assert [s.slug for s in effective.sections] == ["_lead", "办理流程", "联系方式"]
        assert "广东省内定点医院" not in effective.text
        assert effective.orphaned == {"GD": ("办理材料",)}
    assert seen("SC").orphaned == {}


def test_rebase_acknowledges_hqs_change_and_moves_based_on_to_hqs_live_revision(
    article: KnowledgeArticle,
) -> None:
    override = replace_materials("GD")
    first_base = override.based_on_id
    changed = publish_hq(body=hq_body(materials="- 理赔申请书\n- 身份证件\n- 电子发票"))
    override.refresh_from_db()
    assert override.stale

    override_rebase(override, actor=OPERATOR)

    override.refresh_from_db()
    changed.refresh_from_db()
    assert not override.stale
    assert override.based_on_id == changed.live_revision_id != first_base
    assert override.published.based_on_revision_id == changed.live_revision_id
    assert not override_staleness(override)
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    # acknowledged on the live version: no draft is left waiting for review
    assert not override.has_unpublished_changes
    assert override.live_revision_id == override.latest_revision_id


def test_rebase_does_not_silence_an_orphaned_operation(article: KnowledgeArticle) -> None:
    override = replace_materials("GD")
    publish_hq(body=hq_body(materials=None))

    override_rebase(BranchOverride.objects.get(pk=override.pk), actor=OPERATOR)

    override.refresh_from_db()
    assert override.orphaned_sections == ["办理材料"]


def test_editing_a_stale_override_without_rebasing_keeps_it_stale(
    article: KnowledgeArticle,
) -> None:
    base = replace_materials("GD").based_on_id
    publish_hq(body=hq_body(materials="- 理赔申请书\n- 身份证件\n- 电子发票"))
    assert BranchOverride.objects.get().stale_parts == ["办理材料"]

    override = replace_materials("GD", note="补充广东定点医院要求")

    assert override.note == "补充广东定点医院要求"
    assert override.based_on_id == base  # nothing acknowledged HQ's change
    assert override_staleness(override).stale == ("办理材料",)
    assert override.stale_parts == ["办理材料"]


def test_an_override_that_starts_touching_a_section_hq_changed_since_its_base_is_stale(
    article: KnowledgeArticle,
) -> None:
    replace_materials("GD")
    publish_hq(body=hq_body(process="1. 在线报案\n2. 上传材料\n3. 审核结案"))
    assert not BranchOverride.objects.get().stale

    override = upsert(
        "GD",
        sections={
            "办理材料": {"mode": "replace", "body": GD_MATERIALS},
            "办理流程": {"mode": "append", "body": "4. 广东分公司电话回访"},
        },
    )

    assert override_staleness(override).stale == ("办理流程",)
    assert override.stale_parts == ["办理流程"]


def test_publishing_a_stale_overrides_pending_draft_keeps_it_stale(
    article: KnowledgeArticle,
) -> None:
    replace_materials("GD")
    publish_hq(body=hq_body(materials="- 理赔申请书\n- 身份证件\n- 电子发票"))
    replace_materials("GD", note="补充广东定点医院要求", status="draft")
    assert BranchOverride.objects.get().stale_parts == ["办理材料"]

    override = replace_materials("GD", note="补充广东定点医院要求")  # publishes that draft

    assert not override.has_unpublished_changes
    assert override.note == "补充广东定点医院要求"
    assert override_staleness(override).stale == ("办理材料",)
    assert override.stale_parts == ["办理材料"]


def test_a_reviewer_approving_a_stale_overrides_draft_keeps_it_stale(
    article: KnowledgeArticle,
) -> None:
    replace_materials("GD")
    publish_hq(body=hq_body(materials="- 理赔申请书\n- 身份证件\n- 电子发票"))
    draft = replace_materials("GD", note="补充广东定点医院要求", status="draft")

    draft.get_latest_revision().publish(skip_permission_checks=True)  # as the workflow does

    override = BranchOverride.objects.get()
    assert override.note == "补充广东定点医院要求"
    assert override_staleness(override).stale == ("办理材料",)
    assert override.stale_parts == ["办理材料"]


def test_rebase_with_a_pending_draft_acknowledges_on_the_live_version_too(
    article: KnowledgeArticle,
) -> None:
    replace_materials("GD")
    changed = publish_hq(body=hq_body(materials="- 理赔申请书\n- 身份证件\n- 电子发票"))
    draft = upsert(
        "GD", sections={"办理材料": {"mode": "append", "body": "草稿补充。"}}, status="draft"
    )

    override_rebase(draft, actor=OPERATOR)

    override = BranchOverride.objects.get()
    changed.refresh_from_db()
    assert not override.stale
    assert override.based_on_id == changed.live_revision_id
    assert override.published.based_on_revision_id == changed.live_revision_id
    assert override.has_unpublished_changes
    assert override.get_latest_revision_as_object().based_on_id == changed.live_revision_id
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT


def test_refreshing_staleness_reports_only_overrides_that_just_turned_stale(
    article: KnowledgeArticle,
) -> None:
    replace_materials("GD")
    upsert("SC", sections={"办理流程": {"mode": "append", "body": "4. 四川分公司回访"}})
    changed = publish_hq(body=hq_body(materials="- 理赔申请书\n- 电子发票"))

    stale = {o.branch.code: o.stale for o in BranchOverride.objects.select_related("branch")}
    assert stale == {"GD": True, "SC": False}
    assert overrides_staleness_refresh(changed) == []  # GD was already stale
    assert BranchOverride.objects.get(branch__code="GD").stale_parts == ["办理材料"]


# --- notifications ---------------------------------------------------------------------------


def make_user(username: str, email: str = "") -> Any:
    return get_user_model().objects.create_user(username=username, email=email, password="x")


def test_branch_editors_are_emailed_when_hq_makes_their_override_stale(
    article: KnowledgeArticle, branches: dict[str, Branch], django_capture_on_commit_callbacks: Any
) -> None:
    gd_editor = make_user("gd_editor", "li.ming@gd.example.com")
    sc_editor = make_user("sc_editor", "wang.fang@sc.example.com")
    BranchRole.objects.create(user=gd_editor, branch=branches["GD"], role="editor")
    BranchRole.objects.create(user=sc_editor, branch=branches["SC"], role="editor")
    replace_materials("GD")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish_hq(body=hq_body(materials="- 理赔申请书\n- 身份证件\n- 电子发票"))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li.ming@gd.example.com"]
    assert KEY in message.subject
    assert "办理材料" in message.body


@pytest.fixture
def refused_stale_notice(
    article: KnowledgeArticle,
    branches: dict[str, Branch],
    django_capture_on_commit_callbacks: Any,
    mail_server_down: None,
) -> BranchOverride:
    """GD (with an editor to tell) overrides 办理材料; HQ changes it while nothing listens
    on the mail server's port."""
    gd_editor = make_user("gd_editor", "li.ming@gd.example.com")
    BranchRole.objects.create(user=gd_editor, branch=branches["GD"], role="editor")
    replace_materials("GD")
    with django_capture_on_commit_callbacks(execute=True):
        publish_hq(body=hq_body(materials="- 理赔申请书\n- 电子发票"))
    return BranchOverride.objects.get(branch__code="GD")


def test_hq_publishes_though_the_mail_server_is_down(
    refused_stale_notice: BranchOverride, caplog: Any
) -> None:
    """The publish that made GD's override stale still succeeds (eager tasks run in the
    editor's request), and the refusal is logged; the override shows stale in the admin
    all the same."""
    assert refused_stale_notice.stale
    logged = [record.getMessage() for record in caplog.get_records("setup")]
    assert any("stale override not notified" in message for message in logged)


def test_on_a_worker_a_refused_stale_notice_is_tried_again_later(
    refused_stale_notice: BranchOverride, caplog: Any
) -> None:
    """Services mode: the worker's task asks Celery to run it again, for the refused
    override, a minute later (the broker here runs it at once: refused again)."""
    stale = refused_stale_notice
    caplog.clear()

    overrides_stale_notify.push_request(is_eager=False, retries=0, called_directly=False)
    try:
        with pytest.raises(Retry) as retried:
            overrides_stale_notify([stale.pk])
    finally:
        overrides_stale_notify.pop_request()

    assert retried.value.when == 60
    assert caplog.text.count(f"stale override not notified override={stale.pk}") == 2


def test_no_email_when_hq_edits_a_section_no_branch_overrides(
    article: KnowledgeArticle, branches: dict[str, Branch], django_capture_on_commit_callbacks: Any
) -> None:
    gd_editor = make_user("gd_editor", "li.ming@gd.example.com")
    BranchRole.objects.create(user=gd_editor, branch=branches["GD"], role="editor")
    replace_materials("GD")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish_hq(body=hq_body(process="1. 在线报案\n2. 上传材料\n3. 审核结案"))

    assert mail.outbox == []


def test_an_override_already_stale_is_not_notified_again(
    article: KnowledgeArticle, branches: dict[str, Branch], django_capture_on_commit_callbacks: Any
) -> None:
    gd_editor = make_user("gd_editor", "li.ming@gd.example.com")
    BranchRole.objects.create(user=gd_editor, branch=branches["GD"], role="editor")
    replace_materials("GD")
    with django_capture_on_commit_callbacks(execute=True):
        publish_hq(body=hq_body(materials="- 理赔申请书\n- 电子发票"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish_hq(body=hq_body(materials="- 理赔申请书\n- 电子发票\n- 银行卡"))

    assert mail.outbox == []


# --- publishing state ------------------------------------------------------------------------


def test_unpublishing_an_override_gives_the_branch_hqs_version_again(
    article: KnowledgeArticle,
) -> None:
    override = replace_materials("GD", summary="广东简答。")

    override.unpublish()

    assert_sees_hq_version("GD")
    assert_sees_hq_version("GD-SZ")


def test_an_unpublished_hq_article_is_seen_nowhere(article: KnowledgeArticle) -> None:
    replace_materials("GD")
    upsert("GD-SZ", hidden=False)

    article.unpublish()

    for branch in ("HQ", "GD", "GD-SZ", "SC", None):
        assert effective_article(KEY, branch=branch) is None


def test_a_draft_override_record_leaves_the_live_override_alone(article: KnowledgeArticle) -> None:
    replace_materials("GD")

    override = upsert(
        "GD",
        sections={"办理材料": {"mode": "replace", "body": "- 草稿材料清单"}},
        status="draft",
    )

    assert override.live
    assert override.has_unpublished_changes
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    draft = override.get_latest_revision_as_object()
    assert draft.operations() == {"办理材料": {"mode": "replace", "body": "- 草稿材料清单"}}


def test_a_draft_for_a_new_override_changes_nothing_for_readers(article: KnowledgeArticle) -> None:
    override = upsert("GD", hidden=True, status="draft")

    assert not override.live
    assert_sees_hq_version("GD")


# --- import ------------------------------------------------------------------------------------

TAXONOMY: list[dict[str, Any]] = [
    {"type": "category", "path": "理赔", "name": "理赔"},
    {"type": "branch", "code": "HQ", "name": "总公司", "parent": None, "variables": HQ_VARIABLES},
    {
        "type": "branch",
        "code": "GD",
        "name": "广东分公司",
        "parent": "HQ",
        "variables": {"hotline": GD_HOTLINE},
    },
    {
        "type": "branch",
        "code": "GD-SZ",
        "name": "深圳分公司",
        "parent": "GD",
        "variables": {"address": SZ_ADDRESS},
    },
    {"type": "branch", "code": "SC", "name": "四川分公司", "parent": "HQ", "variables": {}},
    {"type": "product", "code": "KN-YL", "name": "康宁医疗", "line": "health", "status": "on_sale"},
]


def article_line(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "article",
        "key": KEY,
        "title": TITLE,
        "summary": SUMMARY,
        "body": hq_body(),
        "category": "理赔/医疗",
        "products": ["KN-YL"],
        "channels": ["agent", "bot"],
        "status": "published",
    }
    return record | changes


@pytest.fixture
def empty_knowledge_base() -> None:
    """No branches either: import files here bring their own (the autouse tree is removed)."""
    branches_delete()


def branches_delete() -> None:
    for branch in Branch.objects.order_by("-path"):  # children before their parents
        branch.delete()


def _section(slug: str, mode: str, body: str) -> dict[str, Any]:
    return {slug: {"mode": mode, "body": body}}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            override_raw(article="KB-404404", sections=_section("办理材料", "replace", "甲")),
            "article: unknown article KB-404404",
        ),
        (override_raw("XZ", hidden=True), "branch: unknown branch XZ"),
        (override_raw("HQ", hidden=True), "branch: HQ is the head office; edit the article itself"),
        (
            override_raw(sections=_section("办理时间", "replace", "工作日 9:00-17:00")),
            "sections: 办理时间: no such section in HQ's article "
            "(known: _lead, 办理材料, 办理流程, 联系方式)",
        ),
        (
            override_raw(sections=_section("办理材料", "rewrite", "甲")),
            "sections: 办理材料: mode must be one of replace, prepend, append, hide",
        ),
        (
            override_raw(
                sections=_section("办理材料", "append", "补充说明\n\n## 广东专用材料\n\n- 社保卡")
            ),
            "sections: 办理材料: the text may not contain ## headings",
        ),
        (
            override_raw(sections=_section("联系方式", "append", "传真 {{ branch.fax }}")),
            "sections: 联系方式: line 1: unknown variable {{ branch.fax }}",
        ),
        (override_raw(hidden="yes"), "hidden: must be true, false or null"),
        (
            override_raw(sections=_section("办理材料", "replace", "")),
            "sections: 办理材料: text required for replace",
        ),
        (override_raw(colour="red"), "colour: unknown field"),
    ],
)
def test_every_invalid_override_record_is_reported_with_its_line_and_nothing_is_imported(
    tmp_path: Path, empty_knowledge_base: None, line: dict[str, Any], expected: str
) -> None:
    good = override_raw("SC", hidden=True)
    output = failed_import(jsonl(tmp_path, *TAXONOMY, article_line(), good, line))

    assert f"records.jsonl:{len(TAXONOMY) + 3}: {expected}" in output
    assert "nothing imported" in output
    assert not KnowledgeArticle.objects.exists()
    assert not BranchOverride.objects.exists()
    assert not Branch.objects.exists()


def test_an_override_of_an_article_hq_has_not_published_is_refused(
    tmp_path: Path, empty_knowledge_base: None
) -> None:
    output = failed_import(
        jsonl(tmp_path, *TAXONOMY, article_line(status="draft"), override_raw(hidden=True))
    )

    assert f"records.jsonl:{len(TAXONOMY) + 2}: article: HQ has not published" in output


def test_an_imported_override_is_live_for_the_branch(
    tmp_path: Path, empty_knowledge_base: None
) -> None:
    out, _ = run_import(
        jsonl(
            tmp_path,
            *TAXONOMY,
            article_line(),
            override_raw(sections=_section("办理材料", "replace", GD_MATERIALS)),
            override_raw("GD-SZ", hidden=True),
        )
    )

    assert "2 override created" in out
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    assert effective_article(KEY, branch="GD-SZ") is None
    assert text_of("SC", "办理材料") == HQ_MATERIALS_TEXT


def test_reimporting_the_same_override_makes_nothing(
    tmp_path: Path, article: KnowledgeArticle
) -> None:
    path = jsonl(
        tmp_path,
        override_raw(
            summary="广东客户可在粤省事提交理赔材料。",
            sections=_section("办理材料", "replace", GD_MATERIALS),
            note="广东医保要求",
        ),
    )
    run_import(path)
    revisions = Revision.objects.count()

    out, _ = run_import(path)

    assert "1 override unchanged" in out
    assert Revision.objects.count() == revisions
    assert BranchOverride.objects.get().revisions.count() == 1


def test_a_draft_override_line_leaves_the_live_override_untouched(
    tmp_path: Path, article: KnowledgeArticle
) -> None:
    run_import(
        jsonl(tmp_path, override_raw(sections=_section("办理材料", "replace", GD_MATERIALS)))
    )

    run_import(jsonl(tmp_path, override_raw(hidden=True, status="draft"), name="draft.jsonl"))

    override = BranchOverride.objects.get()
    assert override.live and override.has_unpublished_changes
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    assert override.get_latest_revision_as_object().visibility == "hidden"


def test_export_then_import_into_an_empty_knowledge_base_keeps_the_overrides(
    tmp_path: Path, empty_knowledge_base: None
) -> None:
    run_import(
        jsonl(
            tmp_path,
            *TAXONOMY,
            article_line(),
            override_raw(
                summary="广东客户可在粤省事提交理赔材料。",
                sections=_section("办理材料", "replace", GD_MATERIALS),
                note="广东医保要求",
            ),
            override_raw(
                "GD-SZ", hidden=False, sections=_section("联系方式", "append", "深圳专窗。")
            ),
            override_raw("SC", hidden=True),
            override_raw("SC", hidden=None, status="draft"),
        )
    )
    exported = tmp_path / "export.jsonl"
    call_command("kms_export", str(exported), stderr=io.StringIO())

    for page in KnowledgeArticle.objects.all():
        page.delete()
    branches_delete()
    Product.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    assert not BranchOverride.objects.exists()

    run_import(exported)
    again = tmp_path / "again.jsonl"
    call_command("kms_export", str(again), stderr=io.StringIO())

    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    overrides = [(r["branch"], r["status"]) for r in lines if r["type"] == "override"]
    assert sorted(overrides) == [
        ("GD", "published"),
        ("GD-SZ", "published"),
        ("SC", "draft"),
        ("SC", "published"),
    ]
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    assert effective_article(KEY, branch="SC") is None


# --- permissions -------------------------------------------------------------------------------


@pytest.fixture
def gd_editor(branches: dict[str, Branch]) -> Any:
    user = make_user("gd_editor", "li.ming@gd.example.com")
    BranchRole.objects.create(user=user, branch=branches["GD"], role="editor")
    return user


def editor_again(user: Any) -> Any:
    """The same account in a new request (branch scopes are cached on the user object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def gd_reviewer(branches: dict[str, Branch]) -> Any:
    user = make_user("gd_reviewer", "wang.fang@gd.example.com")
    BranchRole.objects.create(user=user, branch=branches["GD"], role="reviewer")
    return user


def test_a_branch_editor_drafts_their_own_branchs_override(
    article: KnowledgeArticle, gd_editor: Any
) -> None:
    override = replace_materials("GD", user=gd_editor, status="draft")

    assert not override.live
    assert override.latest_revision.user == gd_editor
    assert text_of("GD", "办理材料") != GD_MATERIALS_TEXT  # readers wait for the review


def test_a_branch_editor_may_not_publish_without_review(
    article: KnowledgeArticle, gd_editor: Any
) -> None:
    with pytest.raises(PermissionDenied, match="publish overrides of GD"):
        replace_materials("GD", user=gd_editor)

    assert not BranchOverride.objects.exists()
    assert_sees_hq_version("GD")


def test_the_branchs_reviewer_publishes_its_override(
    article: KnowledgeArticle, gd_reviewer: Any
) -> None:
    override = replace_materials("GD", user=gd_reviewer)

    assert override.live
    assert text_of("GD", "办理材料") == GD_MATERIALS_TEXT
    assert override.latest_revision.user == gd_reviewer


def test_a_branch_editor_may_not_edit_another_provinces_override(
    article: KnowledgeArticle, gd_editor: Any
) -> None:
    with pytest.raises(PermissionDenied):
        upsert("SC", user=gd_editor, hidden=True)

    assert not BranchOverride.objects.exists()
    assert_sees_hq_version("SC")


def test_a_branch_editor_may_not_rebase_another_provinces_override(
    article: KnowledgeArticle, gd_editor: Any
) -> None:
    sc_override = upsert("SC", sections={"办理流程": {"mode": "append", "body": "4. 四川回访"}})
    publish_hq(body=hq_body(process="1. 在线报案\n2. 审核结案"))
    sc_override.refresh_from_db()
    base = sc_override.based_on_id

    with pytest.raises(PermissionDenied):
        override_rebase(sc_override, actor=Actor.editor(gd_editor))

    sc_override.refresh_from_db()
    assert sc_override.based_on_id == base
    assert sc_override.stale_parts == ["办理流程"]


@pytest.mark.parametrize("cover_descendants", [True, False])
def test_a_province_editor_edits_its_cities_only_when_roles_cover_descendants(
    article: KnowledgeArticle, gd_editor: Any, cover_descendants: bool
) -> None:
    settings = KnowledgeBaseSettings.load()
    settings.branch_roles_cover_descendants = cover_descendants
    settings.save()
    editor = editor_again(gd_editor)

    if cover_descendants:
        draft = upsert("GD-SZ", user=editor, hidden=True, status="draft")
        assert draft.latest_revision.user == editor
    else:
        with pytest.raises(PermissionDenied):
            upsert("GD-SZ", user=editor, hidden=True, status="draft")
        assert not BranchOverride.objects.filter(branch__code="GD-SZ").exists()
    with pytest.raises(PermissionDenied):
        upsert("SC", user=editor, hidden=True, status="draft")


def test_an_unknown_branch_is_an_error_not_hqs_text_without_variables(
    article: KnowledgeArticle,
) -> None:
    with pytest.raises(LookupError, match="NOPE"):
        effective_article(article.key, branch="NOPE")
