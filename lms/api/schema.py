"""OpenAPI generation hooks."""

from typing import Any


def only_onramp_api(endpoints: list[tuple[str, str, str, Any]]) -> list[tuple[str, str, str, Any]]:
    """Document only Onramp's own /api/ endpoints, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
