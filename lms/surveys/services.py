"""Answering pre-training surveys, and the standard questions from a course's topics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms.surveys.models import CONFIDENCE_SCALE, Survey, SurveyQuestion, SurveyResponse
from lms.surveys.selectors import question_choices, survey_questions, survey_topics

MAX_TEXT = 2000
Kind = SurveyQuestion.Kind


class SurveyRefused(Exception):
    """Answers that cannot be taken, with a reason and, per question, what is wrong."""

    def __init__(self, code: str, message: object, errors: dict[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.errors = errors or {}


@transaction.atomic
def survey_add_default_questions(*, survey: Survey) -> int:
    """A survey with no questions gets the standard four, so a trainer can publish in a minute."""
    if survey.questions.exists():
        return 0
    defaults = [
        (
            Kind.TOPICS_RANKED,
            _(
                "Which topics should the trainer explain in detail? Pick up to 3, most important first."
            ),
            3,
            True,
        ),
        (
            Kind.TOPIC_CONFIDENCE,
            _("How confident are you in each topic? (1 = not at all, 5 = very)"),
            5,
            True,
        ),
        (Kind.TEXT, _("What questions do you want answered in the session?"), 1, False),
    ]
    if not survey.course_id:
        defaults = defaults[2:]
    for number, (kind, prompt, max_choices, required) in enumerate(defaults):
        SurveyQuestion.objects.create(
            survey=survey,
            kind=kind,
            prompt=prompt,
            max_choices=max_choices,
            required=required,
            sort_order=number,
        )
    return len(defaults)


def _clean_answer(question: SurveyQuestion, value: Any, choices: list[tuple[str, str]]) -> Any:
    """The answer in its stored shape, or ValueError with the reason to show."""
    keys = [key for key, _label in choices]
    if question.kind == Kind.TOPICS_RANKED or question.kind == Kind.MULTIPLE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(_("Choose from the list."))
        if len(set(value)) != len(value):
            raise ValueError(_("Each choice can be picked only once."))
        if any(v not in keys for v in value):
            raise ValueError(_("Choose from the list."))
        if len(value) > question.max_choices:
            raise ValueError(_("Choose at most %(count)d.") % {"count": question.max_choices})
        if question.required and not value:
            raise ValueError(_("This question needs an answer."))
        return value
    if question.kind == Kind.TOPIC_CONFIDENCE:
        if not isinstance(value, dict):
            raise ValueError(_("Rate each topic from 1 to 5."))
        cleaned: dict[str, int] = {}
        for key, rating in value.items():
            if key not in keys:
                raise ValueError(_("Choose from the list."))
            if isinstance(rating, str) and rating.isdigit():
                rating = int(rating)
            if isinstance(rating, bool) or rating not in CONFIDENCE_SCALE:
                raise ValueError(_("Rate each topic from 1 to 5."))
            cleaned[key] = rating
        if question.required and set(cleaned) != set(keys):
            raise ValueError(_("Rate every topic."))
        return cleaned
    if question.kind == Kind.SINGLE:
        if value in ("", None) and not question.required:
            return ""
        if value not in keys:
            raise ValueError(_("Choose one option."))
        return value
    if not isinstance(value, str):
        raise ValueError(_("Write your answer as text."))
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise ValueError(_("Keep it under %(count)d characters.") % {"count": MAX_TEXT})
    if question.required and not value:
        raise ValueError(_("This question needs an answer."))
    return value


def survey_answers_clean(*, survey: Survey, answers: Any) -> dict[str, Any]:
    """Check every answer against its question; all errors at once, per question id."""
    if not isinstance(answers, dict):
        raise SurveyRefused("bad_answers", _("Send the answers as an object of question ids."))
    questions = {str(q.pk): q for q in survey_questions(survey)}
    unknown = [key for key in answers if key not in questions]
    if unknown:
        raise SurveyRefused(
            "bad_answers",
            _("These are not questions of this survey: %(ids)s")
            % {"ids": ", ".join(map(str, unknown[:10]))},
        )
    topics = survey_topics(survey)
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, question in questions.items():
        if key not in answers:
            if question.required:
                errors[key] = _("This question needs an answer.")
            continue
        try:
            cleaned[key] = _clean_answer(question, answers[key], question_choices(question, topics))
        except ValueError as error:
            errors[key] = str(error)
    if errors:
        raise SurveyRefused("invalid", _("Some answers need another look."), errors)
    return cleaned


@transaction.atomic
def survey_response_save(
    *,
    survey: Survey,
    session: Any,
    user: AbstractBaseUser,
    answers: Any,
    now: dt.datetime,
) -> SurveyResponse:
    """Store a person's answers to the survey of a session, or change them.

    Who may answer, and until when, is the session's rule: callers go through
    `lms.sessions.services.session_survey_submit`.
    """
    cleaned = survey_answers_clean(survey=survey, answers=answers)
    response = (
        SurveyResponse.objects.select_for_update()
        .filter(survey=survey, session=session, user=user)
        .first()
    )
    if response is None:
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    survey=survey, session=session, user=user, answers=cleaned, submitted_at=now
                )
        except IntegrityError:
            # A double tap from two tabs: the other request created it; edit that one.
            response = SurveyResponse.objects.select_for_update().get(
                survey=survey, session=session, user=user
            )
            response.answers = cleaned
            response.save(update_fields=["answers", "updated_at"])
    else:
        response.answers = cleaned
        response.save(update_fields=["answers", "updated_at"])
    _complete_path_items(survey=survey, session=session, user=user)
    return response


def _complete_path_items(*, survey: Survey, session: Any, user: AbstractBaseUser) -> None:
    from lms.paths.models import PathItem
    from lms.paths.services import path_items_complete

    item_ids = {item.pk for item in survey.path_items.all()}
    if session.course_id:
        item_ids |= set(
            PathItem.objects.filter(
                kind=PathItem.Kind.SURVEY, course_id=session.course_id
            ).values_list("pk", flat=True)
        )
    if item_ids:
        path_items_complete(user=user, item_ids=item_ids)
