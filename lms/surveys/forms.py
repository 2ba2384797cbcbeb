"""The survey as a plain HTML form: fields per question, and back to an answers dict;
and the survey's own form in the admin.

Ranked topics are one <select> per rank ("1st", "2nd" …), which works on any phone
without JavaScript; confidence is a row of 1–5 radio buttons per topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from lms.surveys.models import CONFIDENCE_SCALE, Survey, SurveyQuestion, SurveyResponse
from lms.surveys.selectors import question_choices, survey_questions, survey_topics

Kind = SurveyQuestion.Kind


@dataclass
class FormQuestion:
    question: SurveyQuestion
    name: str
    choices: list[tuple[str, str]]
    value: Any
    error: str = ""
    ranks: list[tuple[int, str]] = field(default_factory=list)  # (rank, chosen key)
    scale: tuple[int, ...] = CONFIDENCE_SCALE


def survey_form(
    *, survey: Survey, answers: dict[str, Any], errors: dict[str, str] | None = None
) -> list[FormQuestion]:
    topics = survey_topics(survey)
    rows = []
    for question in survey_questions(survey):
        key = str(question.pk)
        value = answers.get(key)
        row = FormQuestion(
            question=question,
            name=f"q{question.pk}",
            choices=question_choices(question, topics),
            value=value,
            error=(errors or {}).get(key, ""),
        )
        if question.kind == Kind.TOPICS_RANKED:
            picked = value if isinstance(value, list) else []
            count = min(question.max_choices, len(row.choices)) or question.max_choices
            row.ranks = [
                (n, picked[n - 1] if n <= len(picked) else "") for n in range(1, count + 1)
            ]
        rows.append(row)
    return rows


def answers_from_post(*, survey: Survey, data: QueryDict) -> dict[str, Any]:
    """The POSTed form as the answers shape that surveys.services checks."""
    answers: dict[str, Any] = {}
    topics = survey_topics(survey)
    for question in survey_questions(survey):
        name = f"q{question.pk}"
        key = str(question.pk)
        if question.kind == Kind.TOPICS_RANKED:
            ranked = [data.get(f"{name}_rank{n}", "") for n in range(1, question.max_choices + 1)]
            answers[key] = [v for v in ranked if v]
        elif question.kind == Kind.TOPIC_CONFIDENCE:
            answers[key] = {
                topic: data[f"{name}_{topic}"]
                for topic, _label in topics
                if data.get(f"{name}_{topic}")
            }
        elif question.kind == Kind.MULTIPLE:
            answers[key] = data.getlist(name)
        else:
            answers[key] = data.get(name, "")
    return answers


class SurveyAdminForm(WagtailAdminModelForm):
    """A survey answered anonymously stays anonymous: the answers were given on that promise."""

    def clean_is_anonymous(self) -> bool:
        wanted = bool(self.cleaned_data.get("is_anonymous"))
        survey = self.instance
        if wanted or survey.pk is None:
            return wanted
        was_anonymous = Survey.objects.filter(pk=survey.pk, is_anonymous=True).exists()
        if was_anonymous and SurveyResponse.objects.filter(survey_id=survey.pk).exists():
            raise ValidationError(
                gettext_lazy(
                    "People have answered this survey anonymously, so it stays anonymous. "
                    "For answers with names, copy it into a new survey."
                )
            )
        return wanted
