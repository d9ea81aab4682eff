"""Resolve ``image:ID`` / ``document:ID`` links in Markdown to Wagtail media URLs."""

from __future__ import annotations

from wagtail.documents import get_document_model
from wagtail.images import get_image_model


class WagtailEmbeds:
    """An :class:`content.markdown.EmbedResolver` backed by Wagtail's media libraries."""

    image_rendition = "max-1200x1200"

    def image_url(self, image_id: int) -> str | None:
        image = get_image_model().objects.filter(pk=image_id).first()
        if image is None:
            return None
        return image.get_rendition(self.image_rendition).url

    def document_url(self, document_id: int) -> str | None:
        document = get_document_model().objects.filter(pk=document_id).first()
        return document.url if document else None
