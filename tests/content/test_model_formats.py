"""The model fields editors fill in hold the same formats as the import: the whole value
matches, so a trailing newline never makes a second key, code or name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from content.models import Branch, Category, KnowledgeArticle, OverrideSection, Product


def refused(model: type, field: str, value: object) -> bool:
    try:
        model._meta.get_field(field).clean(value, None)
    except ValidationError:
        return True
    return False


@pytest.mark.parametrize(
    ("model", "field", "good", "bad"),
    [
        (KnowledgeArticle, "key", ["KB-000051", "a.b_c-1"], ["KB-000051\n", "KB 1", "\nKB-1"]),
        (Branch, "code", ["SC", "GD-SZ"], ["SC\n", "sc", "GD-"]),
        (Product, "code", ["KN-YL-2023", "2023"], ["KN-YL-2023\n", "kn-yl"]),
        (
            Category,
            "segment",
            ["医疗", "Step 1"],
            ["医疗\n", "医\n疗", " 医疗", "医疗 ", "理赔/医疗"],
        ),
        (OverrideSection, "slug", ["办理材料", "_lead", "step-1-2"], ["办理材料\n", "办理 材料"]),
    ],
)
def test_a_format_is_the_whole_value(
    model: type, field: str, good: list[str], bad: list[str]
) -> None:
    assert [value for value in good if refused(model, field, value)] == []
    assert [value for value in bad if not refused(model, field, value)] == []


def test_a_variable_name_is_the_whole_name() -> None:
    field = Branch._meta.get_field("variables")

    field.clean({"hotline": "96000"}, None)
    with pytest.raises(ValidationError, match="hotline"):
        field.clean({"hotline\n": "96000"}, None)
