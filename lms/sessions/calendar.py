"""Calendar invites (.ics) for in-person sessions, built with the icalendar library.

Each dated part is one VEVENT. Its UID is stable for the life of the session (the
session's uuid and the part's number), and SEQUENCE is the session's change counter, so
a calendar replaces the old entry when an update arrives; METHOD:CANCEL removes it.
Times are written in the session's own time zone with its VTIMEZONE, so a phone set to
another zone still shows the right local time.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from lms.sessions.models import InPersonSession

PRODID = "-//Onramp//In-person sessions//ZH"


def part_uid(session: InPersonSession, number: int) -> str:
    return f"{session.uid}-{number}@onramp"


def session_calendar(
    *,
    session: InPersonSession,
    method: str = "REQUEST",
    attendee: AbstractBaseUser | None = None,
    url: str = "",
) -> bytes:
    """The invite (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) as .ics bytes."""
    if method not in ("REQUEST", "CANCEL", "PUBLISH"):
        raise ValueError(method)
    cancelled = method == "CANCEL" or session.status == InPersonSession.Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled and method != "PUBLISH" else method)
    tz = session.tz
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText("Onramp")
    description = session.description
    if session.online_url:
        description = f"{description}\n{session.online_url}".strip()
    if url:
        description = f"{description}\n{url}".strip()
    now = timezone.now()
    for number, part in enumerate(session.ordered_parts(), start=1):
        event = Event()
        event.add("uid", part_uid(session, number))
        event.add("sequence", session.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", part.starts_at.astimezone(tz))
        event.add("dtend", part.ends_at.astimezone(tz))
        event.add("summary", session.title)
        if session.location_text:
            event.add("location", session.location_text)
        if description:
            event.add("description", description)
        if session.online_url or url:
            event.add("url", session.online_url or url)
        event.add("organizer", organizer)
        if attendee is not None and attendee.email:
            address = vCalAddress(f"mailto:{attendee.email}")
            address.params["cn"] = vText(attendee.get_full_name() or attendee.get_username())
            address.params["role"] = vText("REQ-PARTICIPANT")
            address.params["partstat"] = vText("ACCEPTED")
            event.add("attendee", address)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
