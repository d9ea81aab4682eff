"""Model fields the content model needs and Django lacks.

* :class:`ChoiceListField` keeps a set of choices (an article's channels) in one portable
  column as ``",agent,bot,"`` so that ``channels__contains=",bot,"`` filters on every
  database; Python code only ever sees a list in the choices' declared order.
* :class:`NameSetField` keeps a set of names (the variables a text uses) the same way,
  sorted, so that ``variables__contains=",hotline,"`` finds the texts using a name.
* :class:`JSONListField` is a JSON list of strings that ``field__has_item=value`` filters
  on SQLite (JSON1's ``json_each``) and PostgreSQL (``@>``) alike — Django's own
  ``contains`` does not run on SQLite.
* :class:`VariablesField` keeps a branch's ``name -> value`` variables as JSON, edited in
  the admin as ``name = value`` lines, within the limits of content.limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from content import limits

VARIABLE_NAME_RE = re.compile(r"\A[a-z][a-z0-9_]*\Z")  # the whole name (no "\n" after)


class _DelimitedList:
    """Stores a list of tokens as ``",a,b,"``; subclasses say which tokens, in what order."""

    def canonical(self, values: Iterable[str]) -> list[str]:
        raise NotImplementedError

    def to_python(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(",")
        return self.canonical(item.strip() for item in value if item and item.strip())

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> list[str]:
        return self.to_python(value)

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, str) and value.startswith(","):
            return value  # already stored form, e.g. a `contains` lookup argument
        items = self.to_python(value)
        return f",{','.join(items)}," if items else ""

    def value_to_string(self, obj: models.Model) -> str:
        return ",".join(self.value_from_object(obj))  # type: ignore[attr-defined]


class ChoiceListField(_DelimitedList, models.CharField):
    """A list of distinct choices stored as a delimited string in declared order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def canonical(self, values: Iterable[str]) -> list[str]:
        chosen = set(values)
        return [value for value, _label in self.choices if value in chosen]

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        known = {choice for choice, _label in self.choices}
        unknown = [item for item in value if item not in known]
        if unknown:
            raise ValidationError(
                _("Unknown choice(s): %(items)s"), params={"items": ", ".join(unknown)}
            )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs: Any) -> forms.Field:
        return forms.TypedMultipleChoiceField(
            choices=self.choices,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )


class NameSetField(_DelimitedList, models.TextField):
    """A sorted set of names (no commas in them), derived data: not edited in forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def canonical(self, values: Iterable[str]) -> list[str]:
        return sorted(set(values))


class JSONListField(models.JSONField):
    """A list of strings as JSON (an article's product codes or tags)."""


@JSONListField.register_lookup
class HasItem(models.Lookup):
    """``field__has_item="KN-YL"``: the list holds that string exactly."""

    lookup_name = "has_item"
    prepare_rhs = False

    def _lhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        return lhs, list(params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self._lhs(compiler, connection)  # SQLite: JSON1 is built in
        # `lhs` is the column Django compiled, the value a parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, [*params, str(self.rhs)]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self._lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*params, json.dumps([str(self.rhs)])]


class VariablesFormField(forms.CharField):
    """``name = value`` lines <-> a dict; blank lines and ``#`` comments are ignored."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, dict):
            return "\n".join(f"{name} = {text}" for name, text in value.items())
        return value or ""

    def to_python(self, value: Any) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        variables: dict[str, str] = {}
        for number, raw in enumerate((value or "").splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, text = line.partition("=")
            name = name.strip()
            if not sep:
                raise ValidationError(_("Line %(n)s: expected name = value"), params={"n": number})
            if not VARIABLE_NAME_RE.match(name):
                raise ValidationError(
                    _("Line %(n)s: variable names use a-z, 0-9 and _ (got %(name)s)"),
                    params={"n": number, "name": name},
                )
            variables[name] = text.strip()
        return variables


class VariablesField(models.JSONField):
    """A branch's variables; only lower-case snake_case names with string values."""

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        if not isinstance(value, dict):
            raise ValidationError(_("Variables must be a mapping of name to text."))
        for name, text in value.items():
            if not VARIABLE_NAME_RE.match(str(name)) or not isinstance(text, str):
                raise ValidationError(
                    _("Variable %(name)s: names use a-z, 0-9 and _; values are text."),
                    params={"name": name},
                )
            if reason := limits.unstorable(name + text):
                raise ValidationError(
                    _("Variable %(name)s: %(reason)s."), params={"name": name, "reason": reason}
                )
        problems = limits.variables_problems(value)
        if problems:
            raise ValidationError(problems)

    def formfield(self, **kwargs: Any) -> forms.Field:
        return VariablesFormField(
            required=not self.blank, label=self.verbose_name, help_text=self.help_text
        )
