from django.apps import AppConfig


class KmsConfig(AppConfig):
    """The composition root: wires the change-log consumers of every app."""

    name = "kms"
    verbose_name = "KMS"

    def ready(self) -> None:
        from kms import consumers

        consumers.register_all()
