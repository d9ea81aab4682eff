"""Custom admin panels shown on the article editor (declared by the models, so this module
imports no model module)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from wagtail.admin.panels import Panel


class BranchVariantsPanel(Panel):
    """Lists the article's branch overrides with their status, and preview links."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "content/admin/branch_variants_panel.html"

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            article = self.instance
            context["article"] = article
            context["variants"] = (
                article.overrides.select_related("branch").order_by("branch__path")
                if article.pk
                else []
            )
            # By name: the model module imports this one, not the other way round.
            context["branches"] = apps.get_model("content", "Branch").objects.order_by("path")
            return context
