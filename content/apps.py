from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from content import signals  # noqa: F401  (connects receivers)
        from content.admin import chooser_creation, chosen_ids

        chosen_ids.install()
        chooser_creation.install()
