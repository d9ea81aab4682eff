"""Development: the embedded default with debugging on."""

from kms.settings.base import *  # noqa: F403

DEBUG = True
