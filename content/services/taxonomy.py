"""Taxonomy writes: categories and products (branches: content.services.branches).

Every upsert is idempotent and checks the acting user's model permissions.
"""

from __future__ import annotations

from content.actors import Actor, require_model
from content.models import Category, Product
from content.records import Record
from content.services.outcome import Outcome
from content.services.transactions import content_transaction


def category_ensure(path: str, name: str | None = None) -> Category:
    """The category at `path`, creating it and any missing ancestors."""
    parent: Category | None = None
    segments = path.split("/")
    for depth, segment in enumerate(segments, start=1):
        here = "/".join(segments[:depth])
        category = Category.objects.filter(path=here).first()
        label = name if depth == len(segments) and name else None
        if category is None:
            category = Category(segment=segment, name=label or segment, parent=parent)
            category.save()
        elif label and category.name != label:
            category.name = label
            category.save(update_fields=["name"])
        parent = category
    assert parent is not None  # noqa: S101  (a validated path has at least one segment)
    return parent


@content_transaction
def category_upsert(record: Record, *, actor: Actor) -> Outcome:
    existed = Category.objects.filter(path=record["path"]).exists()
    require_model(actor, "content.change_category" if existed else "content.add_category")
    before = Category.objects.filter(path=record["path"]).values_list("name", flat=True).first()
    category_ensure(record["path"], record["name"])
    if not existed:
        return Outcome.CREATED
    return Outcome.UNCHANGED if before == record["name"] else Outcome.UPDATED


@content_transaction
def product_upsert(record: Record, *, actor: Actor) -> Outcome:
    values = {name: record[name] for name in ("name", "line", "status")}
    exists = Product.objects.filter(code=record["code"]).exists()
    require_model(actor, "content.change_product" if exists else "content.add_product")
    product, created = Product.objects.get_or_create(code=record["code"], defaults=values)
    if created:
        return Outcome.CREATED
    if all(getattr(product, name) == value for name, value in values.items()):
        return Outcome.UNCHANGED
    Product.objects.filter(pk=product.pk).update(**values)
    return Outcome.UPDATED
