"""Knowledge articles: Wagtail pages, so drafts, revisions, workflow and audit come free.

Invariants:
* every article has a unique, stable external ``key`` (``KB-000123`` when none is given)
  and its page slug is that key lower-cased, so URLs never depend on the title;
* a body that fails :func:`content.markdown.validate` (unknown ``{{ branch.x }}``, unknown
  embeds, broken section structure) never saves: the editor sees field errors instead.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.models import Page
from wagtail.search import index

from content import limits, markdown
from content.fields import ChoiceListField
from content.forms import ArticleCopyForm
from content.models.publishing import AtomicPublishing
from content.models.taxonomy import Branch, Category, Product
from content.panels import BranchVariantsPanel

# Far above any real answer (median ~800 characters); keeps parsing time bounded.
BODY_MAX_LENGTH = 50_000
KEY_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,31}\Z")  # the whole key (no "\n" after)


class Channel(models.TextChoices):
    AGENT = "agent", _("Agent desktop")
    COUNTER = "counter", _("Service counter")
    BOT = "bot", _("Chatbot")
    APP = "app", _("Mobile app")
    SMS = "sms", _("SMS")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


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


class ArticlePosition(models.Model):
    """Hands out tree positions for new articles without locking the knowledge index.

    Treebeard would place a new page after the parent's last committed child, under a
    lock on the parent row: two transactions creating articles at once then pick the same
    position (the second fails), and a long import would keep every editor from creating
    an article until it commits. Numbers handed out by an insert are unique across
    concurrent transactions on every database and are never taken back, so positions are
    unique without any lock; a rolled-back transaction leaves a gap, which is harmless.
    """

    class Meta:
        verbose_name = _("article position")

    def __str__(self) -> str:
        return f"position {self.pk}"

    @classmethod
    def take(cls, count: int) -> list[int]:
        """`count` fresh positions, ascending."""
        if connection.vendor == "postgresql":  # straight from the table's sequence
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [cls._meta.db_table, count],
                )
                positions = sorted(position for (position,) in cursor.fetchall())
        else:
            rows = cls.objects.bulk_create([cls() for _ in range(count)])
            positions = sorted(row.pk for row in rows)
            cls.objects.filter(pk__in=positions).delete()
        capacity = len(Page.alphabet) ** Page.steplen - 1
        if positions and positions[-1] > capacity:
            raise OverflowError(
                f"no tree position left for new articles (at most {capacity:,}); "
                "renumber the page tree with `manage.py fixtree --full`"
            )
        return positions


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


class KnowledgeArticle(AtomicPublishing, Page):
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
        max_length=limits.SUMMARY_MAX_LENGTH,
        help_text=_("The short answer that bots and SMS send."),
    )
    body = models.TextField(
        _("body"),
        blank=True,
        max_length=BODY_MAX_LENGTH,
        help_text=_(
            "Markdown. ## headings start sections. {{ branch.hotline }} is filled from the "
            "reader's branch. Embed ![image](image:ID) and [form](document:ID)."
        ),
    )
    similar_questions = models.TextField(
        _("similar questions"),
        blank=True,
        max_length=limits.QUESTIONS_TEXT_MAX_LENGTH,
        validators=[limits.validate_questions],
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
    copy_form_class = ArticleCopyForm  # copies only: an alias would share the key

    content_panels: ClassVar[list] = [
        FieldPanel(
            "title",
            heading=_("Standard question"),
            help_text=_("The question in its standard wording, as agents and bots show it."),
        ),
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
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(Page.settings_panels, heading=_("Settings"), classname="settings"),
            ObjectList(
                [BranchVariantsPanel(heading=_("Branch variants"))], heading=_("Branch variants")
            ),
        ]
    )

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
        if self._state.adding and self.path and self.depth > 1:
            # Keep the parent treebeard chose, take a position nobody else can take.
            parent_path = self.path[: -self.steplen]
            self.path = self._get_path(parent_path, self.depth, ArticlePosition.take(1)[0])
        super().save(*args, **kwargs)

    def get_descendants(self, inclusive: bool = False) -> Any:
        # Articles are leaves (no subpage types). Wagtail asks each listed article's
        # descendants whether any is live (may this editor delete or move it?); as a path
        # prefix that is a LIKE, which SQLite answers by reading every page: 9 ms a row
        # at 50,000 articles, twice for each of the listing's 50 rows.
        if self.numchild:
            return super().get_descendants(inclusive)
        return Page.objects.filter(pk=self.pk) if inclusive else Page.objects.none()

    def get_admin_display_title(self) -> str:
        # The page chooser sets readers_title for branch users (content.admin.choosers):
        # they see the live title, never HQ's draft of the next one.
        return getattr(self, "readers_title", None) or super().get_admin_display_title()

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
        if self.pk is not None:
            stored = KnowledgeArticle.objects.filter(pk=self.pk).values_list("key", flat=True)
            if stored.first() not in (None, self.key):
                # readers, overrides, caches and the change log all know it by its key
                errors["key"] = [_("An article's key never changes once it exists.")]
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
        hq = Branch.objects.head_office()
        variables = hq.variables if hq else None
        context["rendered"] = markdown.render(
            self.body, variables=variables, embeds=WagtailEmbeds()
        )
        context["rendered_summary"] = markdown.render(self.summary, variables=variables).text
        return context
