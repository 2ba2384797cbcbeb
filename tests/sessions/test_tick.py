"""The periodic sweep: lapsed offers move on, day-before reminders go out once."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from lms.sessions.models import SignUp
from tests.sessions.factories import InPersonSessionFactory, in_days, learner

pytestmark = pytest.mark.django_db


def test_tick_moves_lapsed_offers_and_reminds_once(mailbox):
    soon = InPersonSessionFactory(capacity=1, parts=[(in_days(0, 20), in_days(0, 23))])
    lapsed = SignUp.objects.create(
        session=soon,
        user=learner(),
        status="offered",
        queued_at=timezone.now(),
        offered_until=timezone.now() - dt.timedelta(minutes=1),
    )
    waiting = SignUp.objects.create(
        session=soon, user=learner(), status="waitlisted", queued_at=timezone.now()
    )
    coming = SignUp.objects.create(
        session=InPersonSessionFactory(parts=[(in_days(0, 10), in_days(0, 12))]),
        user=learner(),
        status="confirmed",
        queued_at=timezone.now(),
    )
    out = StringIO()
    call_command("sessions_tick", stdout=out)
    lapsed.refresh_from_db()
    waiting.refresh_from_db()
    assert (lapsed.status, waiting.status) == ("cancelled", "offered")
    reminder = next(m for m in mailbox if m.to == [coming.user.email])
    assert coming.session.title in reminder.subject
    assert "/survey/" not in reminder.body  # that session has no survey
    sent = len(mailbox)
    call_command("sessions_tick", stdout=StringIO())
    assert len(mailbox) == sent  # nothing twice
    waiting.refresh_from_db()
    assert waiting.status == "offered"


def test_day_before_reminder_points_to_an_unanswered_survey(mailbox):
    from tests.sessions.factories import SurveyFactory

    session = InPersonSessionFactory(
        survey=SurveyFactory(), parts=[(in_days(0, 10), in_days(0, 12))]
    )
    signup = SignUp.objects.create(
        session=session, user=learner(), status="confirmed", queued_at=timezone.now()
    )
    call_command("sessions_tick", stdout=StringIO())
    reminder = next(m for m in mailbox if m.to == [signup.user.email])
    assert f"/sessions/{session.pk}/survey/" in reminder.body
