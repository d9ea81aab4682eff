"""Editors meet the limits kms_import enforces (content.limits), as admin form errors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.utils.translation import gettext
from wagtail.admin.panels import get_edit_handler

from content.models import Branch, BranchOverride, KnowledgeArticle, OverrideSection, Product
from tests.content.test_admin import HQ_EDITORS, add_url
from tests.factories import BranchFactory, article_form

pytestmark = pytest.mark.django_db


def form_errors(model: type[models.Model], data: dict[str, object]) -> dict[str, list[str]]:
    """The errors the model's admin edit form shows for `data`."""
    form = get_edit_handler(model).get_form_class()(data, instance=model())
    form.is_valid()
    return form.errors


@pytest.fixture
def hq() -> Branch:
    return BranchFactory(code="HQ", name="总公司", parent=None, variables={"hotline": "95500"})


def test_a_product_code_has_the_import_format() -> None:
    data = {"name": "康宁医疗", "line": "health", "status": "on_sale"}

    assert "code" in form_errors(Product, {**data, "code": "kn yl"})
    assert "code" not in form_errors(Product, {**data, "code": "KN-YL-2024"})


@pytest.mark.parametrize(
    "variables",
    [
        "hotline = " + "9" * 501,
        "\n".join(f"v{n} = 1" for n in range(51)),
        f"{'a' * 41} = 1",
        "fax = 0\x0020",
    ],
    ids=["long value", "too many", "long name", "NUL"],
)
def test_branch_variables_have_the_import_limits(hq: Branch, variables: str) -> None:
    data = {"code": "SC", "name": "四川分公司", "parent": hq.pk}

    assert "variables" in form_errors(Branch, {**data, "variables": variables})
    assert "variables" not in form_errors(Branch, {**data, "variables": "hotline = 028-1"})


@pytest.mark.parametrize(
    ("questions", "message", "values"),
    [
        (
            "\n".join(f"问题{n}" for n in range(51)),
            "At most %(max)d similar questions (got %(count)d).",
            {"max": 50, "count": 51},
        ),
        (
            "改手机号\n" + "长" * 201,
            "At most %(max)d characters a question: %(start)s…",
            {"max": 200, "start": "长" * 20},
        ),
    ],
)
def test_similar_questions_have_the_import_limits(
    hq: Branch, questions: str, message: str, values: dict
) -> None:
    client = Client()
    user = User.objects.create_user("editor", "editor@example.com", "pw")
    user.groups.add(Group.objects.get(name=HQ_EDITORS))
    client.force_login(user)

    response = client.post(
        add_url(), article_form(similar_questions=questions, **{"action-submit": "1"})
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["similar_questions"])
    assert gettext(message) % values in errors
    assert not KnowledgeArticle.objects.exists()


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [(BranchOverride, "note", 2_000), (OverrideSection, "body", 10_000)],
)
def test_override_texts_have_the_import_limits(
    model: type[models.Model], field: str, limit: int
) -> None:
    form_field = model._meta.get_field(field).formfield()

    assert form_field.clean("长" * limit) == "长" * limit
    with pytest.raises(ValidationError):
        form_field.clean("长" * (limit + 1))
