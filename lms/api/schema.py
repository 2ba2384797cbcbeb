"""The OpenAPI schema and its Swagger UI: what they document and who may read them."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


def only_onramp_api(endpoints: list[tuple[str, str, str, Any]]) -> list[tuple[str, str, str, Any]]:
    """Document only Onramp's own /api/ endpoints, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


class ApiDocsPermission(BasePermission):
    """Everyone when ONRAMP_API_DOCS_PUBLIC is on; otherwise staff (who may use the admin)."""

    message = _("The API documentation is for staff only.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if settings.ONRAMP_API_DOCS_PUBLIC:
            return True
        return bool(request.user and request.user.has_perm("wagtailadmin.access_admin"))
