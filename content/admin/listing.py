"""The article listing with business filters, and the taxonomy snippets.

The article listing filters in the database (category, product, channel, audience,
status) and paginates, so it stays fast with tens of thousands of articles.
"""

from __future__ import annotations

from django.db.models import IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, ModelMultipleChoiceFilter, MultipleChoiceFilter
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import WorkflowState
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from content.admin.branches import BranchViewSet
from content.models import Category, Channel, KnowledgeArticle, KnowledgeIndexPage, Product

STATUS_CHOICES = [
    ("live", _("Live")),
    ("changed", _("Live with unpublished changes")),
    ("draft", _("Draft (never published or unpublished)")),
    ("moderation", _("In moderation")),
    ("scheduled", _("Scheduled")),
]


def _filter_channels(queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
    query = Q()
    for value in values:
        query |= Q(channels__contains=f",{value},")
    return queryset.filter(query) if values else queryset


def _filter_status(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if value == "live":
        return queryset.filter(live=True)
    if value == "changed":
        return queryset.filter(live=True, has_unpublished_changes=True)
    if value == "draft":
        return queryset.filter(live=False)
    if value == "moderation":
        in_moderation = (
            WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS)
            .annotate(page_id=Cast("object_id", IntegerField()))
            .values("page_id")
        )
        return queryset.filter(pk__in=in_moderation)
    if value == "scheduled":
        return queryset.filter(revisions__approved_go_live_at__isnull=False).distinct()
    return queryset


class ArticleFilterSet(PageListingViewSet.filterset_class):
    status = ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method=_filter_status)
    category = ModelMultipleChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), field_name="category"
    )
    products = ModelMultipleChoiceFilter(
        label=_("Product"), queryset=Product.objects.all(), field_name="products"
    )
    channels = MultipleChoiceFilter(
        label=_("Channel"), choices=Channel.choices, method=_filter_channels
    )

    class Meta:
        model = KnowledgeArticle
        fields = ["audience"]


class ArticleIndexView(IndexView):
    """Wagtail's flat page listing, made to stay fast at tens of thousands of articles:
    each listed article's category is read with the page, not in one query per row; and
    where Wagtail's filter by explorable pages would keep every article (the head office's
    editors), it is left out — a match of every page's path that made the listing sort all
    of them rather than read the newest from an index."""

    def annotate_queryset(self, pages: QuerySet) -> QuerySet:
        return super().annotate_queryset(pages).prefetch_related("category")

    def get_base_queryset(self) -> QuerySet:
        if not self._explores_every_article():
            return super().get_base_queryset()
        # every article is below the root (Wagtail's depth > 1 would only join for the count)
        return self.annotate_queryset(self.model.objects.all())

    def _explores_every_article(self) -> bool:
        """Whether the editor may explore below every knowledge index (a page they may
        add, change, publish, lock… on, Wagtail's own rule, at or above each) and every
        article is a child of one (as ``parent_page_types`` has it: a page put elsewhere
        by code, or none at all, makes the listing filter as Wagtail does)."""
        user = self.request.user
        roots = [
            page.path
            for page in self.permission_policy.instances_with_direct_explore_permission(user)
        ]
        indexes = list(KnowledgeIndexPage.objects.values_list("path", "numchild"))
        if not roots or not indexes:
            return False
        if not all(any(path.startswith(root) for root in roots) for path, _ in indexes):
            return False
        return sum(children for _, children in indexes) == KnowledgeArticle.objects.count()


class ArticleListingViewSet(PageListingViewSet):
    model = KnowledgeArticle
    index_view_class = ArticleIndexView
    icon = "doc-full"
    menu_label = _("Knowledge articles")
    menu_order = 100
    add_to_admin_menu = True
    filterset_class = ArticleFilterSet
    columns = [
        *PageListingViewSet.columns,
        Column("key", label=_("Key"), sort_key="key"),
        Column("category", label=_("Category")),
        Column("audience", label=_("Audience"), accessor="get_audience_display"),
    ]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = ["path", "name"]
    search_fields = ["path", "name"]
    ordering = ["path"]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    list_display = ["code", "name", "line", "status"]
    list_filter = ["line", "status"]
    search_fields = ["code", "name"]


class TaxonomyGroup(SnippetViewSetGroup):
    items = (BranchViewSet, CategoryViewSet, ProductViewSet)
    menu_icon = "folder-inverse"
    menu_label = _("Taxonomy")
    menu_name = "taxonomy"
    menu_order = 110
