"""The OpenAPI schema and its Swagger UI: what they document and who may read them."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


def only_onramp_api(endpoints: list[tuple[str, str, str, Any]]) -> list[tuple[str, str, str, Any]]:
    """Document only Onramp's own /api/ endpoints, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


# What the error body looks like when no view of the schema names it itself.
_ERROR_COMPONENT = "ErrorOutput"
_COMMON = {
    400: "Bad input: error.fields says which field and why.",
    401: "Not signed in: send `Authorization: Token …` (see WWW-Authenticate).",
    403: "Signed in, but not allowed to do this (or no CSRF token with a session).",
    404: "No such thing, or not one this person may see.",
    415: "The body is not of the media type the operation takes (JSON, or upload bytes).",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Every operation lists the errors every operation can answer, with the error body.

    401 unless anyone may call it, 403 (no permission, or no CSRF token), 400 where it
    takes input (a body or a query parameter), 404 where the path names something, 415
    where it takes a body (of one media type: a form is not JSON). The
    views list the rest (409, 413, 429 …) with `lms.api.v1.errors.errors`; an error a
    view already documents is left as it is.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        _ERROR_COMPONENT,
        {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {}},
                    },
                    "required": ["code", "message", "fields"],
                }
            },
            "required": ["error"],
        },
    )
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{_ERROR_COMPONENT}"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            parameters = operation.get("parameters", [])
            wanted = {403}
            security = operation.get("security")
            if security and {} not in security:  # [] or a {} in it: anyone may call it
                wanted.add(401)
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                wanted.add(400)
            if "{" in path:
                wanted.add(404)
            if "requestBody" in operation:
                wanted.add(415)
            responses = operation.setdefault("responses", {})
            for status in sorted(wanted):
                responses.setdefault(str(status), {"description": _COMMON[status], "content": body})
    return result


class ApiDocsPermission(BasePermission):
    """Everyone when ONRAMP_API_DOCS_PUBLIC is on; otherwise staff (who may use the admin)."""

    message = _("The API documentation is for staff only.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if settings.ONRAMP_API_DOCS_PUBLIC:
            return True
        return bool(request.user and request.user.has_perm("wagtailadmin.access_admin"))


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <token>`: a person's knox token (lms.api.authentication)."""

    target_class = "lms.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A person\'s token from auth/token/, as "Token <token>".',
        }


class ServiceClientScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer onr_…`: a service client's key, for the HR endpoints."""

    target_class = "lms.api.authentication.ServiceClientAuthentication"
    name = "serviceClient"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A service client's key (an admin makes it; it needs the "
            "endpoint's scope).",
        }
