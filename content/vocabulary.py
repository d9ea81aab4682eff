"""Words the whole content app shares and that pure modules need without the models.

The models re-export these (``content.models.Visibility`` …); ``content.resolution``, which
turns overrides into what readers see without touching the database, uses them directly.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SectionMode(models.TextChoices):
    REPLACE = "replace", _("Replace the section")
    PREPEND = "prepend", _("Add before the section")
    APPEND = "append", _("Add after the section")
    HIDE = "hide", _("Hide the section")


class Visibility(models.TextChoices):
    """How an override treats the article's presence in its branch (and below)."""

    INHERIT = "inherit", _("As the parent branch")
    HIDDEN = "hidden", _("Hidden in this branch")
    SHOWN = "shown", _("Shown in this branch")


class RecordStatus(models.TextChoices):
    """What a kms_import record asks for: its content live, or saved as the latest draft."""

    PUBLISHED = "published", _("Published")
    DRAFT = "draft", _("Draft")
