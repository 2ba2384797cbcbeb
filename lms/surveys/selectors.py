"""Reads of surveys: the choices of each question, a learner's own response."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import translation

from lms.surveys.models import TOPIC_PREFIX, Survey, SurveyQuestion, SurveyResponse


def survey_topics(survey: Survey) -> list[tuple[str, str]]:
    """(key, label) of the survey's course topics, in the learner's language where translated.

    The key is the topic of the course in the site's default language, so answers
    given in Chinese and in English count for the same topic.
    """
    if survey.course_id is None:
        return []
    from courses.models import CourseTopic
    from courses.translation import canonical_page

    course = canonical_page(survey.course)
    topics = list(CourseTopic.objects.filter(page_id=course.pk).order_by("sort_order", "pk"))
    language = translation.get_language() or ""
    labels: dict[object, str] = {}
    if topics and not language.startswith(course.locale.language_code[:2]):
        for topic in CourseTopic.objects.filter(
            translation_key__in=[t.translation_key for t in topics],
            locale__language_code__istartswith=language[:2],
        ):
            labels[topic.translation_key] = topic.title
    return [(f"{TOPIC_PREFIX}{t.pk}", labels.get(t.translation_key, t.title)) for t in topics]


def question_choices(
    question: SurveyQuestion, topics: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    if question.is_topic_question:
        return topics
    if question.kind in (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE):
        return question.option_choices()
    return []


def survey_questions(survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.order_by("sort_order", "pk"))


def response_for(*, session: object, user: AbstractBaseUser) -> SurveyResponse | None:
    survey_id = getattr(session, "survey_id", None)
    if survey_id is None:
        return None
    return SurveyResponse.objects.filter(survey_id=survey_id, session=session, user=user).first()
