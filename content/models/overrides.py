"""Branch overrides: a branch's localisation of one HQ article, without copying it.

Invariants:
* at most one override per (article, branch);
* an override stores only what differs — hide/show, a replacement summary, and operations
  on individual body sections keyed by the HQ section slug — so every HQ edit to anything
  it does not touch reaches the branch unchanged;
* ``based_on`` is the HQ revision the branch last reviewed; staleness is judged against it
  and is kept outside the override's revisions (``serialize=False``) so reverting a
  revision never resurrects an old staleness verdict.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from content import limits
from content.models.articles import KnowledgeArticle
from content.models.publishing import AtomicPublishing
from content.models.taxonomy import Branch
from content.vocabulary import SectionMode, Visibility


class BranchOverride(
    AtomicPublishing,
    PreviewableMixin,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    ClusterableModel,
):
    article = models.ForeignKey(
        KnowledgeArticle,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="overrides",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="overrides"
    )
    based_on = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("based on HQ revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.INHERIT
    )
    summary = models.TextField(
        _("summary"),
        max_length=limits.SUMMARY_MAX_LENGTH,
        blank=True,
        help_text=_("Leave empty to keep HQ's summary."),
    )
    note = models.TextField(
        _("branch note"),
        blank=True,
        max_length=limits.NOTE_MAX_LENGTH,
        help_text=_("Why this branch differs; shown to editors."),
    )
    # Derived from HQ's live revision; recomputed on every HQ publish and override change.
    stale_parts = models.JSONField(_("stale parts"), default=list, blank=True, serialize=False)
    orphaned_sections = models.JSONField(
        _("orphaned sections"), default=list, blank=True, serialize=False
    )

    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="branch_override",
        for_concrete_model=False,
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="branch_override",
        for_concrete_model=False,
    )

    panels: ClassVar[list] = [
        MultiFieldPanel(
            [FieldPanel("article"), FieldPanel("branch")], heading=_("Article and branch")
        ),
        FieldPanel("visibility"),
        FieldPanel("summary"),
        InlinePanel("sections", heading=_("Section changes"), label=_("Section change")),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("branch override")
        verbose_name_plural = _("branch overrides")
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["article", "branch"], name="one_override_per_branch")
        ]
        indexes: ClassVar[list] = [models.Index(fields=["branch", "live"])]

    def __str__(self) -> str:
        return f"{self.article.key} @ {self.branch.code}"

    @property
    def stale(self) -> bool:
        return bool(self.stale_parts or self.orphaned_sections)

    def operations(self) -> dict[str, dict[str, str]]:
        """``slug -> {"mode", "body"}`` for every section this override touches, in order."""
        return {s.slug: {"mode": s.mode, "body": s.body} for s in self.sections.all()}

    def get_preview_template(self, request: Any, mode_name: str) -> str:
        return "content/effective_article.html"

    def get_preview_context(self, request: Any, mode_name: str) -> dict[str, Any]:
        # The template computes the effective article (content.templatetags.kms_preview).
        return {"override": self}


class OverrideSection(Orderable):
    """One operation on one HQ body section, addressed by the section's slug."""

    override = ParentalKey(BranchOverride, on_delete=models.CASCADE, related_name="sections")
    slug = models.CharField(
        _("section"),
        max_length=limits.SECTION_SLUG_MAX_LENGTH,
        validators=[RegexValidator(limits.SECTION_SLUG_RE, _("A section key, like 办理材料."))],
        help_text=_(
            "The HQ section's key: its ## heading text, e.g. 办理材料; _lead for the intro."
        ),
    )
    mode = models.CharField(
        _("change"), max_length=8, choices=SectionMode.choices, default=SectionMode.REPLACE
    )
    body = models.TextField(
        _("text"),
        blank=True,
        max_length=limits.SECTION_BODY_MAX_LENGTH,
        help_text=_("Markdown, without ## headings."),
    )

    panels: ClassVar[list] = [FieldPanel("slug"), FieldPanel("mode"), FieldPanel("body")]

    class Meta(Orderable.Meta):
        verbose_name = _("section change")
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["override", "slug"], name="one_change_per_section")
        ]

    def __str__(self) -> str:
        return f"{self.slug}: {self.mode}"
