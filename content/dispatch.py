"""Signals the content app sends *after commit*; receivers are connected in ``AppConfig.ready``.

They let services announce what happened without importing the tasks that react to it
(services never import tasks; tasks call services). Nothing is sent for a transaction
that rolls back.
"""

from django.dispatch import Signal

#: Change events were committed; consumers should catch up. No arguments.
changes_committed = Signal()

#: These overrides turned stale in a committed transaction. ``override_ids: list[int]``.
overrides_turned_stale = Signal()
