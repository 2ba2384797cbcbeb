"""OpenAPI generation hooks."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_onramp_api(endpoints: list[tuple[str, str, str, Any]]) -> list[tuple[str, str, str, Any]]:
    """Document only Onramp's own /api/ endpoints, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


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
