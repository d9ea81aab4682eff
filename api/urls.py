"""API URL root: each version under its own prefix; any other path is a JSON 404."""

from django.urls import include, path, re_path

from api.errors import not_found

urlpatterns = [
    path("v1/", include(("api.v1.urls", "v1"), namespace="v1")),
    re_path(r"^.*$", not_found),
]
