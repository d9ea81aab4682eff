"""Forms posted with a chosen id that is no id.

A choice field posts the id of what was chosen. A hand-made POST may send ``x``, ``1.5``
or an integer past 64 bits instead. Wagtail's chooser widgets look the posted value up
again to show what was chosen when the form comes back with its errors, and raised on such
a value (a 500); and an integer past 64 bits crashed the form field's own lookup (SQLite's
driver refuses it, PostgreSQL aborts the transaction: Django guards an integer field's
exact lookups against overflow, not ``in`` lookups nor the one-to-one key that is a page
type's id).

Invariant, once :func:`install` ran (content's ``ready``): for a model with an integer
key, a posted value that is no id is the field's "not a valid choice" error before any
lookup, and a chooser widget shows it as nothing chosen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from wagtail.admin.widgets.chooser import BaseChooser

ID_MAX = 2**63 - 1  # the largest id a 64-bit integer column holds
INTEGER_KEYS = frozenset({"AutoField", "BigAutoField", "IntegerField", "BigIntegerField"})


def is_id(value: Any) -> bool:
    """Whether `value` (as posted) can be the id of a stored row."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return 0 < number <= ID_MAX


def _keyed_by_integer(field: ModelChoiceField) -> bool:
    """Whether `field` chooses by an integer column (a page type's key is its page's)."""
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    while key.is_relation:
        key = key.target_field
    return key.get_internal_type() in INTEGER_KEYS


def _patch(owner: type, name: str, make: Callable[[Callable], Callable]) -> None:
    original = getattr(owner, name)
    if getattr(original, "refuses_non_ids", False):
        return
    patched = functools.wraps(original)(make(original))
    patched.refuses_non_ids = True  # type: ignore[attr-defined]
    setattr(owner, name, patched)


def _no_id(value: Any) -> bool:
    return value is not None and not isinstance(value, Model) and not is_id(value)


def install() -> None:
    """Patch, once, Wagtail's chooser widgets and Django's model choice fields."""

    def get_instance(original: Callable) -> Callable:
        def looked_up(self: BaseChooser, value: Any) -> Any:
            return None if _no_id(value) else original(self, value)

        return looked_up

    def to_python(original: Callable) -> Callable:
        def checked(self: ModelChoiceField, value: Any) -> Any:
            if value not in self.empty_values and _keyed_by_integer(self) and _no_id(value):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return original(self, value)

        return checked

    def check_values(original: Callable) -> Callable:
        def checked(self: ModelMultipleChoiceField, value: Iterable[Any]) -> Any:
            if _keyed_by_integer(self):
                for pk in value:
                    if _no_id(pk):
                        raise ValidationError(
                            self.error_messages["invalid_pk_value"],
                            code="invalid_pk_value",
                            params={"pk": pk},
                        )
            return original(self, value)

        return checked

    _patch(BaseChooser, "get_instance", get_instance)
    _patch(ModelChoiceField, "to_python", to_python)
    _patch(ModelMultipleChoiceField, "_check_values", check_values)
