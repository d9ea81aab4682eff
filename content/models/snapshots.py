"""Published snapshots: exactly what readers see, and nothing of drafts.

Invariants:
* a ``PublishedArticle`` exists iff its article is live; a ``PublishedOverride`` exists iff
  its override is live. Both are written only by publish/unpublish services, inside the
  transaction that changes the live state;
* snapshot rows are self-contained (no joins to Wagtail pages or revisions are needed to
  serve a reader), and ``content_hash`` changes iff what a reader could see changes;
* they hold *source* text (Markdown) only: what a reader sees is rendered per branch, with
  that branch's variables, by ``content.selectors.effective_article`` — so no row holds
  text rendered for one branch that another could be served by mistake;
* ``variables`` lists every ``{{ branch.x }}`` name the row's text uses, so a change to a
  branch's variables finds exactly the articles it changes.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.fields import ChoiceListField, JSONListField, NameSetField
from content.models.articles import Audience, Channel, KnowledgeArticle
from content.models.overrides import BranchOverride, Visibility


class PublishedArticle(models.Model):
    """HQ's live version of one article, as readers see it before branch localisation."""

    article = models.OneToOneField(
        KnowledgeArticle, on_delete=models.CASCADE, related_name="published"
    )
    key = models.CharField(max_length=32, unique=True)
    revision_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=255)
    summary = models.TextField()
    body = models.TextField()
    sections = models.JSONField(default=list)  # [{"slug", "heading", "markdown"}], in order
    # Plain texts of summary and body, placeholders as written (from the publish's parse):
    # the search index reads them instead of rendering every article again.
    summary_text = models.TextField(blank=True, default="")
    text = models.TextField(blank=True, default="")
    questions = models.JSONField(default=list)
    category = models.CharField(max_length=255)
    products = JSONListField(default=list)  # codes, sorted; filter with products__has_item
    tags = JSONListField(default=list)
    channels = ChoiceListField(choices=Channel.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    effective_from = models.DateField(null=True)
    effective_to = models.DateField(null=True)
    variables = NameSetField()  # names used by the summary and body
    # Whether today (Asia/Shanghai) lies within the effective dates; flipped by a sweep.
    in_effect = models.BooleanField(default=True)
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("published article")
        indexes: ClassVar[list] = [models.Index(fields=["category"])]

    def __str__(self) -> str:
        return f"{self.key} r{self.revision_id}"


class PublishedOverride(models.Model):
    """One branch's live override of one article."""

    override = models.OneToOneField(
        BranchOverride, on_delete=models.CASCADE, related_name="published"
    )
    article_key = models.CharField(max_length=32)
    branch_code = models.CharField(max_length=32)
    revision_id = models.PositiveBigIntegerField()
    based_on_revision_id = models.PositiveBigIntegerField(null=True)
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    summary = models.TextField(blank=True)
    sections = models.JSONField(default=dict)  # {slug: {"mode", "body"}}
    variables = NameSetField()  # names used by the summary and section texts
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("published branch override")
        indexes: ClassVar[list] = [models.Index(fields=["branch_code"])]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["article_key", "branch_code"], name="one_published_override_per_branch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_key} @ {self.branch_code} r{self.revision_id}"
