"""The periodic sweep: lapsed offers move on, once."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.sessions.factories import InPersonSessionFactory, SignUpFactory, in_days, learner

pytestmark = pytest.mark.django_db


def test_tick_moves_lapsed_offers_on_once():
    soon = InPersonSessionFactory(capacity=1, parts=[(in_days(0, 20), in_days(0, 23))])
    lapsed = SignUpFactory(
        session=soon,
        user=learner(),
        status="offered",
        queued_at=timezone.now(),
        offered_until=timezone.now() - dt.timedelta(minutes=1),
    )
    waiting = SignUpFactory(
        session=soon, user=learner(), status="waitlisted", queued_at=timezone.now()
    )
    out = StringIO()
    call_command("sessions_tick", stdout=out)
    lapsed.refresh_from_db()
    waiting.refresh_from_db()
    assert (lapsed.status, waiting.status) == ("cancelled", "offered")
    assert "1" in out.getvalue()
    offered_until = waiting.offered_until
    call_command("sessions_tick", stdout=StringIO())
    waiting.refresh_from_db()
    assert (waiting.status, waiting.offered_until) == ("offered", offered_until)
