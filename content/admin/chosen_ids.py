"""Forms posted with a chooser id that is no id.

A chooser field posts the id of what was chosen. A hand-made POST may send ``x``, ``1.5``
or an integer past 64 bits instead. Wagtail's chooser widgets look the posted value up
again to show what was chosen when the form comes back with its errors, and raised on such
a value (a 500); and an integer past 64 bits crashes the form's own lookup of a page
(SQLite's driver refuses it, PostgreSQL aborts the transaction: Django guards integer
fields against overflow, not the one-to-one key that is a page type's id).

Invariant: a value that is no id reads as no choice. The form says the choice is not
valid (:class:`ChosenIdsForm`), and the widget shows nothing chosen (:func:`install`).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import Model
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from wagtail.admin.widgets.chooser import BaseChooser

ID_MAX = 2**63 - 1  # the largest id a 64-bit integer column holds
NO_SUCH_ID = "0"  # ids start at 1: "not one of the available choices"


def is_id(value: Any) -> bool:
    """Whether `value` (as posted) can be the id of a stored row."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return 0 < number <= ID_MAX


def install() -> None:
    """Make every chooser widget show a value that is no id as nothing chosen (once)."""
    looked_up = BaseChooser.get_instance
    if getattr(looked_up, "tolerates_non_ids", False):
        return

    @functools.wraps(looked_up)
    def get_instance(self: BaseChooser, value: Any) -> Any:
        if value is None or isinstance(value, Model) or is_id(value):
            return looked_up(self, value)
        return None

    get_instance.tolerates_non_ids = True  # type: ignore[attr-defined]
    BaseChooser.get_instance = get_instance


class ChosenIdsForm:
    """Mixed into an admin model form: a posted choice that is no id is the field's
    "not a valid choice" error, and nothing is looked up with it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # type: ignore[attr-defined]
            return
        fields = self.fields.items()  # type: ignore[attr-defined]
        names = [
            self.add_prefix(name)  # type: ignore[attr-defined]
            for name, field in fields
            if isinstance(field, ModelChoiceField)
            and not isinstance(field, ModelMultipleChoiceField)
        ]
        data = self.data  # type: ignore[has-type]
        posted = {name: data.get(name) for name in names}
        wrong = [
            name for name, value in posted.items() if value not in (None, "") and not is_id(value)
        ]
        if wrong:
            self.data = data.copy()
            for name in wrong:
                self.data[name] = NO_SUCH_ID
