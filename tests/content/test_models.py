"""The content model: identity, trees, channels, validation and embedded media."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import PageLogEntry

from content import markdown
from content.embeds import WagtailEmbeds
from content.models import Branch, Category, KnowledgeArticle
from content.services import category_ensure
from tests.factories import BranchFactory, make_article

pytestmark = pytest.mark.django_db


def test_new_articles_get_sequential_keys_and_the_slug_follows_the_key() -> None:
    first = make_article(key="KB-000001")
    BranchFactory(code="HQ")
    hq_index = first.get_parent()
    second = KnowledgeArticle(
        title="如何补发保单？", summary="可申请补发纸质保单。", category=first.category
    )
    hq_index.add_child(instance=second)

    assert second.key.startswith("KB-") and second.key != first.key
    assert second.slug == second.key.lower()
    assert first.slug == "kb-000001"


def test_a_copied_article_gets_a_key_of_its_own() -> None:
    article = make_article(key="KB-000010")

    copy = article.copy(update_attrs={"slug": "copy-of-kb"}, keep_live=False)

    assert copy.specific.key != "KB-000010"
    assert copy.specific.key.startswith("KB-")


def test_channels_keep_their_declared_order_and_filter_portably() -> None:
    make_article(key="KB-1", channels=["sms", "agent"])
    make_article(key="KB-2", channels=["bot"])

    article = KnowledgeArticle.objects.get(key="KB-1")
    assert article.channels == ["agent", "sms"]
    assert list(
        KnowledgeArticle.objects.filter(channels__contains=",sms,").values_list("key", flat=True)
    ) == ["KB-1"]
    revision_copy = article.get_latest_revision_as_object()
    assert revision_copy.channels == ["agent", "sms"]


def test_renaming_a_category_segment_moves_its_children() -> None:
    child = category_ensure("理赔/医疗")
    parent = child.parent
    parent.segment = "赔付"
    parent.save()

    child.refresh_from_db()
    assert child.path == "赔付/医疗"
    assert str(Category.objects.get(pk=parent.pk)) == "赔付"


def test_a_branch_cannot_become_its_own_ancestor_and_there_is_one_head_office() -> None:
    hq = BranchFactory(code="HQ", parent=None)
    gd = BranchFactory(code="GD", parent=hq)
    sz = BranchFactory(code="GD-SZ", parent=gd)
    assert sz.path == "HQ/GD/GD-SZ"

    gd.parent = sz
    with pytest.raises(ValidationError) as cycle:
        gd.full_clean()
    with pytest.raises(ValidationError) as second_root:
        Branch(code="SC", name="四川", parent=None).full_clean()

    assert cycle.value.message_dict["parent"] == ["不能把节点放到它自己下面。"]
    assert second_root.value.message_dict["parent"] == ["只有总公司没有上级机构。"]


def test_known_variable_names_are_the_union_of_every_branch() -> None:
    hq = BranchFactory(code="HQ", parent=None, variables={"hotline": "95500"})
    BranchFactory(code="GD", parent=hq, variables={"address": "广州"})

    assert Branch.known_variable_names() == {"hotline", "address"}


def test_an_article_with_a_broken_body_does_not_validate() -> None:
    article = make_article(key="KB-000020")
    article.body = "## 材料\n\n请致电 {{ branch.fax }}\n\n## 材料\n"
    article.effective_from, article.effective_to = dt.date(2026, 1, 2), dt.date(2026, 1, 1)

    with pytest.raises(ValidationError) as raised:
        article.full_clean()

    errors = raised.value.message_dict
    assert any("unknown variable {{ branch.fax }}" in e for e in errors["body"])
    assert any("duplicate section heading" in e for e in errors["body"])
    assert errors["effective_to"]


def _png() -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return ImageFile(buffer, name="form.png")


def test_images_and_documents_from_the_libraries_render_with_their_urls() -> None:
    image = get_image_model().objects.create(title="理赔申请书样张", file=_png())
    document = get_document_model().objects.create(
        title="理赔申请书", file=ContentFile(b"%PDF-1.4", name="claim.pdf")
    )
    body = f"## 材料\n\n![样张](image:{image.pk})\n\n[下载申请书](document:{document.pk})\n"
    make_article(key="KB-000030", body=body)

    rendered = markdown.render(body, embeds=WagtailEmbeds())

    assert f'src="{image.get_rendition("max-1200x1200").url}"' in rendered.html
    assert f'href="{document.url}"' in rendered.html
    assert markdown.validate(
        f"![x](image:{image.pk + 100})", known_variables=set(), embeds=WagtailEmbeds()
    )


def test_imports_are_in_the_audit_log() -> None:
    article = make_article(key="KB-000040")
    make_article(key="KB-000040", summary="改过的简答。")

    actions = list(
        PageLogEntry.objects.filter(page=article)
        .order_by("timestamp")
        .values_list("action", flat=True)
    )
    assert actions.count("wagtail.publish") == 2
    assert "wagtail.create" in actions and "wagtail.edit" in actions
