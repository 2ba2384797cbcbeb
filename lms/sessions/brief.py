"""The trainer's brief of one session: who is expected, what the survey says, who is ready.

The aggregation rules (topic demand, confidence, weak spots, what an anonymous survey
hides) are stated and computed in `lms.surveys.brief`; this module gathers one session's
sign-ups, survey answers and quiz attempts and hands them to those functions.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from lms.progress.models import QuizAttempt
from lms.sessions.models import SignUp
from lms.surveys.brief import (
    ANONYMOUS_MIN_RESPONDENTS,
    Brief,
    Kind,
    QuestionSummary,
    TextAnswer,
    option_counts,
    percent_of,
    person_label,
    readiness_of,
    session_responses,
    texts_by_content,
    texts_by_topic,
    topic_confidence,
    topic_demand,
    weak_spots,
)
from lms.surveys.selectors import question_choices, survey_questions, survey_topics


def session_brief(*, session: Any) -> Brief:
    signups = list(
        SignUp.objects.filter(session=session, status__in=SignUp.EXPECTED)
        .select_related("user__employee")
        .order_by("pk")
    )
    expected_ids = {s.user_id for s in signups}
    responses = [r for r in session_responses(session) if r.user_id in expected_ids]
    survey = session.survey
    anonymous = bool(survey and survey.is_anonymous)
    summaries: list[QuestionSummary] = []
    if survey is not None:
        topics = survey_topics(survey)
        for question in survey_questions(survey):
            answers = [r.answer(question.pk) for r in responses]
            given = [
                (r, a)
                for r, a in zip(responses, answers, strict=True)
                if a not in (None, "", [], {})
            ]
            summary = QuestionSummary(question=question, kind=question.kind, answered=len(given))
            if anonymous and len(given) < ANONYMOUS_MIN_RESPONDENTS:
                summary.hidden = True
            elif question.kind == Kind.TOPICS_RANKED:
                summary.demand = topic_demand(
                    max_choices=question.max_choices,
                    rankings=[a for a in answers if isinstance(a, list)],
                    topics=topics,
                )
            elif question.kind == Kind.TOPIC_CONFIDENCE:
                summary.confidence = [
                    row
                    for row in topic_confidence(
                        ratings=[a for _r, a in given if isinstance(a, dict)], topics=topics
                    )
                    if not anonymous or row.ratings >= ANONYMOUS_MIN_RESPONDENTS
                ]
            elif question.kind in (Kind.SINGLE, Kind.MULTIPLE):
                summary.options = option_counts(
                    answers=[a for _r, a in given],
                    choices=question_choices(question, topics),
                    respondents=len(responses),
                )
            elif anonymous:
                summary.texts = texts_by_topic(
                    texts=[TextAnswer(text, "") for text in texts_by_content(a for _r, a in given)],
                    topics=topics,
                )
            else:
                summary.texts = texts_by_topic(
                    texts=[TextAnswer(str(a), person_label(r.user)) for r, a in given],
                    topics=topics,
                )
            summaries.append(summary)
    course_ids = [c.pk for c in session.prerequisite_courses.all()]
    attempts = (
        QuizAttempt.objects.filter(user_id__in=expected_ids, course_id__in=course_ids)
        .only("user_id", "results", "lesson_title", "quiz_title", "submitted_at")
        .order_by("submitted_at", "pk")
    )
    feedback = [s for s in signups if s.feedback_rating]
    return Brief(
        session=session,
        anonymous=anonymous,
        expected=len(signups),
        respondents=len(responses),
        response_rate=percent_of(len(responses), len(signups)),
        questions=summaries,
        weak_spots=weak_spots(attempts=attempts.iterator()) if course_ids else [],
        readiness=readiness_of(session, signups, {r.user_id for r in responses}),
        feedback_count=len(feedback),
        feedback_average=round(sum(s.feedback_rating for s in feedback) / len(feedback), 2)
        if feedback
        else None,
        feedback_comments=[s.feedback_comment for s in feedback if s.feedback_comment],
        generated_at=timezone.now(),
    )
