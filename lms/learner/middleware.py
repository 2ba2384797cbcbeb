"""Whose page is this: the phone keeps pages and unsent progress per person.

A phone is often shared by several new hires, one after the other. The service worker
(templates/learner/sw.js) keeps pages for offline use and the progress outbox
(frontend/src/progress/queue.ts) keeps events until the server has them, both keyed by
the person they belong to. This middleware tells them who that is, and refuses what a
page of one person sends in another person's session:

- every page answered to a signed-in person carries `X-Onramp-User: <user id>` (the
  same id as the page's `data-user`), and `Cache-Control: private` unless the view says
  more; a page without it was answered for nobody, and the service worker then drops
  every kept page;
- a request that carries `X-Onramp-User` (the outbox's batches) while someone else is
  signed in is refused with 409, so a tab of A left open while B signs in cannot have
  A's queued events applied to B: they stay queued until A signs in again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

USER_HEADER = "X-Onramp-User"


def is_someone_else(request: HttpRequest, claimed: str | None) -> bool:
    """Whether a page made for the user id `claimed` is talking in another person's
    session. Requests that name nobody (other API clients) and signed-out sessions (the
    view answers those itself) are not."""
    user = getattr(request, "user", None)
    if not claimed or user is None or not user.is_authenticated:
        return False
    return claimed.strip() != str(user.pk)


def someone_else_response() -> JsonResponse:
    message = _("Someone else is signed in now; this progress is kept for the person who made it.")
    return JsonResponse(
        {"error": {"code": "other_user", "message": message, "fields": {}}}, status=409
    )


class PersonalPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_someone_else(request, request.headers.get(USER_HEADER)):
            return someone_else_response()
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response[USER_HEADER] = str(user.pk)
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
        return response
