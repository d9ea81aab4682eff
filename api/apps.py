from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import schema, signals  # noqa: F401  (receivers; the schema's auth scheme)
