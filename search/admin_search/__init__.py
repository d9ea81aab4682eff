"""The editors' search: Wagtail's own database search backends, fed by :mod:`search.analysis`.

The Wagtail admin (the article listing, the page search, choosers) asks Wagtail's search
backend. Wagtail's database backends leave splitting text into words to the database,
which cannot cut Chinese; these subclasses run :mod:`search.analysis` on every indexed
field *and* on every query, so both sides are the same normalised (NFKC, traditional →
simplified, lower-case), segmented words and the database's full-text engine ranks them.

Invariant: nothing reaches Wagtail's index table, and no query reaches the database's
full-text engine, that did not pass through :mod:`search.admin_search.text`.

This is not the readers' index (:mod:`search.indexing`): that one holds published
snapshots only, by design; editors must also find drafts and never-published articles,
and Wagtail keeps its own index current on every save. ``kms/settings/base.py`` picks the
module by database engine: :mod:`~search.admin_search.sqlite` (the embedded default) or
:mod:`~search.admin_search.postgres` (services mode).
"""
