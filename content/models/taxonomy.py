"""Branches, the category tree and products: what articles are classified and localised by.

Invariant: branch and category paths mirror their parents (``HQ/GD/GD-SZ``, ``理赔/医疗``),
and there is exactly one branch without a parent — the head office.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from content import limits
from content.fields import VariablesField
from content.resolution import merged_variables

BRANCH_CODE_RE = re.compile(r"\A[A-Z][A-Z0-9]*(-[A-Z0-9]+)*\Z")  # the whole code (no "\n" after)


class ProductLine(models.TextChoices):
    LIFE = "life", _("Life")
    HEALTH = "health", _("Health")
    ACCIDENT = "accident", _("Accident")
    ANNUITY = "annuity", _("Annuity")


class SaleStatus(models.TextChoices):
    ON_SALE = "on_sale", _("On sale")
    DISCONTINUED = "discontinued", _("Discontinued")


class TreePathModel(models.Model):
    """A node of a small tree that keeps its materialised ``path`` of parent keys.

    Subclasses name the field that forms a path segment in ``segment_field``.
    """

    segment_field: ClassVar[str]
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)

    class Meta:
        abstract = True
        ordering: ClassVar[list[str]] = ["path"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in type(self).objects.filter(parent=self):
                child.save()

    def clean(self) -> None:
        node = getattr(self, "parent", None)
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": _("A node cannot be inside itself.")})
            node = node.parent

    def compute_path(self) -> str:
        segment = getattr(self, self.segment_field)
        parent = getattr(self, "parent", None)
        return f"{parent.path}/{segment}" if parent else segment


def head_office_of(parents: Mapping[str, str | None]) -> str | None:
    """The head office among ``code -> parent code``: the one branch without a parent
    (None only before the first branch exists). The rule :meth:`Branch.is_head_office`
    and :meth:`BranchQuerySet.head_office` state for rows."""
    return next((code for code, parent in parents.items() if parent is None), None)


class BranchQuerySet(models.QuerySet):
    def head_office(self) -> Branch | None:
        """The one branch without a parent (None only before the first branch exists)."""
        return self.filter(parent__isnull=True).first()


class Branch(TreePathModel):
    """HQ, a province or a city; ``variables`` fill ``{{ branch.x }}`` placeholders."""

    segment_field = "code"
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(BRANCH_CODE_RE, _("Upper-case letters, digits and -."))],
        help_text=_("For example HQ, GD or GD-SZ."),
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    variables = VariablesField(
        _("variables"),
        default=dict,
        blank=True,
        help_text=_("One per line, as name = value, e.g. hotline = 020-12345678."),
    )

    objects = BranchQuerySet.as_manager()

    panels: ClassVar[list] = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("parent"),
        FieldPanel("variables"),
    ]

    class Meta(TreePathModel.Meta):
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_head_office(self) -> bool:
        return self.parent_id is None

    @classmethod
    def known_variable_names(cls) -> set[str]:
        """Every variable name some branch defines: what article text may refer to."""
        names: set[str] = set()
        for variables in cls.objects.values_list("variables", flat=True):
            names.update(variables or {})
        return names

    def clean(self) -> None:
        super().clean()
        if self.is_head_office:
            head_office = Branch.objects.head_office()
            if head_office is not None and head_office.pk != self.pk:
                raise ValidationError({"parent": _("Only the head office has no parent branch.")})


@dataclass(frozen=True)
class BranchTree:
    """Every branch's parent and variables, for walking root-to-branch chains."""

    parents: dict[str, str | None]
    variables: dict[str, dict[str, str]]

    @classmethod
    def load(cls) -> BranchTree:
        rows = Branch.objects.values_list("code", "parent__code", "variables")
        return cls(
            parents={code: parent for code, parent, _ in rows},
            variables={code: dict(variables or {}) for code, _, variables in rows},
        )

    @property
    def root(self) -> str | None:
        return head_office_of(self.parents)

    @property
    def codes(self) -> list[str]:
        return sorted(self.parents)

    def chain(self, code: str) -> list[str]:
        """Codes from the head office down to `code`; LookupError for an unknown code."""
        if code not in self.parents:
            raise LookupError(f"no branch {code}")
        chain: list[str] = []
        node: str | None = code
        while node is not None and node not in chain:
            chain.append(node)
            node = self.parents.get(node)
        return chain[::-1]

    def subtree(self, code: str) -> list[str]:
        """`code` and every branch below it, sorted; the one descendants function."""
        children: dict[str | None, list[str]] = {}
        for child, parent in self.parents.items():
            children.setdefault(parent, []).append(child)
        found, todo = [], [code]
        while todo:
            node = todo.pop()
            if node not in found:
                found.append(node)
                todo.extend(children.get(node, ()))
        return sorted(found)

    def covering(self, codes: Iterable[str]) -> set[str]:
        """`codes` and every branch below them; codes of no branch cover nothing."""
        return {below for code in codes if code in self.parents for below in self.subtree(code)}

    def variables_of(self, code: str) -> dict[str, str]:
        """The variables a reader in `code` sees: the nearest branch defining a name wins."""
        return merged_variables([self.variables.get(node, {}) for node in self.chain(code)])


class Category(TreePathModel):
    """The business taxonomy (咨询, 理赔/医疗 …); ``path`` is the import/export identity."""

    segment_field = "segment"
    segment = models.CharField(
        _("path segment"),
        max_length=limits.CATEGORY_SEGMENT_MAX_LENGTH,
        validators=[
            RegexValidator(
                limits.CATEGORY_SEGMENT_RE,
                _("A path segment has no / and no line break, and no space at either end."),
            )
        ],
        help_text=_("This category's part of the path, e.g. 医疗 in 理赔/医疗."),
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    panels: ClassVar[list] = [FieldPanel("segment"), FieldPanel("name"), FieldPanel("parent")]

    class Meta(TreePathModel.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.path or self.name


class Product(models.Model):
    code = models.CharField(
        _("code"),
        max_length=limits.PRODUCT_CODE_MAX_LENGTH,
        unique=True,
        validators=[RegexValidator(limits.PRODUCT_CODE_RE, _("Upper-case letters, digits and -."))],
    )
    name = models.CharField(_("name"), max_length=200)
    line = models.CharField(_("product line"), max_length=16, choices=ProductLine.choices)
    status = models.CharField(
        _("sale status"), max_length=16, choices=SaleStatus.choices, default=SaleStatus.ON_SALE
    )

    panels: ClassVar[list] = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("line"),
        FieldPanel("status"),
    ]

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering: ClassVar[list[str]] = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
