"""Taxonomy writes: categories, branches and products. Every upsert is idempotent."""

from __future__ import annotations

from content.models import Branch, Category, Product
from content.records import Record
from content.services.outcome import Outcome


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


def category_upsert(record: Record) -> Outcome:
    existed = Category.objects.filter(path=record["path"]).exists()
    before = Category.objects.filter(path=record["path"]).values_list("name", flat=True).first()
    category_ensure(record["path"], record["name"])
    if not existed:
        return Outcome.CREATED
    return Outcome.UNCHANGED if before == record["name"] else Outcome.UPDATED


def branch_upsert(record: Record) -> Outcome:
    parent = Branch.objects.get(code=record["parent"]) if record["parent"] else None
    values = {"name": record["name"], "parent": parent, "variables": record["variables"]}
    branch = Branch.objects.filter(code=record["code"]).first()
    if branch is None:
        Branch(code=record["code"], **values).save()
        return Outcome.CREATED
    if all(getattr(branch, name) == value for name, value in values.items()):
        return Outcome.UNCHANGED
    for name, value in values.items():
        setattr(branch, name, value)
    branch.save()
    return Outcome.UPDATED


def product_upsert(record: Record) -> Outcome:
    values = {name: record[name] for name in ("name", "line", "status")}
    product, created = Product.objects.get_or_create(code=record["code"], defaults=values)
    if created:
        return Outcome.CREATED
    if all(getattr(product, name) == value for name, value in values.items()):
        return Outcome.UNCHANGED
    Product.objects.filter(pk=product.pk).update(**values)
    return Outcome.UPDATED
