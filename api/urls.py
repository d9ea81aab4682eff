"""API URL root: each version is mounted under its own prefix."""

from django.urls import include, path

urlpatterns = [path("v1/", include(("api.v1.urls", "v1"), namespace="v1"))]
