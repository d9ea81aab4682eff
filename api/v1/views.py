"""Views of the v1 read API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRoot(APIView):
    """Where a client starts: the API's version and links to its resources."""

    authentication_classes = ()
    permission_classes = ()

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "links": serializers.DictField(child=serializers.URLField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "name": "KMS knowledge API",
                "version": "v1",
                "links": {"schema": reverse("api:v1:schema", request=request)},
            }
        )
