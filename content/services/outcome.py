"""What an upsert did, as import summaries report it."""

import enum


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    PUBLISHED = "published"
    UNCHANGED = "unchanged"
