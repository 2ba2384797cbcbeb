"""In-person sessions from the phone: join, cancel, the survey, the invite; the brief.

    GET  /api/v1/sessions/                  sessions I may join (or have a place in)
    POST /api/v1/sessions/{id}/signup/      a seat, or the waitlist when full (201/200)
    POST /api/v1/sessions/{id}/accept/      take a seat offered to me from the waitlist
    POST /api/v1/sessions/{id}/cancel/      give up my seat or waitlist place
    GET  /api/v1/sessions/{id}/survey/      the survey with my answers
    PUT  /api/v1/sessions/{id}/survey/      {"answers": {question id: answer}}
    GET  /api/v1/sessions/{id}/brief/       the trainer's brief (its trainers, HR, admin)
    GET  /api/v1/sessions/{id}/calendar.ics the invite

A refusal by the rules (full is not one: that is the waitlist) is a 409 with a code and
a translated message: closed, not_open, not_eligible, prerequisites, cancelled,
cutoff, not_signed_up, no_offer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django_filters
from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from lms.api.v1.errors import errors
from lms.sessions import services
from lms.sessions.brief import session_brief
from lms.sessions.calendar import session_calendar
from lms.sessions.models import InPersonSession, SignUp
from lms.sessions.selectors import (
    seats_left,
    session_survey_deadline,
    sessions_open_to,
    sessions_with_seats,
    signups_by_session,
    user_is_in_audience,
    user_may_read_any_brief,
    user_may_read_brief,
)
from lms.surveys.models import SurveyResponse
from lms.surveys.selectors import question_choices, response_for, survey_questions, survey_topics
from lms.surveys.services import SurveyRefused
from media.api_common import (
    EARLIEST,
    MAX_ID,
    IdField,
    refuse_control_characters,
    time_clamped,
)

SIGNUP_STATUSES = "One of: " + ", ".join(SignUp.Status.values)


class SessionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT

    def __init__(self, *, code: str, message: object) -> None:
        super().__init__(detail=str(message), code=code)


class SurveyInvalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST


def _visible(request: Request, pk: int) -> InPersonSession:
    session = sessions_with_seats().filter(pk=pk).first()
    if session is None:
        raise NotFound()
    mine = SignUp.objects.filter(session=session, user=request.user).exists()
    if not mine and not (
        session.status == InPersonSession.Status.SCHEDULED
        and user_is_in_audience(session=session, user=request.user)
    ):
        raise NotFound()
    return session


def _existing(pk: int) -> InPersonSession:
    session = sessions_with_seats().filter(pk=pk).first()
    if session is None:
        raise NotFound()
    return session


class PartOutput(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class SessionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    course = serializers.IntegerField(source="course_id", allow_null=True)
    starts_at = serializers.DateTimeField(source="first_start", allow_null=True)
    ends_at = serializers.DateTimeField(source="last_end", allow_null=True)
    parts = serializers.SerializerMethodField()
    time_zone = serializers.CharField()
    room = serializers.CharField()
    address = serializers.CharField()
    map_url = serializers.CharField()
    online_url = serializers.CharField()
    capacity = serializers.IntegerField()
    seats_left = serializers.SerializerMethodField()
    status = serializers.CharField()
    signup_opens_at = serializers.DateTimeField(allow_null=True)
    signup_closes_at = serializers.DateTimeField(allow_null=True)
    prerequisites_by = serializers.CharField()
    needs_manager_approval = serializers.BooleanField()
    has_survey = serializers.SerializerMethodField()
    survey_deadline = serializers.SerializerMethodField()
    my_status = serializers.SerializerMethodField()
    offered_until = serializers.SerializerMethodField()
    survey_answered = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def _mine(self, session: InPersonSession) -> SignUp | None:
        return self.context.get("mine", {}).get(session.pk)

    @extend_schema_field(PartOutput(many=True))
    def get_parts(self, session: InPersonSession) -> list[dict[str, Any]]:
        return [{"starts_at": p.starts_at, "ends_at": p.ends_at} for p in session.ordered_parts()]

    def get_seats_left(self, session: InPersonSession) -> int:
        return seats_left(session)

    def get_has_survey(self, session: InPersonSession) -> bool:
        return session.survey_id is not None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_survey_deadline(self, session: InPersonSession) -> Any:
        if session.survey_id is None:
            return None
        deadline = session_survey_deadline(session)
        return serializers.DateTimeField().to_representation(deadline) if deadline else None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text=SIGNUP_STATUSES))
    def get_my_status(self, session: InPersonSession) -> str | None:
        mine = self._mine(session)
        return mine.status if mine else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_offered_until(self, session: InPersonSession) -> Any:
        mine = self._mine(session)
        if mine is None or mine.offered_until is None:
            return None
        return serializers.DateTimeField().to_representation(mine.offered_until)

    def get_survey_answered(self, session: InPersonSession) -> bool:
        return session.pk in self.context.get("answered", set())

    def get_url(self, session: InPersonSession) -> str:
        return reverse("sessions:detail", args=[session.pk])


def _context_for(request: Request, sessions: list[InPersonSession]) -> dict[str, Any]:
    ids = [s.pk for s in sessions]
    answered = set(
        SurveyResponse.objects.filter(user=request.user, session_id__in=ids).values_list(
            "session_id", flat=True
        )
    )
    return {
        "request": request,
        "mine": signups_by_session(user=request.user, session_ids=ids),
        "answered": answered,
    }


@extend_schema_field(IdField())
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _ClampedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time; one before 2000 or after 2100 counts as that end of the range.

    No session lies outside the range, so a bound beyond it filters the same as the
    range's end, and any valid time (the schema's date-time, year 1 to 9999) is accepted.
    """

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None and self._given_empty:
            raise forms.ValidationError(_("Give a time, or leave the filter out."), code="empty")

    def to_python(self, value: Any) -> Any:
        # `starts_before=` (given, empty) is no time at all, as the schema's date-time says.
        self._given_empty = value == ""
        try:
            parsed = super().to_python(value)
        except OverflowError:  # year 1 with a positive offset is before year 1 in UTC
            return EARLIEST
        return None if parsed is None else time_clamped(parsed)


@extend_schema_field(OpenApiTypes.DATETIME)
class ClampedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _ClampedIsoDateTimeField


class _StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is a 400, not silently "no filter"."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value.lower() not in self.VALUES:
            raise forms.ValidationError(_("Use true or false."), code="invalid")
        return self.VALUES[value.lower()]


@extend_schema_field(OpenApiTypes.BOOL)
class MineFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["widget"] = forms.TextInput  # the raw text, to refuse what is not a boolean
        super().__init__(*args, **kwargs)


class SessionFilter(django_filters.FilterSet):
    course = IdFilter(field_name="course_id")
    starts_after = ClampedIsoDateTimeFilter(field_name="first_start", lookup_expr="gte")
    starts_before = ClampedIsoDateTimeFilter(field_name="first_start", lookup_expr="lt")
    mine = MineFilter(method="filter_mine", help_text="Only sessions I have a place in.")

    class Meta:
        model = InPersonSession
        fields = ["course", "starts_after", "starts_before", "mine"]

    def filter_mine(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        mine = SignUp.objects.filter(user=self.request.user).exclude(status=SignUp.Status.CANCELLED)
        ids = mine.values("session_id")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


NO_SUCH_PAGE = {404: "No such page (page counts from 1 to the last page)."}


@extend_schema_view(
    get=extend_schema(
        responses={200: SessionOutput(many=True), **errors(400, 404, described=NO_SUCH_PAGE)}
    )
)
class SessionListApi(ListAPIView):
    serializer_class = SessionOutput
    filterset_class = SessionFilter

    def get_queryset(self) -> Any:
        return sessions_open_to(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = SessionOutput(rows, many=True, context=_context_for(request, rows)).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class SignUpOutput(serializers.Serializer):
    session = serializers.IntegerField(source="session_id")
    status = serializers.CharField(help_text=SIGNUP_STATUSES)
    offered_until = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField()


def _signup_json(signup: SignUp) -> dict[str, Any]:
    messages = {
        SignUp.Status.CONFIRMED: _("You have a seat. The calendar invite is on its way."),
        SignUp.Status.PENDING: _(
            "Signed up. Your manager must approve it; your seat is held until then."
        ),
        SignUp.Status.WAITLISTED: _(
            "The session is full: you are on the waitlist. We will offer you a seat when one frees up."
        ),
        SignUp.Status.OFFERED: _("A seat is held for you: take it before the offer ends."),
        SignUp.Status.CANCELLED: _("Your place is cancelled."),
    }
    return SignUpOutput(
        {
            "session_id": signup.session_id,
            "status": signup.status,
            "offered_until": signup.offered_until,
            "message": str(messages.get(signup.status, signup.get_status_display())),
        }
    ).data


CONFLICT = {
    409: "Refused by the rules: error.code says why (closed, not_eligible, prerequisites …)."
}


@contextmanager
def _refusal_as_conflict() -> Iterator[None]:
    try:
        yield
    except services.SessionRefused as refused:
        raise SessionConflict(code=refused.code, message=refused.message) from None


class SessionSignUpApi(GenericAPIView):
    serializer_class = SignUpOutput

    @extend_schema(
        request=None,
        responses={
            201: SignUpOutput,
            200: SignUpOutput,
            **errors(404, 409, described=CONFLICT),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        session = _existing(pk)
        had = (
            SignUp.objects.filter(session=session, user=request.user)
            .exclude(status=SignUp.Status.CANCELLED)
            .exists()
        )
        with _refusal_as_conflict():
            signup = services.session_sign_up(session=session, user=request.user)
        return Response(
            _signup_json(signup), status=status.HTTP_200_OK if had else status.HTTP_201_CREATED
        )


class _SignUpChangeApi(GenericAPIView):
    """One service applied to the caller's own sign-up for a session they can see."""

    serializer_class = SignUpOutput
    change: Callable[..., SignUp]

    @extend_schema(
        request=None, responses={200: SignUpOutput, **errors(404, 409, described=CONFLICT)}
    )
    def post(self, request: Request, pk: int) -> Response:
        session = _visible(request, pk)
        with _refusal_as_conflict():
            signup = type(self).change(session=session, user=request.user)
        return Response(_signup_json(signup))


class SessionAcceptApi(_SignUpChangeApi):
    change = staticmethod(services.signup_accept_offer)


class SessionCancelApi(_SignUpChangeApi):
    change = staticmethod(services.signup_cancel)


class ChoiceOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class QuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    prompt = serializers.CharField()
    required = serializers.BooleanField()
    max_choices = serializers.IntegerField()
    choices = ChoiceOutput(many=True)


class SurveyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    intro = serializers.CharField()
    anonymous = serializers.BooleanField()
    deadline = serializers.DateTimeField(allow_null=True)
    open = serializers.BooleanField()
    questions = QuestionOutput(many=True)
    answers = serializers.DictField(
        allow_null=True, help_text="My answers by question id, or null."
    )
    submitted_at = serializers.DateTimeField(allow_null=True)


class SurveyInput(serializers.Serializer):
    answers = serializers.DictField(
        help_text=(
            "By question id: ranked topics and multiple choice a list of keys, confidence an "
            "object of topic key → 1–5, single choice a key, free text a string."
        )
    )

    def validate_answers(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 100:
            raise serializers.ValidationError(_("Too many answers."))
        refuse_control_characters(value)
        return value


def _survey_json(session: InPersonSession, user: Any) -> dict[str, Any]:
    from django.utils import timezone

    survey = session.survey
    topics = survey_topics(survey)
    response = response_for(session=session, user=user)
    deadline = session_survey_deadline(session)
    return SurveyOutput(
        {
            "id": survey.pk,
            "title": survey.title,
            "intro": survey.intro,
            "anonymous": survey.is_anonymous,
            "deadline": deadline,
            "open": deadline is None or timezone.now() < deadline,
            "questions": [
                {
                    "id": q.pk,
                    "kind": q.kind,
                    "prompt": q.prompt,
                    "required": q.required,
                    "max_choices": q.max_choices,
                    "choices": [
                        {"key": k, "label": label} for k, label in question_choices(q, topics)
                    ],
                }
                for q in survey_questions(survey)
            ],
            "answers": response.answers if response else None,
            "submitted_at": response.submitted_at if response else None,
        }
    ).data


class SessionSurveyApi(GenericAPIView):
    serializer_class = SurveyOutput

    def _session(self, request: Request, pk: int) -> InPersonSession:
        session = _visible(request, pk)
        if session.survey is None:
            raise NotFound(_("This session has no pre-training survey."))
        return session

    def get_object(self) -> InPersonSession:
        # What DRF's OPTIONS metadata asks before describing PUT: the same lookup as PUT's.
        return self._session(self.request, self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return SurveyInput if self.request.method == "PUT" else SurveyOutput

    @extend_schema(responses={200: SurveyOutput, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_survey_json(self._session(request, pk), request.user))

    @extend_schema(
        request=SurveyInput,
        responses={200: SurveyOutput, **errors(400, 404, 409, described=CONFLICT)},
    )
    def put(self, request: Request, pk: int) -> Response:
        session = self._session(request, pk)
        data = SurveyInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.session_survey_submit(
                session=session, user=request.user, answers=data.validated_data["answers"]
            )
        except SurveyRefused as refused:
            if refused.code in ("invalid", "bad_answers"):
                raise serializers.ValidationError(
                    {
                        "answers": [str(refused.message)],
                        **{key: [msg] for key, msg in refused.errors.items()},
                    }
                ) from None
            raise SessionConflict(code=refused.code, message=refused.message) from None
        return Response(_survey_json(session, request.user))


class SessionBriefApi(GenericAPIView):
    serializer_class = None

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        refusal = _("Only the session's trainers and HR can read its brief.")
        # Someone who may read no brief at all is refused before the lookup: a learner
        # gets the same 403 for every id, and learns nothing of which sessions exist.
        if not user_may_read_any_brief(request.user):
            raise PermissionDenied(refusal)
        session = _existing(pk)
        if not user_may_read_brief(session=session, user=request.user):
            raise PermissionDenied(refusal)
        return Response(session_brief(session=session).as_json())


class SessionCalendarApi(GenericAPIView):
    serializer_class = None

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY, **errors(404)})
    def get(self, request: Request, pk: int) -> HttpResponse:
        session = _visible(request, pk)
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
