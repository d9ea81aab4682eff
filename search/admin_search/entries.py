"""The editors' index entries: what of an object the admin search finds it by.

Invariants:
* an object is found by the words of its latest draft *and* of its saved row: editors
  search what they are working on, and what readers see until it is published (for a
  page with unpublished changes Wagtail keeps the draft in its latest revision, and the
  import's one-by-one path saves drafts of never-published articles there too);
* each entry's ``title`` column holds the words of the fields named ``title``, ``body``
  the words of every other searchable field, ``autocomplete`` the grams of all of them
  (:mod:`search.admin_search.text`); a field's boost goes with its words;
* big batches (imports, ``update_index``) are analysed on the other cores, with the
  segmenter taught the glossary's words there first, so they are cut as queries are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from modelsearch.conf import get_app_config
from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from wagtail.models import Revision

from content.parallel import THRESHOLD, pmap
from search import glossary
from search.admin_search import text
from search.admin_search.text import FieldText

BATCH = 64  # documents per job handed to a worker process


@dataclass(frozen=True)
class Document:
    object_id: str
    fields: list[FieldText]  # (column, boost, words)
    grams: str

    def words(self, column: str) -> str:
        return " ".join(words for name, _, words in self.fields if name == column and words)


def index_entry_model() -> type[models.Model]:
    return get_app_config().get_model("IndexEntry")


def documents(objs: Iterable[Any]) -> list[Document]:
    """The analysed documents of `objs` (all of one model), in order."""
    objs = list(objs)
    drafts = _drafts(objs)
    texts = [_field_texts(obj, drafts.get(obj.pk)) for obj in objs]
    known = glossary.current().words  # teaches this process's segmenter, too
    if len(texts) < THRESHOLD:
        analysed = [text.analysed(fields) for fields in texts]
    else:
        jobs = [(known, texts[start : start + BATCH]) for start in range(0, len(texts), BATCH)]
        analysed = [doc for batch in pmap(text.analysed_batch, jobs) for doc in batch]
    return [
        Document(force_str(obj.pk), fields, grams)
        for obj, (fields, grams) in zip(objs, analysed, strict=True)
    ]


def upsert(rows: Sequence[models.Model], columns: Sequence[str]) -> None:
    """Write `rows` (IndexEntry objects), replacing the entries of the same objects."""
    index_entry_model()._default_manager.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["content_type", "object_id"],
        update_fields=list(columns),
    )


def _drafts(objs: Sequence[Any]) -> dict[Any, Any]:
    """The latest draft of each of `objs` whose row is not what editors last saved."""
    pending = {
        obj.latest_revision_id: obj
        for obj in objs
        if getattr(obj, "has_unpublished_changes", False)
        and getattr(obj, "latest_revision_id", None)
        and hasattr(obj, "with_content_json")
    }
    if not pending:
        return {}
    contents = Revision.objects.filter(pk__in=pending).values_list("pk", "content")
    return {pending[pk].pk: pending[pk].with_content_json(content) for pk, content in contents}


def _field_texts(obj: Any, draft: Any | None) -> list[FieldText]:
    found: list[FieldText] = []
    seen: set[tuple[str, str]] = set()
    for version in (draft, obj) if draft is not None else (obj,):
        for field, value in _values(version, type(obj).get_search_fields()):
            if value and (field.field_name, value) not in seen:
                seen.add((field.field_name, value))
                column = "title" if field.field_name == "title" else "body"
                found.append((column, getattr(field, "boost", None), value))
    return found


def _values(obj: Any, fields: Iterable[Any]) -> Iterator[tuple[Any, str]]:
    """(field, text) of each searchable field of `obj`, related objects' fields included."""
    for field in fields:
        if isinstance(field, SearchField | AutocompleteField):
            yield field, _as_text(field.get_value(obj))
        elif isinstance(field, RelatedFields):
            related = field.get_value(obj)
            if related is None:
                continue
            if isinstance(related, models.Manager):
                related = related.all()
            elif callable(related):
                related = [related()]
            else:
                related = [related]
            for item in related:
                yield from _values(item, field.fields)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(_as_text(item) for item in value.values())
    return force_str(value)
