"""Sign-ups, the waitlist, attendance and invites of in-person sessions.

No overbooking, ever: every change to who holds a seat first locks the session row
(SELECT … FOR UPDATE on PostgreSQL; on SQLite the settings open every transaction with
BEGIN IMMEDIATE, which already lets one writer in at a time) and counts seats inside
that lock. Expired offers are moved on by the same code whether a periodic task, a
sign-up or a page view gets there first, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks.base import Task

from lms.sessions import mail
from lms.sessions.models import InPersonSession, SignUp
from lms.sessions.selectors import (
    prerequisites_missing,
    session_path_item_ids,
    session_signup_closes_at,
    session_survey_deadline,
    user_is_in_audience,
)
from lms.surveys.models import SurveyResponse
from lms.surveys.services import SurveyRefused, survey_response_save

# QR check-in: the code the trainer shows changes every TOKEN_SECONDS; the previous code
# stays good for one more period so a scan at the turn of the minute still works.
TOKEN_SECONDS = 60
CHECK_IN_OPENS_BEFORE = dt.timedelta(minutes=30)
LATE_AFTER = dt.timedelta(minutes=10)


class SessionRefused(Exception):
    """A sign-up, cancellation or check-in that the rules do not allow, with a reason."""

    def __init__(self, code: str, message: object) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


def _lock(session: InPersonSession) -> InPersonSession:
    return InPersonSession.objects.select_for_update().get(pk=session.pk)


def _after_commit(task: Task, **kwargs: object) -> None:
    """Enqueue a mail task once the change commits: a rolled-back change sends nothing."""
    transaction.on_commit(partial(task.enqueue, **kwargs))


def _seats_taken(session: InPersonSession) -> int:
    return SignUp.objects.filter(session=session, status__in=SignUp.SEATED).count()


def _expire_and_promote(session: InPersonSession, now: dt.datetime) -> list[SignUp]:
    """Inside the session lock: drop lapsed offers, offer free seats down the waitlist."""
    lapsed = SignUp.objects.filter(
        session=session, status=SignUp.Status.OFFERED, offered_until__lte=now
    )
    for signup in lapsed:
        signup.status = SignUp.Status.CANCELLED
        signup.note = str(_("The offered seat was not taken in time."))[:300]
        signup.offered_until = None
        signup.save(update_fields=["status", "note", "offered_until", "updated_at"])
    if session.status != InPersonSession.Status.SCHEDULED:
        return []
    starts = session.starts_at
    if starts is not None and starts <= now:
        return []
    free = session.capacity - _seats_taken(session)
    offered: list[SignUp] = []
    if free <= 0:
        return offered
    hold = dt.timedelta(hours=session.offer_hold_hours)
    for signup in SignUp.objects.filter(session=session, status=SignUp.Status.WAITLISTED).order_by(
        "queued_at", "pk"
    )[:free]:
        signup.status = SignUp.Status.OFFERED
        signup.offered_until = now + hold if starts is None else min(now + hold, starts)
        signup.save(update_fields=["status", "offered_until", "updated_at"])
        offered.append(signup)
        _after_commit(mail.send_seat_offer, signup_id=signup.pk)
    return offered


@transaction.atomic
def session_offers_move_on(*, session: InPersonSession, now: dt.datetime | None = None) -> int:
    """Expire lapsed offers and offer the seats to the next people; idempotent."""
    session = _lock(session)
    return len(_expire_and_promote(session, now or timezone.now()))


def sessions_offers_move_on_all(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: each session with an offer that lapsed, in its own transaction."""
    now = now or timezone.now()
    ids = (
        SignUp.objects.filter(status=SignUp.Status.OFFERED, offered_until__lte=now)
        .values_list("session_id", flat=True)
        .distinct()
    )
    return sum(
        session_offers_move_on(session=session, now=now)
        for session in InPersonSession.objects.filter(pk__in=list(ids))
    )


@transaction.atomic
def session_sign_up(
    *, session: InPersonSession, user: AbstractBaseUser, now: dt.datetime | None = None
) -> SignUp:
    """Take a seat, or a place on the waitlist when the session is full."""
    now = now or timezone.now()
    session = _lock(session)
    if session.status != InPersonSession.Status.SCHEDULED:
        raise SessionRefused("cancelled", _("This session has been cancelled."))
    if not user_is_in_audience(session=session, user=user):
        raise SessionRefused("not_eligible", _("This session is not open to you."))
    if session.signup_opens_at and now < session.signup_opens_at:
        raise SessionRefused("not_open", _("Sign-up for this session has not opened yet."))
    closes = session_signup_closes_at(session)
    if closes is not None and now >= closes:
        raise SessionRefused("closed", _("Sign-up for this session has closed."))
    existing = SignUp.objects.filter(session=session, user=user).first()
    if existing is not None and existing.status != SignUp.Status.CANCELLED:
        return existing
    if session.prerequisites_by == InPersonSession.PrerequisitesBy.SIGN_UP:
        missing = prerequisites_missing(session=session, user=user)
        if missing:
            raise SessionRefused(
                "prerequisites",
                _("Complete these courses before signing up: %(courses)s")
                % {"courses": "、".join(missing)},
            )
    _expire_and_promote(session, now)
    waiting = SignUp.objects.filter(
        session=session, status__in=[SignUp.Status.WAITLISTED, SignUp.Status.OFFERED]
    ).exists()
    if _seats_taken(session) < session.capacity and not waiting:
        status = (
            SignUp.Status.PENDING if session.needs_manager_approval else SignUp.Status.CONFIRMED
        )
    else:
        status = SignUp.Status.WAITLISTED
    signup = existing or SignUp(session=session, user=user)
    signup.status = status
    signup.queued_at = now
    signup.offered_until = None
    signup.note = ""
    signup.save()
    if status == SignUp.Status.CONFIRMED:
        _after_commit(mail.send_invite, signup_id=signup.pk)
    elif status == SignUp.Status.PENDING:
        _after_commit(mail.send_approval_request, signup_id=signup.pk)
    return signup


@transaction.atomic
def signup_accept_offer(
    *, session: InPersonSession, user: AbstractBaseUser, now: dt.datetime | None = None
) -> SignUp:
    now = now or timezone.now()
    session = _lock(session)
    _expire_and_promote(session, now)
    signup = SignUp.objects.filter(session=session, user=user).first()
    if signup is None or signup.status != SignUp.Status.OFFERED:
        raise SessionRefused("no_offer", _("There is no seat offered to you."))
    signup.status = (
        SignUp.Status.PENDING if session.needs_manager_approval else SignUp.Status.CONFIRMED
    )
    signup.offered_until = None
    signup.save(update_fields=["status", "offered_until", "updated_at"])
    if signup.status == SignUp.Status.CONFIRMED:
        _after_commit(mail.send_invite, signup_id=signup.pk)
    return signup


@transaction.atomic
def signup_cancel(
    *, session: InPersonSession, user: AbstractBaseUser, now: dt.datetime | None = None
) -> SignUp:
    """The learner gives up their seat (until the cut-off) or their waitlist place."""
    now = now or timezone.now()
    session = _lock(session)
    signup = SignUp.objects.filter(session=session, user=user).first()
    active = (*SignUp.SEATED, SignUp.Status.WAITLISTED)
    if signup is None or signup.status not in active:
        raise SessionRefused("not_signed_up", _("You are not signed up for this session."))
    if signup.status in SignUp.PRESENT:
        raise SessionRefused("attended", _("You have already attended this session."))
    starts = session.starts_at
    held_seat = signup.status != SignUp.Status.WAITLISTED
    if held_seat and starts is not None:
        cutoff = starts - dt.timedelta(hours=session.cancel_cutoff_hours)
        if now >= cutoff:
            raise SessionRefused(
                "cutoff",
                _("Cancellation closed %(hours)d hours before the start. Please tell your trainer.")
                % {"hours": session.cancel_cutoff_hours},
            )
    was_confirmed = signup.status == SignUp.Status.CONFIRMED
    signup.status = SignUp.Status.CANCELLED
    signup.offered_until = None
    signup.save(update_fields=["status", "offered_until", "updated_at"])
    if was_confirmed:
        _after_commit(mail.send_invite, signup_id=signup.pk, method="CANCEL")
    _expire_and_promote(session, now)
    return signup


@transaction.atomic
def signup_approve(*, signup: SignUp, by: AbstractBaseUser) -> SignUp:
    """The manager (or HR) approves a sign-up awaiting approval; it keeps its seat."""
    _lock(signup.session)
    signup.refresh_from_db()
    if signup.status != SignUp.Status.PENDING:
        return signup
    signup.status = SignUp.Status.CONFIRMED
    signup.approved_by = by
    signup.save(update_fields=["status", "approved_by", "updated_at"])
    _after_commit(mail.send_invite, signup_id=signup.pk)
    return signup


@transaction.atomic
def signup_decline(
    *, signup: SignUp, by: AbstractBaseUser, now: dt.datetime | None = None
) -> SignUp:
    """The manager (or HR) says no: the seat goes to the next person on the waitlist."""
    session = _lock(signup.session)
    signup.refresh_from_db()
    if signup.status != SignUp.Status.PENDING:
        return signup
    signup.status = SignUp.Status.CANCELLED
    signup.approved_by = by
    signup.note = str(_("Not approved by the manager."))[:300]
    signup.save(update_fields=["status", "approved_by", "note", "updated_at"])
    _expire_and_promote(session, now or timezone.now())
    return signup


def user_may_approve(*, signup: SignUp, user: AbstractBaseUser) -> bool:
    """HR (change_signup) or the learner's own manager."""
    if user.has_perm("training_sessions.change_signup"):
        return True
    from lms.org.models import Employee

    return Employee.objects.filter(user_id=signup.user_id, manager__user_id=user.pk).exists()


ATTENDANCE_STATES = (
    SignUp.Status.ATTENDED,
    SignUp.Status.LATE,
    SignUp.Status.ABSENT,
    SignUp.Status.EXCUSED,
    SignUp.Status.CONFIRMED,  # undo a mistaken mark
)


@transaction.atomic
def attendance_mark(
    *, signup: SignUp, status: str, by: AbstractBaseUser, now: dt.datetime | None = None
) -> SignUp:
    """The trainer marks one person by hand: attended, late, absent or excused."""
    if status not in ATTENDANCE_STATES:
        raise SessionRefused("bad_status", _("Choose attended, late, absent or excused."))
    _lock(signup.session)
    signup.refresh_from_db()
    if signup.status not in SignUp.EXPECTED:
        raise SessionRefused("not_signed_up", _("This person has no seat in this session."))
    signup.status = status
    signup.marked_by = by
    if status in SignUp.PRESENT and signup.checked_in_at is None:
        signup.checked_in_at = now or timezone.now()
    signup.save(update_fields=["status", "marked_by", "checked_in_at", "updated_at"])
    if status in SignUp.PRESENT:
        _complete_path_items(signup)
    return signup


def _complete_path_items(signup: SignUp) -> None:
    from lms.paths.services import path_items_complete

    item_ids = session_path_item_ids(signup.session)
    if item_ids:
        path_items_complete(user=signup.user, item_ids=item_ids)


# --- QR check-in --------------------------------------------------------------------


def _token_for(session: InPersonSession, window: int) -> str:
    message = f"check-in:{session.pk}:{session.uid}:{window}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:20]


def check_in_token(*, session: InPersonSession, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    return _token_for(session, int(now.timestamp()) // TOKEN_SECONDS)


def check_in_part_window(
    *, session: InPersonSession, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    """The part of the session whose check-in window is open now, as (start, end)."""
    for part in session.ordered_parts():
        if part.starts_at - CHECK_IN_OPENS_BEFORE <= now <= part.ends_at:
            return part.starts_at, part.ends_at
    return None


@transaction.atomic
def session_check_in(
    *,
    session: InPersonSession,
    user: AbstractBaseUser,
    token: str,
    now: dt.datetime | None = None,
) -> SignUp:
    """The learner scans the trainer's code: valid now, for this session, for a seat holder."""
    now = now or timezone.now()
    session = _lock(session)
    window = int(now.timestamp()) // TOKEN_SECONDS
    valid = {_token_for(session, window), _token_for(session, window - 1)}
    if not isinstance(token, str) or not any(hmac.compare_digest(token, v) for v in valid):
        raise SessionRefused(
            "bad_token", _("This check-in code is not valid any more. Scan the code again.")
        )
    part = check_in_part_window(session=session, now=now)
    if part is None or session.status != InPersonSession.Status.SCHEDULED:
        raise SessionRefused("not_now", _("Check-in is open only during the session."))
    signup = SignUp.objects.filter(session=session, user=user).first()
    # Someone marked absent or excused who turns up after all may still check in; a
    # sign-up awaiting approval or on the waitlist has no seat to check in to.
    if signup is None or signup.status not in (
        SignUp.Status.CONFIRMED,
        SignUp.Status.ABSENT,
        SignUp.Status.EXCUSED,
        *SignUp.PRESENT,
    ):
        raise SessionRefused(
            "not_signed_up", _("You are not signed up for this session. Please see the trainer.")
        )
    if signup.status in SignUp.PRESENT:
        return signup
    if session.prerequisites_by == InPersonSession.PrerequisitesBy.ATTENDING:
        missing = prerequisites_missing(session=session, user=user)
        if missing:
            raise SessionRefused(
                "prerequisites",
                _("Complete these courses first, or ask the trainer: %(courses)s")
                % {"courses": "、".join(missing)},
            )
    signup.status = SignUp.Status.LATE if now > part[0] + LATE_AFTER else SignUp.Status.ATTENDED
    signup.checked_in_at = now
    signup.save(update_fields=["status", "checked_in_at", "updated_at"])
    _complete_path_items(signup)
    return signup


# --- feedback -----------------------------------------------------------------------


@transaction.atomic
def session_feedback_submit(
    *, session: InPersonSession, user: AbstractBaseUser, rating: int, comment: str = ""
) -> SignUp:
    signup = SignUp.objects.select_for_update().filter(session=session, user=user).first()
    if signup is None or signup.status not in SignUp.PRESENT:
        raise SessionRefused("not_attended", _("Only people who attended can give feedback."))
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise SessionRefused("bad_rating", _("Choose a rating from 1 to 5."))
    signup.feedback_rating = rating
    signup.feedback_comment = (comment or "")[:2000]
    signup.feedback_at = timezone.now()
    signup.save(update_fields=["feedback_rating", "feedback_comment", "feedback_at", "updated_at"])
    return signup


# --- changes to the session itself ----------------------------------------------------


def _calendar_fingerprint(session: InPersonSession) -> str:
    parts = ";".join(
        f"{p.starts_at.isoformat()}-{p.ends_at.isoformat()}" for p in session.ordered_parts()
    )
    raw = "|".join(
        [
            session.title,
            session.room,
            session.address,
            session.online_url,
            session.time_zone,
            parts,
            session.status,
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def session_saved(*, session: InPersonSession) -> bool:
    """After the trainer edits a session: if its time, place or status changed, bump the
    invite's SEQUENCE and send everyone holding a seat the update (or the cancellation)."""
    session = _lock(session)
    fingerprint = _calendar_fingerprint(session)
    if session.calendar_fingerprint == fingerprint:
        return False
    first = not session.calendar_fingerprint
    InPersonSession.objects.filter(pk=session.pk).update(calendar_fingerprint=fingerprint)
    if first:
        return False
    InPersonSession.objects.filter(pk=session.pk).update(sequence=session.sequence + 1)
    method = "CANCEL" if session.status == InPersonSession.Status.CANCELLED else "REQUEST"
    for signup_id in SignUp.objects.filter(
        session=session, status__in=[SignUp.Status.CONFIRMED, SignUp.Status.PENDING]
    ).values_list("pk", flat=True):
        _after_commit(mail.send_invite, signup_id=signup_id, method=method)
    return True


@transaction.atomic
def session_cancel(*, session: InPersonSession) -> InPersonSession:
    """Call the whole session off: everyone with a seat gets a METHOD:CANCEL."""
    session = _lock(session)
    session.status = InPersonSession.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    session_saved(session=session)
    return session


@dataclass(frozen=True)
class ReminderResult:
    sent: int
    without_email: int


def learners_remind(
    *, session: InPersonSession, user_ids: Iterable[int], by: AbstractBaseUser
) -> ReminderResult:
    """One click on the brief: remind these learners of their prerequisites and survey."""
    from django.contrib.auth import get_user_model

    users = list(
        get_user_model().objects.filter(
            pk__in=list(user_ids),
            session_signups__session=session,
            session_signups__status__in=SignUp.EXPECTED,
        )
    )
    with_email = [u.pk for u in users if u.email]
    if with_email:
        _after_commit(mail.send_readiness_reminders, session_id=session.pk, user_ids=with_email)
    return ReminderResult(sent=len(with_email), without_email=len(users) - len(with_email))


@transaction.atomic
def session_survey_submit(
    *,
    session: InPersonSession,
    user: AbstractBaseUser,
    answers: Any,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """Answer the session's pre-training survey, or change the answer, until its deadline;
    only someone signed up (and not cancelled) may answer."""
    now = now or timezone.now()
    survey = session.survey
    if survey is None:
        raise SurveyRefused("no_survey", gettext("This session has no pre-training survey."))
    signed_up = (
        SignUp.objects.filter(session=session, user=user)
        .exclude(status=SignUp.Status.CANCELLED)
        .exists()
    )
    if not signed_up:
        raise SurveyRefused(
            "not_signed_up", gettext("Sign up for the session to answer its survey.")
        )
    deadline = session_survey_deadline(session)
    if deadline is not None and now >= deadline:
        raise SurveyRefused(
            "closed", gettext("The survey closed; answers can no longer be changed.")
        )
    return survey_response_save(survey=survey, session=session, user=user, answers=answers, now=now)
