"""Views of the v1 read API."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRoot(APIView):
    """Where a client starts: the API's version and links to its resources."""

    authentication_classes = ()
    permission_classes = ()

    def get(self, request: Request) -> Response:
        return Response(
            {
                "name": "KMS knowledge API",
                "version": "v1",
                "links": {"schema": reverse("api:v1:schema", request=request)},
            }
        )
