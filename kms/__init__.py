"""KMS project package: settings, URL root, Celery app and the wiring of consumers."""

from kms.celery import app as celery_app

__all__ = ["celery_app"]
