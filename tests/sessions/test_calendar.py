"""Calendar invites: valid iCalendar with VTIMEZONE/TZID; updates and cancellations."""

import datetime as dt
import zoneinfo

import pytest
from icalendar import Calendar

from lms.sessions.models import SessionPart
from lms.sessions.services import session_cancel, session_saved, session_sign_up, signup_cancel
from tests.sessions.factories import InPersonSessionFactory, learner

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def two_day_session():
    start = dt.datetime(2027, 1, 12, 9, 0, tzinfo=SHANGHAI)
    return InPersonSessionFactory(
        title="信贷业务与风控基础",
        capacity=5,
        parts=[
            (start, start.replace(hour=17)),
            (start + dt.timedelta(days=1), (start + dt.timedelta(days=1)).replace(hour=12)),
        ],
    )


def parse(raw: bytes) -> Calendar:
    return Calendar.from_ical(raw)


def events(calendar: Calendar):
    return [c for c in calendar.walk("VEVENT")]


def test_invite_email_carries_a_request_with_timezone(django_capture_on_commit_callbacks, mailbox):
    session = two_day_session()
    user = learner()
    with django_capture_on_commit_callbacks(execute=True):
        session_sign_up(session=session, user=user)
    assert len(mailbox) == 1 and mailbox[0].to == [user.email]
    name, content, mimetype = mailbox[0].attachments[0]
    assert name == "invite.ics" and "method=REQUEST" in mimetype
    calendar = parse(content)
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    first, second = events(calendar)
    assert first["SUMMARY"] == "信贷业务与风控基础"
    assert first["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert first.decoded("DTSTART") == dt.datetime(2027, 1, 12, 9, 0, tzinfo=SHANGHAI)
    assert second.decoded("DTEND") == dt.datetime(2027, 1, 13, 12, 0, tzinfo=SHANGHAI)
    assert first["UID"] != second["UID"]
    assert int(first["SEQUENCE"]) == 0
    assert "mailto:" + user.email in str(first["ATTENDEE"])


def test_a_rolled_back_sign_up_sends_no_invite(django_capture_on_commit_callbacks, mailbox):
    from django.db import transaction

    from lms.sessions.models import SignUp

    session = two_day_session()
    user = learner()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        session_sign_up(session=session, user=user)
        raise RuntimeError("the request failed after the sign-up")
    assert callbacks == []
    assert mailbox == []
    assert not SignUp.objects.filter(session=session, user=user).exists()


def test_change_sends_same_uid_with_higher_sequence(django_capture_on_commit_callbacks, mailbox):
    session = two_day_session()
    user = learner()
    with django_capture_on_commit_callbacks(execute=True):
        session_sign_up(session=session, user=user)
        assert session_saved(session=session) is False  # first save only records the state
    first_uid = events(parse(mailbox[0].attachments[0][1]))[0]["UID"]
    part = session.parts.order_by("starts_at").first()
    SessionPart.objects.filter(pk=part.pk).update(starts_at=part.starts_at + dt.timedelta(hours=1))
    session.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert session_saved(session=session) is True
        assert session_saved(session=session) is False  # nothing changed since
    assert len(mailbox) == 2
    update = parse(mailbox[1].attachments[0][1])
    assert update["METHOD"] == "REQUEST"
    event = events(update)[0]
    assert event["UID"] == first_uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == dt.datetime(2027, 1, 12, 10, 0, tzinfo=SHANGHAI)


def test_session_cancelled_sends_cancel_with_same_uid(django_capture_on_commit_callbacks, mailbox):
    session = two_day_session()
    user = learner()
    with django_capture_on_commit_callbacks(execute=True):
        session_sign_up(session=session, user=user)
        session_saved(session=session)
    uid = events(parse(mailbox[0].attachments[0][1]))[0]["UID"]
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session)
    cancel = parse(mailbox[-1].attachments[0][1])
    assert cancel["METHOD"] == "CANCEL"
    assert "method=CANCEL" in mailbox[-1].attachments[0][2]
    event = events(cancel)[0]
    assert event["UID"] == uid and event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_learner_cancelling_gets_a_cancel(django_capture_on_commit_callbacks, mailbox):
    session = two_day_session()
    user = learner()
    with django_capture_on_commit_callbacks(execute=True):
        session_sign_up(session=session, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(session=session, user=user)
    assert parse(mailbox[-1].attachments[0][1])["METHOD"] == "CANCEL"


def test_download_needs_sign_in_and_is_a_valid_calendar(client):
    session = two_day_session()
    url = f"/sessions/{session.pk}/calendar.ics"
    assert client.get(url).status_code == 302
    user = learner()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = parse(response.content)
    assert len(events(calendar)) == 2
    assert calendar.walk("VTIMEZONE")
