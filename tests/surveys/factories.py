"""Pre-training surveys, their questions, and learners' responses."""

from __future__ import annotations

import factory

from lms.surveys.models import Survey, SurveyQuestion, SurveyResponse
from tests.factories import UserFactory


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


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """One learner's answers ({question id: answer}) for a session that uses the survey."""

    class Meta:
        model = SurveyResponse

    survey = factory.SubFactory(SurveyFactory)
    # Sessions sit above surveys: named by path, so this module does not import theirs.
    session = factory.SubFactory(
        "tests.sessions.factories.InPersonSessionFactory", survey=factory.SelfAttribute("..survey")
    )
    user = factory.SubFactory(UserFactory)
    answers = factory.LazyFunction(dict)
