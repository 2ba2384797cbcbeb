"""Sign-up rules: capacity, waitlist, offers and their expiry, cancellation, approval."""

import datetime as dt

import pytest
from django.utils import timezone

from lms.sessions.models import SignUp
from lms.sessions.services import (
    SessionRefused,
    session_offers_move_on,
    session_sign_up,
    sessions_offers_move_on_all,
    signup_accept_offer,
    signup_approve,
    signup_cancel,
)
from tests.factories import CohortFactory, EmployeeFactory
from tests.sessions.factories import InPersonSessionFactory, in_days, learner

pytestmark = pytest.mark.django_db


def statuses(session):
    return list(session.signups.order_by("queued_at", "pk").values_list("status", flat=True))


def test_seats_then_waitlist_in_order():
    session = InPersonSessionFactory(capacity=2)
    people = [learner() for _ in range(4)]
    results = [session_sign_up(session=session, user=u).status for u in people]
    assert results == ["confirmed", "confirmed", "waitlisted", "waitlisted"]


def test_signing_up_twice_keeps_one_place():
    session = InPersonSessionFactory(capacity=1)
    user = learner()
    first = session_sign_up(session=session, user=user)
    second = session_sign_up(session=session, user=user)
    assert first.pk == second.pk
    assert session.signups.count() == 1


def test_cancel_offers_the_seat_to_the_first_on_the_waitlist_and_holds_it(
    django_capture_on_commit_callbacks, mailbox
):
    session = InPersonSessionFactory(capacity=1, offer_hold_hours=6)
    a, b, c = learner(), learner(), learner()
    for user in (a, b, c):
        session_sign_up(session=session, user=user)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(session=session, user=a, now=now)
    b_signup = session.signups.get(user=b)
    assert b_signup.status == "offered"
    assert b_signup.offered_until == now + dt.timedelta(hours=6)
    assert session.signups.get(user=c).status == "waitlisted"
    offer = [m for m in mailbox if m.to == [b.email]]
    assert len(offer) == 1 and f"/sessions/{session.pk}/" in offer[0].body
    # The held seat is not given to a newcomer.
    assert session_sign_up(session=session, user=learner()).status == "waitlisted"


def test_an_offer_not_taken_in_time_moves_on_once():
    session = InPersonSessionFactory(capacity=1, offer_hold_hours=2)
    a, b, c = learner(), learner(), learner()
    for user in (a, b, c):
        session_sign_up(session=session, user=user)
    now = timezone.now()
    signup_cancel(session=session, user=a, now=now)
    later = now + dt.timedelta(hours=2, minutes=1)
    assert sessions_offers_move_on_all(now=later) == 1
    assert session.signups.get(user=b).status == "cancelled"
    assert session.signups.get(user=c).status == "offered"
    # Idempotent: running the sweep again changes nothing.
    assert sessions_offers_move_on_all(now=later) == 0
    assert session_offers_move_on(session=session, now=later) == 0
    with pytest.raises(SessionRefused) as refused:
        signup_accept_offer(session=session, user=b, now=later)
    assert refused.value.code == "no_offer"
    assert signup_accept_offer(session=session, user=c, now=later).status == "confirmed"
    assert session.signups.filter(status__in=SignUp.SEATED).count() == 1


def test_cancellation_cut_off_and_waitlist_leaving_any_time():
    session = InPersonSessionFactory(
        capacity=1, cancel_cutoff_hours=24, parts=[(in_days(0.5), in_days(0.5, 8))]
    )
    seated, waiting = learner(), learner()
    session_sign_up(session=session, user=seated)
    session_sign_up(session=session, user=waiting)
    with pytest.raises(SessionRefused) as refused:
        signup_cancel(session=session, user=seated)
    assert refused.value.code == "cutoff"
    assert signup_cancel(session=session, user=waiting).status == "cancelled"


def test_cancelled_learner_can_sign_up_again_at_the_back_of_the_queue():
    session = InPersonSessionFactory(capacity=1)
    a, b = learner(), learner()
    session_sign_up(session=session, user=a)
    session_sign_up(session=session, user=b)
    signup_cancel(session=session, user=b)
    assert session_sign_up(session=session, user=b).status == "waitlisted"


def test_closed_not_open_cancelled_and_not_eligible_are_refused():
    user = learner()
    closed = InPersonSessionFactory(signup_closes_at=timezone.now() - dt.timedelta(hours=1))
    not_open = InPersonSessionFactory(signup_opens_at=timezone.now() + dt.timedelta(hours=1))
    cancelled = InPersonSessionFactory(status="cancelled")
    other_cohort = InPersonSessionFactory()
    other_cohort.audience_cohorts.set([CohortFactory()])
    other_cohort.save()
    started = InPersonSessionFactory(parts=[(in_days(-0.1), in_days(0.2))])
    codes = []
    for session in (closed, not_open, cancelled, other_cohort, started):
        with pytest.raises(SessionRefused) as refused:
            session_sign_up(session=session, user=user)
        codes.append(refused.value.code)
    assert codes == ["closed", "not_open", "cancelled", "not_eligible", "closed"]
    assert not SignUp.objects.filter(user=user).exists()


def test_audience_by_cohort_lets_that_cohort_in():
    cohort = CohortFactory()
    session = InPersonSessionFactory()
    session.audience_cohorts.set([cohort])
    session.save()
    member = learner(cohort=cohort)
    assert session_sign_up(session=session, user=member).status == "confirmed"


def test_people_without_employee_record_or_who_left_are_not_eligible():
    from tests.factories import UserFactory

    session = InPersonSessionFactory()
    left = EmployeeFactory(status="left").user
    for user in (UserFactory(), left):
        with pytest.raises(SessionRefused) as refused:
            session_sign_up(session=session, user=user)
        assert refused.value.code == "not_eligible"


def test_manager_approval_holds_the_seat_until_approved(
    django_capture_on_commit_callbacks, mailbox, hr
):
    session = InPersonSessionFactory(capacity=1, needs_manager_approval=True)
    a, b = learner(), learner()
    assert session_sign_up(session=session, user=a).status == "pending"
    assert session_sign_up(session=session, user=b).status == "waitlisted"
    with django_capture_on_commit_callbacks(execute=True):
        approved = signup_approve(signup=session.signups.get(user=a), by=hr)
    assert approved.status == "confirmed" and approved.approved_by == hr
    assert [m.to for m in mailbox] == [[a.email]]


def test_prerequisites_before_sign_up(course, lesson):
    session = InPersonSessionFactory(prerequisites_by="sign_up")
    session.prerequisite_courses.set([course])
    session.save()
    with pytest.raises(SessionRefused) as refused:
        session_sign_up(session=session, user=learner())
    assert refused.value.code == "prerequisites"
    assert "风险控制入门" in str(refused.value.message)


def test_prerequisites_before_attending_do_not_block_sign_up(course, lesson):
    session = InPersonSessionFactory(prerequisites_by="attending")
    session.prerequisite_courses.set([course])
    session.save()
    assert session_sign_up(session=session, user=learner()).status == "confirmed"


def test_manager_approves_or_declines_on_the_approvals_page(
    client, django_capture_on_commit_callbacks, mailbox
):
    from tests.factories import EmployeeFactory

    manager = EmployeeFactory()
    manager.user.email = "boss@example.com"
    manager.user.save()
    session = InPersonSessionFactory(capacity=1, needs_manager_approval=True)
    report = learner(manager=manager)
    with django_capture_on_commit_callbacks(execute=True):
        session_sign_up(session=session, user=report)
    assert [m.to for m in mailbox] == [["boss@example.com"]]
    waiting = learner()
    session_sign_up(session=session, user=waiting)
    signup = session.signups.get(user=report)
    client.force_login(learner())  # not the manager
    assert report.employee.name not in client.get("/sessions/approvals/").content.decode()
    assert (
        client.post(
            "/sessions/approvals/", {"signup": signup.pk, "decision": "approve"}
        ).status_code
        == 404
    )
    client.force_login(manager.user)
    assert report.employee.name in client.get("/sessions/approvals/").content.decode()
    client.post("/sessions/approvals/", {"signup": signup.pk, "decision": "decline"})
    signup.refresh_from_db()
    assert signup.status == "cancelled"
    assert session.signups.get(user=waiting).status == "offered"
