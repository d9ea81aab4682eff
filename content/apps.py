from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from content import page_indexes, signals  # noqa: F401  (signals connects receivers)
        from content.admin import chooser_creation, chosen_ids

        post_migrate.connect(page_indexes.ensure, sender=self)
        chosen_ids.install()
        chooser_creation.install()
