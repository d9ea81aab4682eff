"""URL root: the Wagtail admin, documents, the API (with its OpenAPI schema) and the
agents' search widget."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from api import widget

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include(("api.urls", "api"), namespace="api")),
    path("widget/kms-search.js", widget.script, name="widget-script"),
    path("widget/demo/", widget.demo, name="widget-demo"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
