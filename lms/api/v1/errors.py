"""One error body for every API error: {"error": {"code", "message", "fields"}}.

`onramp_exception_handler` gives DRF's refusals that shape, `not_found` answers anything
under /api/v1/ that no operation matches, and `csrf_failure` answers Django's CSRF
refusals under /api/ the same way. `errors()` documents the shape in the schema: each
operation lists the error statuses it answers, with this body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler

from media.api_common import ErrorDetailOutput, ErrorOutput, error_body

__all__ = ["ErrorDetailOutput", "ErrorOutput", "error_body", "error_response", "errors"]


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
    response.data = error_body(code, message, fields)
    return response


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """No operation answers this path: a JSON 404, whatever the method."""
    return JsonResponse(error_body("not_found", str(NotFound.default_detail)), status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the API's error body under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        message = _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")
        return JsonResponse(error_body("csrf_failed", message), status=403)
    return django_csrf_failure(request, reason=reason)


# --- the schema ------------------------------------------------------------------------


DESCRIPTIONS = {
    400: "Bad input: error.fields says which field and why.",
    401: "Not signed in: send `Authorization: Token …` (see WWW-Authenticate).",
    403: "Signed in, but not allowed to do this (or no CSRF token with a session).",
    404: "No such thing, or not one this person may see.",
    409: "Refused by the rules: error.code says why.",
    413: "Too big.",
    429: "Too many requests: wait and try again.",
}


def error_response(
    status: int, description: str | None = None, serializer: Any = ErrorOutput
) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description or DESCRIPTIONS[status])


def errors(
    *statuses: int, anonymous: bool = False, described: Mapping[int, str] | None = None
) -> dict[int, OpenApiResponse]:
    """The error responses of an operation, for `extend_schema(responses={…, **errors()})`.

    401 and 403 always (403 is a refused CSRF token for a browser, if nothing else);
    `anonymous=True` for an operation anyone may call (no 401). Further statuses as
    arguments, e.g. `errors(400, 404)`; `described={409: "…"}` words one differently.
    """
    wanted = {403, *statuses} if anonymous else {401, 403, *statuses}
    texts = described or {}
    return {status: error_response(status, texts.get(status)) for status in sorted(wanted)}
