"""The Celery application. With REDIS_URL unset every task runs eagerly in-process."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")

app = Celery("kms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def one_core_per_embedding(**kwargs: object) -> None:
    """A worker's child embeds on one core (``search.vectors``): the children run side by
    side, and the model's threads of two on the same cores wait for each other."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
