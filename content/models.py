"""The content model: branches, taxonomy, products and knowledge articles.

Invariants kept here:
* every article has a unique, stable external ``key`` (``KB-000123`` when none is given)
  and its page slug is that key lower-cased, so URLs never depend on the title;
* a body that fails :func:`content.markdown.validate` (unknown ``{{ branch.x }}``, unknown
  embeds, broken section structure) never saves: the editor sees field errors instead;
* branch and category paths mirror their parents (``HQ/GD/GD-SZ``, ``理赔/医疗``).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

from content import markdown
from content.fields import ChoiceListField, VariablesField

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
BRANCH_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")


class Channel(models.TextChoices):
    AGENT = "agent", _("Agent desktop")
    COUNTER = "counter", _("Service counter")
    BOT = "bot", _("Chatbot")
    APP = "app", _("Mobile app")
    SMS = "sms", _("SMS")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


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

    @classmethod
    def known_variable_names(cls) -> set[str]:
        """Every variable name some branch defines: what article text may refer to."""
        names: set[str] = set()
        for variables in cls.objects.values_list("variables", flat=True):
            names.update(variables or {})
        return names

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            roots = Branch.objects.filter(parent__isnull=True).exclude(pk=self.pk)
            if roots.exists():
                raise ValidationError({"parent": _("Only the head office has no parent branch.")})


class Category(TreePathModel):
    """The business taxonomy (咨询, 理赔/医疗 …); ``path`` is the import/export identity."""

    segment_field = "segment"
    segment = models.CharField(
        _("path segment"),
        max_length=60,
        validators=[RegexValidator(r"^[^/]+$", _("A path segment cannot contain /."))],
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
    code = models.CharField(_("code"), max_length=40, unique=True)
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


class ArticleKeySequence(models.Model):
    """Hands out numbers for ``KB-000123`` keys; an insert is concurrency-safe everywhere."""

    class Meta:
        verbose_name = _("article key sequence")

    def __str__(self) -> str:
        return f"KB-{self.pk:06d}"

    @classmethod
    def next_key(cls) -> str:
        while True:
            key = f"KB-{cls.objects.create().pk:06d}"
            if not KnowledgeArticle.objects.filter(key=key).exists():
                return key


class KnowledgeIndexPage(Page):
    """The one page under which every knowledge article lives."""

    max_count = 1
    subpage_types: ClassVar[list[str]] = ["content.KnowledgeArticle"]

    class Meta:
        verbose_name = _("knowledge base")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise Http404  # headless: readers use the API


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.KnowledgeArticle", on_delete=models.CASCADE, related_name="tagged_items"
    )


class KnowledgeArticle(Page):
    """One standard question and its answer; Wagtail gives drafts, revisions and workflow."""

    key = models.CharField(
        _("key"),
        max_length=32,
        unique=True,
        blank=True,
        validators=[RegexValidator(KEY_RE, _("Letters, digits, and . _ - only."))],
        help_text=_("Stable external id, e.g. KB-004211. Left empty, one is assigned."),
    )
    summary = models.TextField(
        _("summary"),
        max_length=500,
        help_text=_("The short answer that bots and SMS send."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Markdown. ## headings start sections. {{ branch.hotline }} is filled from the "
            "reader's branch. Embed ![image](image:ID) and [form](document:ID)."
        ),
    )
    similar_questions = models.TextField(
        _("similar questions"),
        blank=True,
        help_text=_("Other ways customers ask this question, one per line."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    products = ParentalManyToManyField(
        Product, verbose_name=_("products"), blank=True, related_name="articles"
    )
    tags = ClusterTaggableManager(verbose_name=_("tags"), through=ArticleTag, blank=True)
    channels = ChoiceListField(
        _("channels"),
        choices=Channel.choices,
        default=Channel.values,
        help_text=_("Where this article may be shown."),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)

    parent_page_types: ClassVar[list[str]] = ["content.KnowledgeIndexPage"]
    subpage_types: ClassVar[list[str]] = []
    exclude_fields_in_copy: ClassVar[list[str]] = ["key"]

    content_panels: ClassVar[list] = [
        FieldPanel("title", heading=_("Standard question")),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("similar_questions"),
        MultiFieldPanel(
            [
                FieldPanel("key"),
                FieldPanel("category"),
                FieldPanel("products"),
                FieldPanel("tags"),
            ],
            heading=_("Classification"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("channels"),
                FieldPanel("audience"),
                FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_to")]),
                FieldPanel("review_due"),
            ],
            heading=_("Distribution"),
        ),
    ]
    promote_panels: ClassVar[list] = []

    search_fields: ClassVar[list] = [
        *Page.search_fields,
        index.SearchField("key"),
        index.SearchField("summary"),
        index.SearchField("similar_questions"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("audience"),
    ]

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def __str__(self) -> str:
        return f"{self.key} {self.title}" if self.key else self.title

    @property
    def questions(self) -> list[str]:
        return [q.strip() for q in self.similar_questions.splitlines() if q.strip()]

    @cached_property
    def tag_names(self) -> list[str]:
        return sorted(tag.name for tag in self.tags.all())

    def ensure_identity(self) -> None:
        """Give a new article its key, and make the slug follow the key."""
        if not self.key:
            self.key = ArticleKeySequence.next_key()
        self.slug = self.key.lower()

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        self.ensure_identity()
        super().full_clean(*args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.ensure_identity()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        from content.embeds import WagtailEmbeds  # the media libraries load lazily

        known = Branch.known_variable_names()
        errors: dict[str, list[str]] = {}
        for field in ("body", "summary"):
            problems = markdown.validate(
                getattr(self, field) or "", known_variables=known, embeds=WagtailEmbeds()
            )
            if problems:
                errors[field] = [str(problem) for problem in problems]
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = [_("Must not be before the effective-from date.")]
        if errors:
            raise ValidationError(errors)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise Http404  # headless: readers use the API; editors use preview

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        return super().serve(request)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from content.embeds import WagtailEmbeds

        context = super().get_context(request, *args, **kwargs)
        hq = Branch.objects.filter(parent__isnull=True).first()
        variables = hq.variables if hq else None
        context["rendered"] = markdown.render(
            self.body, variables=variables, embeds=WagtailEmbeds()
        )
        context["rendered_summary"] = markdown.render(self.summary, variables=variables).text
        return context
