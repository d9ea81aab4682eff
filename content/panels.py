"""Custom admin panels shown on the article editor."""

from __future__ import annotations

from typing import Any

from wagtail.admin.panels import Panel


class BranchVariantsPanel(Panel):
    """Lists the article's branch overrides with their status, and preview links."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "content/admin/branch_variants_panel.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            from content.models import Branch, BranchOverride

            context = super().get_context_data(parent_context)
            article = self.instance
            context["article"] = article
            context["variants"] = (
                BranchOverride.objects.filter(article_id=article.pk)
                .select_related("branch")
                .order_by("branch__path")
                if article.pk
                else []
            )
            context["branches"] = Branch.objects.order_by("path")
            return context
