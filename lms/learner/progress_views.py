"""The player's last progress events as a page goes away (navigator.sendBeacon).

sendBeacon cannot set headers, so the X-CSRFToken header the API expects cannot come
along. The beacon is a form post instead: the CSRF token travels in the body as
`csrfmiddlewaretoken` and Django's CSRF middleware checks it against the cookie exactly
as for any form, and the session cookie says whose progress it is (refused when the page
that queued them was another person's). The events go to the
same service as /api/v1/progress/events/, so a beacon that also reaches the server as a
queued batch later counts once (the events carry the phone's UUIDs).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.learner.middleware import is_someone_else, someone_else_response
from lms.progress.events import MAX_EVENTS_PER_BATCH, progress_events_apply

# 500 events of ~200 bytes each; a bigger body is not the player's.
MAX_BEACON_CHARS = 200_000


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


@require_POST
def progress_beacon(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _error("not_authenticated", _("Sign in to record your progress."), 401)
    # The outbox says whose page queued the events (as X-Onramp-User does for the API).
    if is_someone_else(request, request.POST.get("user")):
        return someone_else_response()
    raw = request.POST.get("events", "")
    if len(raw) > MAX_BEACON_CHARS:
        return _error("too_large", _("Too many events at once; send fewer."), 413)
    try:
        events = json.loads(raw)
    except ValueError:
        return _error("invalid", _("“events” must be a JSON list of events."), 400)
    if not isinstance(events, list):
        return _error("invalid", _("“events” must be a JSON list of events."), 400)
    if len(events) > MAX_EVENTS_PER_BATCH:
        return _error(
            "too_many",
            _("At most %(n)d events per batch; send the rest next.") % {"n": MAX_EVENTS_PER_BATCH},
            400,
        )
    acks = progress_events_apply(user=request.user, events=events)
    return JsonResponse({"acks": [ack.__dict__ for ack in acks]})
