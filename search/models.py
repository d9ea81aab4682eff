"""What the knowledge team tunes search with, in the admin (the glossary and best bets), and
what ranking by meaning keeps (passages' vectors, articles waiting to be embedded)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from search import analysis

TERMS_MAX = 30
TERM_MAX_LENGTH = 40
TERMS_TEXT_MAX_LENGTH = 2000  # room for TERMS_MAX terms and separators, and no more


def glossary_terms(text: str) -> list[str]:
    """The terms of a glossary entry as written: one per line or separated by commas or
    slashes (理赔/索赔/赔付), normalised, blanks and repeats dropped."""
    pieces = text.replace("，", ",").replace("、", ",").replace("/", ",").replace("\n", ",")
    return list(
        dict.fromkeys(analysis.normalise(p).strip() for p in pieces.split(",") if p.strip())
    )


class SynonymGroup(models.Model):
    """Words agents and customers use for one thing: a query for one finds the others."""

    terms = models.TextField(
        _("terms"),
        max_length=TERMS_TEXT_MAX_LENGTH,
        help_text=_("Words that mean the same, separated by / or commas, e.g. 理赔/索赔/赔付."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels: ClassVar[list] = [FieldPanel("terms"), FieldPanel("note")]

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("glossary")
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return " / ".join(self.term_list)

    @property
    def term_list(self) -> list[str]:
        return glossary_terms(self.terms)

    def clean(self) -> None:
        terms = self.term_list
        if len(terms) < 2:
            raise ValidationError(
                {"terms": _("A synonym group needs at least two different terms.")}
            )
        if len(terms) > TERMS_MAX:
            raise ValidationError(
                {"terms": _("At most %(max)d terms per group.") % {"max": TERMS_MAX}}
            )
        if long := [term for term in terms if len(term) > TERM_MAX_LENGTH]:
            raise ValidationError(
                {
                    "terms": _("Terms are at most %(max)d characters: %(terms)s")
                    % {"max": TERM_MAX_LENGTH, "terms": ", ".join(long)}
                }
            )
        if empty := [term for term in terms if not analysis.tokens(term, keep_stop_words=True)]:
            raise ValidationError(
                {
                    "terms": _("These terms hold no searchable word: %(terms)s")
                    % {"terms": ", ".join(empty)}
                }
            )
        if ignored := [term for term in terms if not analysis.tokens(term)]:
            raise ValidationError(
                {
                    "terms": _(
                        "Search ignores these words (too common to tell articles apart), so "
                        "they cannot be synonyms: %(terms)s"
                    )
                    % {"terms": ", ".join(ignored)}
                }
            )


QUERY_MAX_LENGTH = 100


class PromotedResult(models.Model):
    """A best bet: for this query (in this branch and below, or everywhere), this article
    comes first — when the reader may read it."""

    query = models.CharField(
        _("query"), max_length=100, help_text=_("The query as agents type it, e.g. 理赔材料.")
    )
    article = models.ForeignKey(
        "content.KnowledgeArticle",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="promotions",
    )
    branch = models.ForeignKey(
        "content.Branch",
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Only for readers in this branch and below; empty: every branch."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    normalised = models.CharField(max_length=QUERY_MAX_LENGTH, editable=False, db_index=True)

    panels: ClassVar[list] = [
        FieldPanel("query"),
        FieldPanel("article"),
        FieldPanel("branch"),
        FieldPanel("order"),
    ]

    class Meta:
        verbose_name = _("promoted result")
        verbose_name_plural = _("promoted results")
        ordering: ClassVar[list[str]] = ["normalised", "order", "pk"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["normalised", "article", "branch"], name="promoted_result_unique"
            )
        ]

    def __str__(self) -> str:
        article = self.article if self.article_id else None
        return f"{self.query} → {article.key if article else '?'}"

    def save(self, *args, **kwargs) -> None:
        self.normalised = promoted_query(self.query)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.normalised = promoted_query(self.query)
        if not self.normalised:
            raise ValidationError({"query": _("The query holds no searchable word.")})
        if len(self.normalised) > QUERY_MAX_LENGTH:  # ㍿ folds to 株式会社: four characters
            raise ValidationError(
                {"query": _("The query is too long once normalised: keep it shorter.")}
            )
        same = PromotedResult.objects.filter(
            normalised=self.normalised, article_id=self.article_id, branch_id=self.branch_id
        ).exclude(pk=self.pk)
        if self.article_id is not None and same.exists():
            raise ValidationError(
                {"query": _("This article is already a best bet for this query in this branch.")}
            )


def promoted_query(text: str) -> str:
    """How a query is matched against best bets: normalised, spaces and punctuation out."""
    return analysis.compact(text)


class PassageVector(models.Model):
    """A cached sentence vector (``search.vectors``), keyed by the digest of the model and
    the passage's text: embedding is slow, so a text is embedded once."""

    digest = models.CharField(max_length=64, primary_key=True)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.digest


class EmbeddingBacklog(models.Model):
    """An article whose passages wait to be embedded: one of more published at once than
    the publishing thread embeds where tasks run eagerly (an import, a release). The
    scheduler embeds the longest waiting a batch at a tick
    (``search.tasks.passages_embed_waiting``); ``kms_embed`` all of them at once."""

    key = models.CharField(max_length=32, primary_key=True)
    queued_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key

    @classmethod
    def queue(cls, keys: Iterable[str]) -> None:
        """Queue `keys` (again: a key already waiting counts from now)."""
        now = timezone.now()
        cls.objects.bulk_create(
            [cls(key=key, queued_at=now) for key in dict.fromkeys(keys)],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["queued_at"],
            batch_size=500,
        )
