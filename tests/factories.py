"""Factories for test data. Articles are made through the import service, as in real use."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from content import services
from content.actors import Actor
from content.models import Branch, BranchOverride, KnowledgeArticle, Product
from content.records import Catalog, validate_record

#: The operator: a system context, as `kms_import` at the shell.
OPERATOR = Actor.system_context("tests")

HQ_VARIABLES = {
    "hotline": "95500",
    "service_hours": "8:00-20:00",
    "address": "北京市西城区金融大街1号",
}


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code}分公司")
    variables = factory.LazyFunction(dict)


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"康宁产品{o.code}")
    line = "life"
    status = "on_sale"


def article_record(**overrides: Any) -> dict[str, Any]:
    """A raw article record (as on a kms_import line) with realistic defaults."""
    record: dict[str, Any] = {
        "type": "article",
        "key": "KB-100001",
        "title": "申请医疗险理赔需要准备哪些材料？",
        "summary": "准备理赔申请书、身份证件、病历和发票，可在App或柜面提交。",
        "body": (
            "适用于住院医疗和门诊医疗理赔。\n\n"
            "## 办理材料\n\n- 理赔申请书\n- 被保险人身份证件\n- 病历及费用发票\n\n"
            "## 办理流程\n\n1. 报案\n2. 提交材料\n3. 审核结案\n\n"
            "## 联系方式\n\n请致电 {{ branch.hotline }}。\n"
        ),
        "questions": ["医疗理赔要带什么资料", "住院报销需要什么材料"],
        "category": "理赔/医疗",
        "products": [],
        "tags": ["理赔材料"],
        "channels": ["agent", "bot"],
        "audience": "public",
        "effective_from": "2025-01-01",
        "effective_to": None,
        "review_due": "2027-06-30",
        "status": "published",
    }
    record.update(overrides)
    return record


def make_article(**overrides: Any) -> KnowledgeArticle:
    """Create (or update) an article through the import service and return it."""
    BranchFactory(code="HQ", name="总公司", parent=None, variables=HQ_VARIABLES)
    record, problems = validate_record(1, article_record(**overrides), Catalog.from_database())
    assert not problems, problems
    services.article_upsert(record, actor=OPERATOR)
    return KnowledgeArticle.objects.get(key=record["key"])


def make_override(article: str, branch: str, **fields: Any) -> BranchOverride:
    """Create (or update) a branch's override through the import service, as the operator.

    `fields` are record fields (``sections``, ``summary``, ``hidden``, ``status``…).
    """
    raw = {"type": "override", "article": article, "branch": branch, **fields}
    record, problems = validate_record(1, raw, Catalog.from_database())
    assert not problems, problems
    services.override_upsert(record, actor=OPERATOR)
    return BranchOverride.objects.get(article__key=article, branch__code=branch)


def article_form(**overrides: object) -> dict[str, object]:
    """What an editor posts in the admin's article form, with `overrides`."""
    data: dict[str, object] = {
        "title": "如何变更保单联系电话？",
        "summary": "可通过App、柜面或致电 {{ branch.hotline }} 变更。",
        "body": "## 办理方式\n\n- App自助变更\n- 柜面办理\n",
        "similar_questions": "改手机号\n换联系电话",
        "category": services.category_ensure("保全/变更").pk,
        "tags": "联系方式, 保全",
        "channels": ["agent", "bot"],
        "audience": "public",
        "key": "",
    }
    data.update(overrides)
    return data
