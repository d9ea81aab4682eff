"""Signals the search app sends *after commit*; receivers are connected in ``search.signals``.

They let the indexer announce what it indexed without importing the tasks that react to
it. Nothing is sent for a transaction that rolls back.
"""

from django.dispatch import Signal

#: The indexer committed these articles' records. ``keys: list[str]``.
passages_indexed = Signal()
