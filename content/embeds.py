"""Resolve ``image:ID`` / ``document:ID`` links in Markdown to Wagtail media URLs.

Invariant: one resolver asks the database about each id once, however often a text (or
the texts it is used for) refers to it.
"""

from __future__ import annotations

from wagtail.documents import get_document_model
from wagtail.images import get_image_model


class WagtailEmbeds:
    """An :class:`content.markdown.EmbedResolver` backed by Wagtail's media libraries."""

    image_rendition = "max-1200x1200"

    def __init__(self) -> None:
        self._images: dict[int, str | None] = {}
        self._documents: dict[int, str | None] = {}

    def image_url(self, image_id: int) -> str | None:
        if image_id not in self._images:
            image = get_image_model().objects.filter(pk=image_id).first()
            url = None if image is None else image.get_rendition(self.image_rendition).url
            self._images[image_id] = url
        return self._images[image_id]

    def document_url(self, document_id: int) -> str | None:
        if document_id not in self._documents:
            document = get_document_model().objects.filter(pk=document_id).first()
            self._documents[document_id] = document.url if document else None
        return self._documents[document_id]
