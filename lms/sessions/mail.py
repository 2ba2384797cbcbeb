"""Mail about in-person sessions, sent in the background: invites, seat offers, approval
requests, readiness reminders.

These tasks only read and send; they change nothing, so they sit below the services,
which enqueue them on commit (`_after_commit` in lms/sessions/services.py). Background
work that changes state is in lms/sessions/tasks.py and calls a service.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from lms.ops import lanes
from lms.sessions.models import InPersonSession, SignUp
from lms.sessions.selectors import prerequisites_missing


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _language_of(user: object) -> str:
    employee = getattr(user, "employee", None)
    return getattr(employee, "preferred_language", "") or settings.LANGUAGE_CODE


def _when(session: InPersonSession) -> str:
    starts = session.starts_at
    if starts is None:
        return ""
    return date_format(starts.astimezone(session.tz), "DATETIME_FORMAT")


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def send_invite(signup_id: int, method: str = "REQUEST") -> bool:
    """Email the calendar invite (or its cancellation) to one learner."""
    from lms.sessions.calendar import session_calendar

    signup = SignUp.objects.select_related("session", "user").filter(pk=signup_id).first()
    if signup is None or not signup.user.email:
        return False
    session = signup.session
    with translation.override(_language_of(signup.user)):
        url = _absolute(reverse("sessions:detail", args=[session.pk]))
        if method == "CANCEL":
            subject = _("Cancelled: %(title)s") % {"title": session.title}
            body = _("Your place in %(title)s (%(when)s) is cancelled.")
        else:
            subject = _("In-person session: %(title)s") % {"title": session.title}
            body = _("You have a seat in %(title)s, %(when)s. Details: %(url)s")
        body = body % {"title": session.title, "when": _when(session), "url": url}
        ics = session_calendar(session=session, method=method, attendee=signup.user, url=url)
    message = EmailMultiAlternatives(subject, body, to=[signup.user.email])
    message.attach("invite.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    message.send()
    return True


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def send_seat_offer(signup_id: int) -> bool:
    signup = SignUp.objects.select_related("session", "user").filter(pk=signup_id).first()
    if signup is None or signup.status != SignUp.Status.OFFERED or not signup.user.email:
        return False
    session = signup.session
    with translation.override(_language_of(signup.user)):
        url = _absolute(reverse("sessions:detail", args=[session.pk]))
        until = date_format(signup.offered_until.astimezone(session.tz), "DATETIME_FORMAT")
        subject = _("A seat is free for you: %(title)s") % {"title": session.title}
        body = _("A seat in %(title)s is held for you until %(until)s. Take it here: %(url)s") % {
            "title": session.title,
            "until": until,
            "url": url,
        }
    EmailMultiAlternatives(subject, body, to=[signup.user.email]).send()
    return True


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def send_approval_request(signup_id: int) -> bool:
    """Ask the learner's manager to approve a sign-up (its seat is held meanwhile)."""
    signup = (
        SignUp.objects.select_related("session", "user__employee__manager__user")
        .filter(pk=signup_id)
        .first()
    )
    employee = getattr(signup.user, "employee", None) if signup else None
    manager = employee.manager.user if employee and employee.manager else None
    if signup is None or manager is None or not manager.email:
        return False
    with translation.override(_language_of(manager)):
        subject = _("Please approve: %(name)s for %(title)s") % {
            "name": employee.name,
            "title": signup.session.title,
        }
        body = _("%(name)s signed up for %(title)s (%(when)s). Approve or decline: %(url)s") % {
            "name": employee.name,
            "title": signup.session.title,
            "when": _when(signup.session),
            "url": _absolute(reverse("sessions:approvals")),
        }
    EmailMultiAlternatives(subject, body, to=[manager.email]).send()
    return True


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def send_readiness_reminders(session_id: int, user_ids: list[int]) -> int:
    """From the brief's 'remind' button: what is still to do before the session."""
    from lms.surveys.selectors import response_for

    session = InPersonSession.objects.filter(pk=session_id).first()
    if session is None:
        return 0
    sent = 0
    for user in get_user_model().objects.filter(pk__in=user_ids).exclude(email=""):
        with translation.override(_language_of(user)):
            todo = [
                _("Complete the course %(title)s") % {"title": title}
                for title in prerequisites_missing(session=session, user=user)
            ]
            if session.survey_id and response_for(session=session, user=user) is None:
                todo.append(_("Answer the pre-training survey"))
            if not todo:
                continue
            url = _absolute(reverse("sessions:detail", args=[session.pk]))
            subject = _("Before %(title)s") % {"title": session.title}
            body = "\n".join(
                [
                    _("Before the session on %(when)s, please:") % {"when": _when(session)},
                    *[f"- {line}" for line in todo],
                    url,
                ]
            )
        EmailMultiAlternatives(subject, body, to=[user.email]).send()
        sent += 1
    return sent
