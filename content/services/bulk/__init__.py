"""Bulk creation of new articles and overrides, for imports of tens of thousands of records.

Invariant: for every record it takes, the bulk path writes the rows the one-by-one path
(``article_upsert`` / ``override_upsert``) writes — page and article rows in the page
tree, tags and products, one revision, the audit-log entries, the entries of Wagtail's
search index (the admin's search), and for published records the snapshot and its change
event — with the same values (both take them from
content.services.mapping), only in a few statements per chunk instead of dozens per
record. tests/content/test_bulk.py compares both paths. It only *creates*: records that
change existing articles take the one-by-one path. Known difference: Wagtail's reference
index (the admin's "usage" counts) is not filled here; ``manage.py
rebuild_references_index`` does that.
"""

from content.services.bulk.articles import articles_create
from content.services.bulk.overrides import overrides_create

__all__ = ["articles_create", "overrides_create"]
