"""One error body for every API error: {"error": {"code", "message", "fields"}}."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler


def onramp_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields: dict[str, Any] = {}
    if isinstance(detail, dict) and "detail" in detail:
        message = str(detail["detail"])
        code = getattr(detail["detail"], "code", "error")
    elif isinstance(detail, dict):
        fields = {
            key: [str(m) for m in value] if isinstance(value, list) else value
            for key, value in detail.items()
        }
        first = next(iter(fields.values()), "")
        message = str(first[0] if isinstance(first, list) and first else first)
        code = "invalid"
    else:
        message = str(detail[0] if isinstance(detail, list) and detail else detail)
        code = "invalid"
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response
