"""The learner's pages for in-person sessions: list, detail, sign-up, survey, check-in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.paths.models import EnrolmentItem, PathItem
from lms.sessions import services
from lms.sessions.calendar import session_calendar
from lms.sessions.models import InPersonSession, SignUp
from lms.sessions.selectors import (
    prerequisites_missing,
    seats_left,
    session_signup_closes_at,
    session_survey_deadline,
    sessions_for_path_item,
    sessions_open_to,
    sessions_with_seats,
    signups_by_session,
    user_is_in_audience,
)
from lms.surveys.forms import answers_from_post, survey_form
from lms.surveys.selectors import response_for
from lms.surveys.services import SurveyRefused

PAGE_SIZE = 20


def _visible_session(request: HttpRequest, pk: int) -> InPersonSession:
    """A session the learner may see: open to them, or one they have a place in."""
    session = get_object_or_404(sessions_with_seats(), pk=pk)
    mine = SignUp.objects.filter(session=session, user=request.user).exists()
    if not mine and not (
        session.status == InPersonSession.Status.SCHEDULED
        and user_is_in_audience(session=session, user=request.user)
    ):
        raise Http404
    return session


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = sessions_open_to(user=request.user)
    course = request.GET.get("course", "")
    if course.isdigit():
        sessions = sessions.filter(course_id=int(course))
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = signups_by_session(user=request.user, session_ids=[s.pk for s in page])
    rows = [(s, mine.get(s.pk), seats_left(s)) for s in page]
    return render(request, "training_sessions/list.html", {"page": page, "rows": rows})


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    now = timezone.now()
    if session.signups.filter(status=SignUp.Status.OFFERED, offered_until__lte=now).exists():
        services.session_offers_move_on(session=session, now=now)
        session = _visible_session(request, pk)
    signup = SignUp.objects.filter(session=session, user=request.user).first()
    response = response_for(session=session, user=request.user)
    deadline = session_survey_deadline(session)
    closes = session_signup_closes_at(session)
    context: dict[str, Any] = {
        "session": session,
        "parts": [
            (p.starts_at.astimezone(session.tz), p.ends_at.astimezone(session.tz))
            for p in session.ordered_parts()
        ],
        "signup": signup,
        "seats_left": seats_left(session),
        "survey_response": response,
        "survey_open": session.survey_id is not None and (deadline is None or now < deadline),
        "survey_deadline": deadline,
        "signup_open": session.status == InPersonSession.Status.SCHEDULED
        and (session.signup_opens_at is None or session.signup_opens_at <= now)
        and (closes is None or now < closes),
        "missing": prerequisites_missing(session=session, user=request.user),
        "can_give_feedback": signup is not None and signup.status in SignUp.PRESENT,
    }
    return render(request, "training_sessions/detail.html", context)


def _refused(request: HttpRequest, error: services.SessionRefused) -> None:
    messages.error(request, str(error.message))


@login_required
@require_POST
def session_signup(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    try:
        signup = services.session_sign_up(session=session, user=request.user)
    except services.SessionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _signup_message(signup))
    return redirect("sessions:detail", pk=pk)


def _signup_message(signup: SignUp) -> str:
    if signup.status == SignUp.Status.WAITLISTED:
        return _(
            "The session is full: you are on the waitlist. We will offer you a seat when one frees up."
        )
    if signup.status == SignUp.Status.PENDING:
        return _("Signed up. Your manager must approve it; your seat is held until then.")
    return _("You have a seat. The calendar invite is on its way.")


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    try:
        services.signup_cancel(session=session, user=request.user)
    except services.SessionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("Your place is cancelled."))
    return redirect("sessions:detail", pk=pk)


@login_required
@require_POST
def session_accept(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    try:
        signup = services.signup_accept_offer(session=session, user=request.user)
    except services.SessionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _signup_message(signup))
    return redirect("sessions:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_survey(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    if session.survey is None:
        raise Http404
    existing = response_for(session=session, user=request.user)
    answers = existing.answers if existing else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        answers = answers_from_post(survey=session.survey, data=request.POST)
        try:
            services.session_survey_submit(session=session, user=request.user, answers=answers)
        except SurveyRefused as error:
            errors = error.errors
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("Thank you: your answers are saved. You can change them until the deadline."),
            )
            return redirect("sessions:detail", pk=pk)
    deadline = session_survey_deadline(session)
    status = 400 if errors or request.method == "POST" else 200
    return render(
        request,
        "training_sessions/survey.html",
        {
            "session": session,
            "survey": session.survey,
            "questions": survey_form(survey=session.survey, answers=answers, errors=errors),
            "existing": existing,
            "deadline": deadline.astimezone(session.tz) if deadline else None,
            "closed": deadline is not None and timezone.now() >= deadline,
        },
        status=status,
    )


@login_required
@require_GET
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    signup = SignUp.objects.filter(session=session, user=request.user).first()
    cancelled = session.status == InPersonSession.Status.CANCELLED or (
        signup is not None and signup.status == SignUp.Status.CANCELLED
    )
    body = session_calendar(
        session=session,
        method="CANCEL" if cancelled else "REQUEST",
        attendee=request.user if signup else None,
        url=request.build_absolute_uri(reverse("sessions:detail", args=[pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def session_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The page a learner's phone opens from the trainer's QR code; POST checks in."""
    session = get_object_or_404(sessions_with_seats(), pk=pk)
    token = request.POST.get("t") if request.method == "POST" else request.GET.get("t", "")
    token = (token or "")[:64]
    error = ""
    signup = None
    if request.method == "POST":
        try:
            signup = services.session_check_in(session=session, user=request.user, token=token)
        except services.SessionRefused as refused:
            error = str(refused.message)
    status = 400 if error else 200
    return render(
        request,
        "training_sessions/check_in.html",
        {"session": session, "token": token, "error": error, "signup": signup},
        status=status,
    )


@login_required
@require_POST
def session_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    raw = request.POST.get("rating", "")
    rating = int(raw) if raw.isdigit() and len(raw) < 3 else 0
    try:
        services.session_feedback_submit(
            session=session,
            user=request.user,
            rating=rating,
            comment=request.POST.get("comment", "")[:2000],
        )
    except services.SessionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect("sessions:detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest) -> HttpResponse:
    """A manager approves or declines their reports' sign-ups that wait for approval."""
    pending = SignUp.objects.filter(
        status=SignUp.Status.PENDING, user__employee__manager__user=request.user
    ).select_related("session", "user__employee")
    if request.method == "POST":
        raw = request.POST.get("signup", "")
        signup = get_object_or_404(pending, pk=int(raw) if raw.isdigit() and len(raw) < 12 else 0)
        if request.POST.get("decision") == "approve":
            services.signup_approve(signup=signup, by=request.user)
            messages.success(request, _("Approved."))
        elif request.POST.get("decision") == "decline":
            services.signup_decline(signup=signup, by=request.user)
            messages.success(request, _("Declined; the seat goes to the next person."))
        else:
            messages.error(request, _("Choose approve or decline."))
        return redirect("sessions:approvals")
    return render(
        request,
        "training_sessions/approvals.html",
        {"pending": list(pending.order_by("queued_at"))},
    )


@login_required
@require_GET
def path_item_redirect(request: HttpRequest, item_pk: int) -> HttpResponseBase:
    """From the path map: a session item opens the learner's session (or the choice of
    sessions), a survey item opens the survey of their session."""
    mine = get_object_or_404(
        EnrolmentItem.objects.select_related("item"),
        pk=item_pk,
        enrolment__employee__user=request.user,
    )
    item = mine.item
    if item is None:
        raise Http404
    if item.kind == PathItem.Kind.SURVEY:
        from lms.surveys.models import Survey

        linked = Survey.objects.filter(path_items=item).values("pk")
        signup = (
            SignUp.objects.filter(user=request.user, session__survey__in=linked)
            .exclude(status=SignUp.Status.CANCELLED)
            .order_by("-queued_at")
            .first()
        )
        if signup is None and item.course_id:
            signup = (
                SignUp.objects.filter(user=request.user, session__course_id=item.course_id)
                .exclude(status=SignUp.Status.CANCELLED)
                .exclude(session__survey=None)
                .first()
            )
        if signup is not None:
            return redirect("sessions:survey", pk=signup.session_id)
        messages.info(request, _("Sign up for the session first; its survey opens then."))
        return redirect("sessions:list")
    sessions = list(sessions_for_path_item(item=item))
    signed = SignUp.objects.filter(user=request.user, session__in=sessions).exclude(
        status=SignUp.Status.CANCELLED
    )
    chosen = signed.order_by("-queued_at").first()
    if chosen is not None:
        return redirect("sessions:detail", pk=chosen.session_id)
    open_ids = set(sessions_open_to(user=request.user).values_list("pk", flat=True))
    choices = [s for s in sessions if s.pk in open_ids]
    if len(choices) == 1:
        return redirect("sessions:detail", pk=choices[0].pk)
    url = reverse("sessions:list")
    return redirect(f"{url}?course={item.course_id}" if item.course_id else url)
