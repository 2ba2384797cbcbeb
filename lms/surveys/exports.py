"""The raw survey answers of one session as CSV (opens cleanly in Excel and WPS)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from lms.sheets.cells import spreadsheet_safe
from lms.surveys.brief import person_label, session_responses
from lms.surveys.models import SurveyQuestion
from lms.surveys.selectors import question_choices, survey_questions, survey_topics

Kind = SurveyQuestion.Kind


def _cell(question: SurveyQuestion, value: Any, labels: dict[str, str]) -> str:
    if value in (None, "", [], {}):
        return ""
    if question.kind == Kind.TOPICS_RANKED and isinstance(value, list):
        return "; ".join(f"{n}. {labels.get(k, k)}" for n, k in enumerate(value, start=1))
    if question.kind == Kind.TOPIC_CONFIDENCE and isinstance(value, dict):
        return "; ".join(f"{labels.get(k, k)}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(labels.get(k, k) for k in value)
    return labels.get(value, str(value)) if isinstance(value, str) else str(value)


def survey_answers_csv(*, session: Any) -> str:
    survey = session.survey
    questions = survey_questions(survey) if survey else []
    topics = survey_topics(survey) if survey else []
    anonymous = bool(survey and survey.is_anonymous)
    out = io.StringIO()
    # A BOM so Excel on Windows reads UTF-8 Chinese instead of mojibake.
    out.write("\ufeff")
    writer = csv.writer(out)
    header = [_("Respondent"), _("Submitted at"), _("Last changed")]
    writer.writerow([spreadsheet_safe(h) for h in header + [q.prompt for q in questions]])
    for number, response in enumerate(session_responses(session), start=1):
        who = (
            _("Respondent %(number)d") % {"number": number}
            if anonymous
            else person_label(response.user)
        )
        row: list[Any] = [
            who,
            timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(response.updated_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for question in questions:
            labels = dict(question_choices(question, topics))
            row.append(_cell(question, response.answer(question.pk), labels))
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
