"""Development: the embedded default with debugging on."""

from kms.settings.base import *  # noqa: F403

DEBUG = True
KMS_WIDGET_DEMO = env_bool("KMS_WIDGET_DEMO", True)
