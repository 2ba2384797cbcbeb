"""In-person sessions and surveys for tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from lms.sessions.models import InPersonSession, SessionPart, SignUp
from lms.surveys.models import Survey, SurveyQuestion
from tests.factories import EmployeeFactory, UserFactory


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


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"训前调研{n}")


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    survey = factory.SubFactory(SurveyFactory)
    kind = SurveyQuestion.Kind.TEXT
    prompt = factory.Sequence(lambda n: f"问题{n}")
    sort_order = factory.Sequence(lambda n: n)


def learner(**kwargs):
    employee = EmployeeFactory(roles=["Learner"], **kwargs)
    employee.user.email = f"{employee.employee_no.lower()}@example.com"
    employee.user.save(update_fields=["email"])
    return employee.user


__all__ = ["UserFactory"]
