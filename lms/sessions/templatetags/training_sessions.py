"""The learner's upcoming sessions and due surveys, as a card on the path map."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from lms.sessions.models import SignUp
from lms.sessions.selectors import session_survey_deadline, sessions_with_seats
from lms.surveys.models import SurveyResponse

register = template.Library()

UPCOMING_LIMIT = 3


@register.inclusion_tag("training_sessions/_upcoming.html", takes_context=True)
def upcoming_sessions(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    now = timezone.now()
    active = [s for s in SignUp.Status.values if s not in (SignUp.Status.CANCELLED,)]
    signups = {
        s.session_id: s
        for s in SignUp.objects.filter(user=user, status__in=active).only(
            "session_id", "status", "offered_until"
        )
    }
    sessions = list(
        sessions_with_seats()
        .filter(pk__in=list(signups), last_end__gt=now, status="scheduled")
        .order_by("first_start")[:UPCOMING_LIMIT]
    )
    answered = set(
        SurveyResponse.objects.filter(user=user, session__in=sessions).values_list(
            "session_id", flat=True
        )
    )
    rows = []
    for session in sessions:
        deadline = session_survey_deadline(session) if session.survey_id else None
        survey_due = bool(
            session.survey_id and session.pk not in answered and deadline and now < deadline
        )
        rows.append(
            {
                "session": session,
                "signup": signups[session.pk],
                "survey_due": survey_due,
                "deadline": deadline,
            }
        )
    return {"rows": rows}
