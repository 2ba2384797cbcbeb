"""A session with a survey and three known responses from four people coming."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from lms.sessions.models import SignUp
from lms.surveys.models import SurveyQuestion, SurveyResponse
from tests.sessions.factories import (
    InPersonSessionFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    learner,
)

Kind = SurveyQuestion.Kind


@dataclass
class Known:
    session: Any
    survey: Any
    people: list[Any]
    ranked: Any
    confidence: Any
    single: Any
    text: Any
    topics: dict[str, str]  # title -> key


def known_brief(course, *, anonymous: bool = False, trainers=()) -> Known:
    survey = SurveyFactory(course=course, is_anonymous=anonymous)
    ranked = SurveyQuestionFactory(
        survey=survey, kind=Kind.TOPICS_RANKED, max_choices=2, prompt="想重点讲解的主题"
    )
    confidence = SurveyQuestionFactory(survey=survey, kind=Kind.TOPIC_CONFIDENCE, prompt="掌握程度")
    single = SurveyQuestionFactory(
        survey=survey, kind=Kind.SINGLE, options="有\n没有", prompt="做过贷前审核吗"
    )
    text = SurveyQuestionFactory(
        survey=survey, kind=Kind.TEXT, required=False, prompt="还有什么问题"
    )
    session = InPersonSessionFactory(survey=survey, capacity=10, trainers=list(trainers))
    topics = {t.title: f"t{t.pk}" for t in course.topics.all()}
    a, b, c = (topics["风险控制部的职责"], topics["贷前、贷中、贷后"], topics["从案例中学习"])
    people = [learner() for _ in range(4)]
    for person in people:
        SignUp.objects.create(
            session=session, user=person, status="confirmed", queued_at=timezone.now()
        )
    answers = [
        {
            ranked.pk: [b, a],
            confidence.pk: {a: 2, b: 4, c: 5},
            single.pk: "o1",
            text.pk: "贷前、贷中、贷后 的区别不清楚",
        },
        {
            ranked.pk: [b],
            confidence.pk: {a: 1, b: 3, c: 4},
            single.pk: "o2",
            text.pk: '=HYPERLINK("x") 希望多讲案例',
        },
        {ranked.pk: [c, b], confidence.pk: {a: 3, b: 5, c: 5}, single.pk: "o1", text.pk: ""},
    ]
    for person, answer in zip(people, answers, strict=False):
        SurveyResponse.objects.create(
            survey=survey,
            session=session,
            user=person,
            answers={str(k): v for k, v in answer.items()},
        )
    return Known(session, survey, people, ranked, confidence, single, text, topics)
