"""Attendance: QR check-in (rotating code, session window, seat holders only), marking by
hand, feedback, and the path items attendance completes."""

import datetime as dt

import pytest
from django.utils import timezone

from lms.paths.models import EnrolmentItem, PathItem
from lms.paths.services import enrolment_assign_manually
from lms.sessions.services import (
    TOKEN_SECONDS,
    SessionRefused,
    attendance_mark,
    check_in_token,
    session_check_in,
    session_feedback_submit,
)
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory
from tests.sessions.factories import InPersonSessionFactory, SignUpFactory, in_days, learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def running():
    """A session that started 5 minutes ago and runs for 3 hours."""
    return InPersonSessionFactory(parts=[(in_days(0, -5 / 60), in_days(0, 3))])


def refused_code(**kwargs):
    with pytest.raises(SessionRefused) as refused:
        session_check_in(**kwargs)
    return refused.value.code


def test_check_in_with_the_current_code(running):
    user = learner()
    _seat(running, user)  # sign-up closed at the start; this seat was taken before
    token = check_in_token(session=running)
    signup = session_check_in(session=running, user=user, token=token)
    assert signup.status == "attended" and signup.checked_in_at is not None


def _seat(session, user):

    return SignUpFactory(session=session, user=user)


def test_code_rotates_and_the_previous_one_is_still_good_briefly(running):
    user = learner()
    _seat(running, user)
    now = timezone.now()
    old = check_in_token(session=running, now=now - dt.timedelta(seconds=TOKEN_SECONDS))
    older = check_in_token(session=running, now=now - dt.timedelta(seconds=3 * TOKEN_SECONDS))
    assert old != check_in_token(session=running, now=now)
    assert refused_code(session=running, user=user, token=older, now=now) == "bad_token"
    assert session_check_in(session=running, user=user, token=old, now=now).status == "attended"


def test_code_of_another_session_is_refused(running):
    other = InPersonSessionFactory(parts=[(in_days(0, -0.1), in_days(0, 2))])
    user = learner()
    _seat(running, user)
    assert (
        refused_code(session=running, user=user, token=check_in_token(session=other)) == "bad_token"
    )
    assert refused_code(session=running, user=user, token="") == "bad_token"
    assert refused_code(session=running, user=user, token="x" * 5000) == "bad_token"


def test_outside_the_session_window_is_refused():
    future = InPersonSessionFactory()  # a week from now
    user = learner()
    _seat(future, user)
    assert (
        refused_code(session=future, user=user, token=check_in_token(session=future)) == "not_now"
    )
    past = InPersonSessionFactory(parts=[(in_days(-1), in_days(-1, 3))])
    _seat(past, user)
    assert refused_code(session=past, user=user, token=check_in_token(session=past)) == "not_now"


def test_only_seat_holders_check_in(running):
    stranger = learner()
    waiting = learner()

    SignUpFactory(session=running, user=waiting, status="waitlisted", queued_at=timezone.now())
    token = check_in_token(session=running)
    assert refused_code(session=running, user=stranger, token=token) == "not_signed_up"
    assert refused_code(session=running, user=waiting, token=token) == "not_signed_up"


def test_late_after_ten_minutes():
    session = InPersonSessionFactory(parts=[(in_days(0, -0.5), in_days(0, 2))])
    user = learner()
    _seat(session, user)
    assert (
        session_check_in(session=session, user=user, token=check_in_token(session=session)).status
        == "late"
    )


def test_check_in_page_through_the_client(client, running):
    user = learner()
    _seat(running, user)
    client.force_login(user)
    token = check_in_token(session=running)
    page = client.get(f"/sessions/{running.pk}/check-in/?t={token}")
    assert page.status_code == 200 and token in page.content.decode()
    assert running.signups.get(user=user).status == "confirmed"  # GET changes nothing
    bad = client.post(f"/sessions/{running.pk}/check-in/", {"t": "nope"})
    assert bad.status_code == 400
    ok = client.post(f"/sessions/{running.pk}/check-in/", {"t": token})
    assert ok.status_code == 200
    assert running.signups.get(user=user).status == "attended"


def test_mark_by_hand_and_feedback(running, trainer):
    user = learner()
    signup = _seat(running, user)
    with pytest.raises(SessionRefused):
        session_feedback_submit(session=running, user=user, rating=5)
    assert attendance_mark(signup=signup, status="excused", by=trainer).status == "excused"
    with pytest.raises(SessionRefused):
        attendance_mark(signup=signup, status="cancelled", by=trainer)
    attendance_mark(signup=signup, status="late", by=trainer)
    for bad in (0, 6, True, "5"):
        with pytest.raises(SessionRefused):
            session_feedback_submit(session=running, user=user, rating=bad)
    done = session_feedback_submit(session=running, user=user, rating=4, comment="案例很实用")
    assert (done.feedback_rating, done.feedback_comment) == (4, "案例很实用")


def _path_with(kind, course=None):
    path = LearningPathFactory(name=f"路径-{kind}")
    stage = PathStageFactory(path=path, name="第一个月")
    item = PathItemFactory(stage=stage, kind=kind, title="面授：客户开发实战演练", course=course)
    return path, item


def test_attendance_completes_the_linked_path_item(running, trainer):
    path, item = _path_with(PathItem.Kind.SESSION)
    running.path_items.set([item])
    running.save()
    user = learner()
    enrolment_assign_manually(employee=user.employee, path=path)
    signup = _seat(running, user)
    mine = EnrolmentItem.objects.get(enrolment__employee__user=user, item=item)
    assert mine.status == "pending"
    attendance_mark(signup=signup, status="absent", by=trainer)
    mine.refresh_from_db()
    assert mine.status == "pending"
    session_check_in(session=running, user=user, token=check_in_token(session=running))
    mine.refresh_from_db()
    assert mine.status == "completed" and mine.progress == 100
    mine.enrolment.refresh_from_db()
    assert mine.enrolment.status == "completed"  # it was the path's only item


def test_attendance_completes_session_items_of_the_same_course(course, trainer):
    path, item = _path_with(PathItem.Kind.SESSION, course=course)
    session = InPersonSessionFactory(course=course, parts=[(in_days(0, -0.05), in_days(0, 2))])
    user = learner()
    enrolment_assign_manually(employee=user.employee, path=path)
    attendance_mark(signup=_seat(session, user), status="attended", by=trainer)
    assert EnrolmentItem.objects.get(item=item).status == "completed"
