"""Trainer pages in the admin: the brief, its CSV and reminders, the roster and the QR code."""

from __future__ import annotations

from typing import Any

import segno
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin import messages

from lms.sessions import services
from lms.sessions.brief import session_brief
from lms.sessions.models import InPersonSession, SignUp
from lms.sessions.selectors import (
    seats_left,
    sessions_with_seats,
    user_may_read_brief,
    user_may_take_attendance,
)
from lms.surveys.brief import (
    ANONYMOUS_MIN_RESPONDENTS,
    hidden_notice,
    person_label,
)
from lms.surveys.charts import demand_chart_svg
from lms.surveys.exports import survey_answers_csv

MAX_REMIND = 1000


def _session_for(request: HttpRequest, pk: int, *, brief: bool) -> InPersonSession:
    session = get_object_or_404(sessions_with_seats(), pk=pk)
    allowed = (
        user_may_read_brief(session=session, user=request.user)
        if brief
        else user_may_take_attendance(session=session, user=request.user)
    )
    if not allowed:
        raise PermissionDenied
    return session


def _parts(session: InPersonSession) -> list[tuple[Any, Any]]:
    tz = session.tz
    return [(p.starts_at.astimezone(tz), p.ends_at.astimezone(tz)) for p in session.ordered_parts()]


@require_GET
def brief_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk, brief=True)
    brief = session_brief(session=session)
    return render(
        request,
        "training_sessions/admin/brief.html",
        {
            "session": session,
            "brief": brief,
            "parts": _parts(session),
            "chart": demand_chart_svg(brief.top_demand),
            "hidden_notice": hidden_notice(),
            "min_respondents": ANONYMOUS_MIN_RESPONDENTS,
            "seats_left": seats_left(session),
            "page_title": _("Brief: %(title)s") % {"title": session.title},
            "header_icon": "doc-full",
        },
    )


@require_GET
def brief_csv(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk, brief=True)
    response = HttpResponse(
        survey_answers_csv(session=session), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-survey.csv"'
    return response


@require_POST
def brief_remind(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk, brief=True)
    raw = request.POST.getlist("user")[:MAX_REMIND]
    user_ids = [int(v) for v in raw if v.isdigit() and len(v) < 12]
    if not user_ids:
        messages.error(request, _("Choose whom to remind."))
        return redirect("session_brief", pk=pk)
    result = services.learners_remind(session=session, user_ids=user_ids, by=request.user)
    if result.sent:
        messages.success(request, _("Reminder sent to %(count)d people.") % {"count": result.sent})
    if result.without_email:
        messages.warning(
            request,
            _("%(count)d people have no email address and were not reminded.")
            % {"count": result.without_email},
        )
    return redirect("session_brief", pk=pk)


@require_GET
def roster_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk, brief=False)
    signups = list(
        SignUp.objects.filter(session=session)
        .exclude(status=SignUp.Status.CANCELLED)
        .select_related("user__employee__department")
        .order_by("user__employee__name", "pk")
    )
    rows = [(s, person_label(s.user)) for s in signups]
    present = sum(1 for s in signups if s.is_present)
    feedback = [s for s in signups if s.feedback_rating]
    return render(
        request,
        "training_sessions/admin/roster.html",
        {
            "session": session,
            "rows": rows,
            "present": present,
            "expected": sum(1 for s in signups if s.status in SignUp.EXPECTED),
            "parts": _parts(session),
            "feedback": feedback,
            "feedback_average": round(sum(s.feedback_rating for s in feedback) / len(feedback), 2)
            if feedback
            else None,
            "marks": [
                (SignUp.Status.ATTENDED, _("Present")),
                (SignUp.Status.LATE, _("Late")),
                (SignUp.Status.ABSENT, _("Absent")),
                (SignUp.Status.EXCUSED, _("Excused")),
            ],
            "page_title": _("Roster: %(title)s") % {"title": session.title},
            "header_icon": "group",
        },
    )


@require_POST
def roster_mark(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk, brief=False)
    signup_id = request.POST.get("signup", "")
    signup = get_object_or_404(
        SignUp,
        pk=int(signup_id) if signup_id.isdigit() and len(signup_id) < 12 else 0,
        session=session,
    )
    action = request.POST.get("status", "")
    try:
        if action in ("approve", "decline"):
            if not services.user_may_approve(signup=signup, user=request.user):
                raise PermissionDenied
            if action == "approve":
                services.signup_approve(signup=signup, by=request.user)
            else:
                services.signup_decline(signup=signup, by=request.user)
        else:
            services.attendance_mark(signup=signup, status=action, by=request.user)
    except services.SessionRefused as error:
        messages.error(request, str(error.message))
    return redirect(reverse("session_roster", args=[pk]) + f"#signup-{signup.pk}")


@require_GET
def check_in_code_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A full-screen QR code to show on the projector; the page refreshes itself."""
    session = _session_for(request, pk, brief=False)
    now = timezone.now()
    token = services.check_in_token(session=session, now=now)
    url = request.build_absolute_uri(reverse("sessions:check-in", args=[pk])) + f"?t={token}"
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#1c2430")
    window = services.check_in_part_window(session=session, now=now)
    return render(
        request,
        "training_sessions/admin/check_in_code.html",
        {
            "session": session,
            "qr": mark_safe(svg),  # noqa: S308 - segno's own SVG of our URL
            "url": url,
            "open": window is not None,
            "refresh": services.TOKEN_SECONDS // 2,
        },
    )
