"""The admin's home page tells each editor which of their articles are past review."""

from __future__ import annotations

from typing import Any

from wagtail.admin.ui.components import Component

from content.services.reminders import review_reminders_of


class ReviewDuePanel(Component):
    """The signed-in editor's articles past their review date (their reminders); shown
    only when there is one."""

    name = "kms_review_due"
    template_name = "content/admin/review_due_panel.html"
    order = 90
    SHOWN = 15  # the rest: the cockpit's review table

    def __init__(self, user: Any) -> None:
        self.reminders, self.count = review_reminders_of(user, most=self.SHOWN)

    def render_html(self, parent_context: Any = None) -> str:
        return super().render_html(parent_context) if self.reminders else ""

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        return {
            "reminders": self.reminders,
            "count": self.count,
            "more": self.count - len(self.reminders),
        }
