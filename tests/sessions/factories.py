"""In-person sessions, sign-ups, and a session brief with known answers, for tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from lms.sessions.models import InPersonSession, SessionPart, SignUp
from lms.surveys.models import SurveyQuestion
from tests.factories import EmployeeFactory
from tests.surveys.factories import SurveyFactory, SurveyQuestionFactory, SurveyResponseFactory


def in_days(days: float, hours: float = 0) -> dt.datetime:
    """A time this many days (and hours) from now, to the minute."""
    base = timezone.now().replace(second=0, microsecond=0)
    return base + dt.timedelta(days=days, hours=hours)


class InPersonSessionFactory(factory.django.DjangoModelFactory):
    """A scheduled one-day session a week from now, open to everyone, 3 seats."""

    class Meta:
        model = InPersonSession
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"面授{n}")
    room = "总部 12 楼培训室"
    address = "上海市浦东新区世纪大道 100 号"
    capacity = 3
    cancel_cutoff_hours = 24
    offer_hold_hours = 24

    @factory.post_generation
    def parts(self, create, extracted, **kwargs):
        if not create:
            return
        for number, (start, end) in enumerate(extracted or [(in_days(7), in_days(7, 8))]):
            SessionPart.objects.create(
                session=self, starts_at=start, ends_at=end, sort_order=number
            )

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            # Parental many-to-many fields are written on save().
            self.trainers.set(extracted)
            self.save()


class SignUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignUp

    session = factory.SubFactory(InPersonSessionFactory)
    user = factory.LazyFunction(lambda: learner())
    status = SignUp.Status.CONFIRMED
    queued_at = factory.LazyFunction(timezone.now)


def learner(**kwargs):
    employee = EmployeeFactory(roles=["Learner"], **kwargs)
    employee.user.email = f"{employee.employee_no.lower()}@example.com"
    employee.user.save(update_fields=["email"])
    return employee.user


# A session with a survey and three known responses from four people coming.


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
        survey=survey,
        kind=SurveyQuestion.Kind.TOPICS_RANKED,
        max_choices=2,
        prompt="想重点讲解的主题",
    )
    confidence = SurveyQuestionFactory(
        survey=survey, kind=SurveyQuestion.Kind.TOPIC_CONFIDENCE, prompt="掌握程度"
    )
    single = SurveyQuestionFactory(
        survey=survey, kind=SurveyQuestion.Kind.SINGLE, options="有\n没有", prompt="做过贷前审核吗"
    )
    text = SurveyQuestionFactory(
        survey=survey, kind=SurveyQuestion.Kind.TEXT, required=False, prompt="还有什么问题"
    )
    session = InPersonSessionFactory(survey=survey, capacity=10, trainers=list(trainers))
    topics = {t.title: f"t{t.pk}" for t in course.topics.all()}
    a, b, c = (topics["风险控制部的职责"], topics["贷前、贷中、贷后"], topics["从案例中学习"])
    people = [learner() for _ in range(4)]
    for person in people:
        SignUpFactory(session=session, user=person)
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
        SurveyResponseFactory(
            survey=survey,
            session=session,
            user=person,
            answers={str(k): v for k, v in answer.items()},
        )
    return Known(session, survey, people, ranked, confidence, single, text, topics)
