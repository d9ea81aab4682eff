"""Releases: named bundles of article and override revisions that go live together.

Invariants:
* applying a release publishes every item's pinned revision in one transaction — all
  or nothing — and every resulting change event carries the release;
* an applied release remembers, per item, what was live before it, so a rollback
  restores exactly that (or unpublishes what was not live) as one transaction too.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from content.models.articles import KnowledgeArticle
from content.models.overrides import BranchOverride


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    APPLIED = "applied", _("Applied")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class Release(ClusterableModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    scheduled_at = models.DateTimeField(
        _("go live at"),
        null=True,
        blank=True,
        help_text=_("Leave empty and use “Apply now”, or set a time to schedule it."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReleaseStatus.choices,
        default=ReleaseStatus.DRAFT,
        editable=False,
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )

    # Who scheduled it: the scheduler applies it with this user's permissions, checked
    # again at go-live for every item (items may have changed since).
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )

    unscheduled_because = models.TextField(_("why it was unscheduled"), blank=True, editable=False)

    panels: ClassVar[list] = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("scheduled_at"),
        InlinePanel("items", heading=_("Contents"), label=_("Item")),
    ]

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering: ClassVar[list[str]] = ["-pk"]

    def __str__(self) -> str:
        return self.name


class ReleaseItem(Orderable):
    """One article or override, pinned to the revision the release will publish."""

    release = ParentalKey(Release, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        KnowledgeArticle,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    override = models.ForeignKey(
        BranchOverride,
        verbose_name=_("branch override"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("revision"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # an article or override deleted leaves its items
        related_name="+",
        help_text=_("Left empty, the latest revision when the release is saved."),
    )
    previous_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    panels: ClassVar[list] = [FieldPanel("article"), FieldPanel("override")]

    class Meta(Orderable.Meta):
        verbose_name = _("release item")

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self) -> KnowledgeArticle | BranchOverride | None:
        return self.article or self.override

    def clean(self) -> None:
        if (self.article_id is None) == (self.override_id is None):
            raise ValidationError(_("Choose either an article or a branch override."))

    def revision_is_of_target(self) -> bool:
        """Whether the pinned revision is one of the target's (it is not after the item
        was pointed at another article or override)."""
        target, revision = self.target, self.revision
        return (
            target is not None
            and revision is not None
            and revision.object_id == str(target.pk)
            and revision.content_type_id == ContentType.objects.get_for_model(target).pk
        )

    def save(self, *args: object, **kwargs: object) -> None:
        if self.target is not None and not self.revision_is_of_target():
            self.revision = self.target.get_latest_revision()
        super().save(*args, **kwargs)
