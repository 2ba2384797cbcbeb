"""In-person sessions and surveys in the reports: reminders, transcript columns, per-session view.

Registered into the reports' registries (REMINDER_SOURCES, SUBJECT_CHECKS,
TRANSCRIPT_EXTENSIONS) when the app loads, so the core of the reports does not import
the sessions app. Session reminders go into the same daily batch as everything else,
so a learner with a session tomorrow and an overdue course still gets one message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Exists, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.org.models import Employee
from lms.reports.reminders import (
    ReminderCandidate,
    reminder_source,
    setting,
    subject_check,
)
from lms.reports.scope import ReportScope
from lms.sessions.models import InPersonSession, SignUp
from lms.surveys.models import SurveyResponse

KIND_SESSION_TOMORROW = "session_tomorrow"
KIND_SURVEY_DUE = "survey_due"
# Sign-ups that hold a seat and still expect the person to come.
COMING = (SignUp.Status.CONFIRMED, SignUp.Status.OFFERED, SignUp.Status.PENDING)


def _language(code: str | None) -> str:
    return code or settings.LANGUAGE_CODE


def _local_when(moment: dt.datetime, session: InPersonSession) -> str:
    return timezone.localtime(moment, session.tz).strftime("%Y-%m-%d %H:%M")


def _coming_signups(start: dt.datetime, end: dt.datetime) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(
            status__in=COMING,
            session__status=InPersonSession.Status.SCHEDULED,
            user__employee__status=Employee.Status.ACTIVE,
        )
        .annotate(first_start=Min("session__parts__starts_at"))
        .filter(first_start__gt=start, first_start__lte=end)
        .select_related("session", "user__employee")
    )


@reminder_source
def sessions_tomorrow(today: dt.date) -> Iterable[ReminderCandidate]:
    """Everyone with a seat in a session that starts within the next day."""
    now = timezone.now()
    for signup in _coming_signups(now, now + dt.timedelta(days=1)):
        employee = signup.user.employee
        with translation.override(_language(employee.preferred_language)):
            text = _("Tomorrow: “%(title)s” at %(when)s, %(where)s.") % {
                "title": signup.session.title,
                "when": _local_when(signup.first_start, signup.session),  # type: ignore[attr-defined]
                "where": signup.session.location_text or signup.session.online_url or "—",
            }
        yield ReminderCandidate(
            employee.pk,
            employee.pk,
            KIND_SESSION_TOMORROW,
            f"signup:{signup.pk}",
            0,
            text,
            reverse("sessions:detail", args=[signup.session_id]),
        )


@reminder_source
def surveys_due(today: dt.date) -> Iterable[ReminderCandidate]:
    """A seat in a session whose pre-training survey is still unanswered, due soon."""
    now = timezone.now()
    horizon = now + dt.timedelta(days=setting("REPORTS_DUE_SOON_DAYS", 3))
    answered = SurveyResponse.objects.filter(
        session_id=OuterRef("session_id"), user_id=OuterRef("user_id")
    )
    signups = (
        _coming_signups(now, now + dt.timedelta(days=60))
        .filter(session__survey__isnull=False)
        .annotate(answered=Exists(answered))
        .filter(answered=False)
    )
    for signup in signups:
        session = signup.session
        deadline = session.survey_deadline or signup.first_start  # type: ignore[attr-defined]
        if deadline is None or not now < deadline <= horizon:
            continue
        employee = signup.user.employee
        with translation.override(_language(employee.preferred_language)):
            text = _("Answer the pre-training survey of “%(title)s” by %(when)s.") % {
                "title": session.title,
                "when": _local_when(deadline, session),
            }
        yield ReminderCandidate(
            employee.pk,
            employee.pk,
            KIND_SURVEY_DUE,
            f"signup:{signup.pk}",
            0,
            text,
            reverse("sessions:survey", args=[session.pk]),
        )


@subject_check("signup")
def signups_still_coming(ids: set[int]) -> set[int]:
    return set(
        SignUp.objects.filter(pk__in=sorted(ids), status__in=COMING).values_list("pk", flat=True)
    )


# --- transcript -------------------------------------------------------------------


def transcript_attendance(employee: Employee, rows: list[Any]) -> None:
    """Attendance and feedback on session items, "answered" on survey items."""
    signups = (
        SignUp.objects.filter(user_id=employee.user_id)
        .exclude(status=SignUp.Status.CANCELLED)
        .select_related("session")
        .prefetch_related("session__path_items")
        .order_by("queued_at")
    )
    by_item: dict[int, SignUp] = {}
    for signup in signups:
        for path_item in signup.session.path_items.all():
            by_item[path_item.pk] = signup  # the latest sign-up wins
    responses = SurveyResponse.objects.filter(user_id=employee.user_id).prefetch_related(
        "survey__path_items"
    )
    answered: dict[int, SurveyResponse] = {}
    for response in responses:
        for path_item in response.survey.path_items.all():
            answered[path_item.pk] = response
    for row in rows:
        item_id = row.item.item_id
        if item_id in by_item:
            signup = by_item[item_id]
            row.extra[_("Attendance")] = signup.get_status_display()
            if signup.feedback_rating:
                row.extra[_("Feedback")] = f"{signup.feedback_rating}/5"
        if item_id in answered:
            submitted = timezone.localtime(answered[item_id].submitted_at)
            row.extra[_("Survey answered")] = submitted.strftime("%Y-%m-%d")


# --- per-session view ---------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    session: InPersonSession
    first_start: dt.datetime | None
    signed_up: int
    attended: int
    absent: int
    answered: int
    average_rating: float | None
    ratings: int


def report_sessions(*, scope: ReportScope) -> list[SessionRow]:
    """Each session with the sign-ups of the people in view (one query)."""
    people = scope.people_q("user__employee__")
    mine = Q(signups__status__in=SignUp.EXPECTED) & _prefixed(people, "signups__")
    answered = (
        SurveyResponse.objects.filter(
            session_id=OuterRef("pk"), user__employee__in=scope.people(Employee.objects.all())
        )
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )

    sessions = (
        InPersonSession.objects.annotate(
            first_start=Min("parts__starts_at"),
            signed_up=Count("signups", filter=mine, distinct=True),
            attended=Count(
                "signups", filter=mine & Q(signups__status__in=SignUp.PRESENT), distinct=True
            ),
            absent=Count(
                "signups", filter=mine & Q(signups__status=SignUp.Status.ABSENT), distinct=True
            ),
            average_rating=Avg(
                "signups__feedback_rating", filter=mine & Q(signups__feedback_rating__isnull=False)
            ),
            ratings=Count(
                "signups", filter=mine & Q(signups__feedback_rating__isnull=False), distinct=True
            ),
            answered=Subquery(answered),
        )
        .filter(signed_up__gt=0)
        .order_by("-first_start", "pk")
    )
    return [
        SessionRow(
            session=s,
            first_start=s.first_start,  # type: ignore[attr-defined]
            signed_up=s.signed_up,  # type: ignore[attr-defined]
            attended=s.attended,  # type: ignore[attr-defined]
            absent=s.absent,  # type: ignore[attr-defined]
            answered=s.answered or 0,  # type: ignore[attr-defined]
            average_rating=s.average_rating,  # type: ignore[attr-defined]
            ratings=s.ratings,  # type: ignore[attr-defined]
        )
        for s in sessions
    ]


def _prefixed(condition: Q, prefix: str) -> Q:
    """A Q on SignUp fields, re-rooted under a relation (signups__…)."""
    if not condition.children:
        return Q()
    rooted = Q()
    rooted.connector = condition.connector
    rooted.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            rooted.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            rooted.children.append((f"{prefix}{key}", value))
    return rooted


def report_session_people(*, scope: ReportScope, session: InPersonSession) -> QuerySet[SignUp]:
    answered = SurveyResponse.objects.filter(session_id=session.pk, user_id=OuterRef("user_id"))
    return (
        SignUp.objects.filter(session=session, status__in=SignUp.EXPECTED)
        .filter(scope.people_q("user__employee__"))
        .annotate(answered=Exists(answered))
        .select_related("user__employee__department")
        .order_by("user__employee__employee_no")
    )


def session_export_table(request: Any, today: dt.date) -> Any:
    """The per-session view as a file: who came, when they checked in, survey, feedback.

    Only the viewer's people, as on the page; an unknown session gives no rows.
    """
    from lms.reports.exports import ExportTable, _local

    session = InPersonSession.objects.filter(pk=request.session_id or 0).first()
    signups = (
        report_session_people(scope=request.scope, session=session)
        if session is not None
        else SignUp.objects.none().annotate(answered=Value(False))
    ).values_list(
        "user__employee__employee_no",
        "user__employee__name",
        "user__employee__department__name",
        "status",
        "checked_in_at",
        "answered",
        "feedback_rating",
        "feedback_comment",
    )
    statuses = {key: str(label) for key, label in SignUp.Status.choices}
    yes, no = _("Yes"), _("No")

    def convert(row: tuple[Any, ...]) -> list[Any]:
        number, name, department, status, checked_in, answered, rating, comment = row
        return [
            number,
            name,
            department,
            statuses.get(status, status),
            _local(checked_in),
            yes if answered else no,
            rating,
            comment or "",
        ]

    headers = [
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Attendance"),
        _("Checked in at"),
        _("Survey answered"),
        _("Feedback rating (1–5)"),
        _("Feedback comment"),
    ]
    return ExportTable(headers, signups, convert)


def register() -> None:
    from lms.reports.exports import EXPORT_KINDS, ExportKind
    from lms.reports.selectors import TRANSCRIPT_EXTENSIONS

    if transcript_attendance not in TRANSCRIPT_EXTENSIONS:
        TRANSCRIPT_EXTENSIONS.append(transcript_attendance)
    EXPORT_KINDS["session"] = ExportKind(session_export_table, needs="session_id")
