"""The raw survey answers of one session as CSV (opens cleanly in Excel and WPS).

An anonymous survey's file ties no answer to a person (see lms.surveys.brief): no names,
no times, rows in the order of their content rather than of answering, and a question
answered by fewer than ANONYMOUS_MIN_RESPONDENTS people left empty.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from lms.sheets.cells import spreadsheet_safe
from lms.surveys.brief import (
    ANONYMOUS_MIN_RESPONDENTS,
    hidden_notice,
    person_label,
    session_responses,
)
from lms.surveys.models import SurveyQuestion, SurveyResponse
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


def _answer_cells(
    questions: list[SurveyQuestion], topics: list[tuple[str, str]], response: SurveyResponse
) -> list[str]:
    cells = []
    for question in questions:
        labels = dict(question_choices(question, topics))
        cells.append(_cell(question, response.answer(question.pk), labels))
    return cells


def _write(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    # A BOM so Excel on Windows reads UTF-8 Chinese instead of mojibake.
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def survey_answers_csv(*, session: Any) -> str:
    survey = session.survey
    questions = survey_questions(survey) if survey else []
    topics = survey_topics(survey) if survey else []
    responses = session_responses(session)
    answers = [_answer_cells(questions, topics, response) for response in responses]
    if survey and survey.is_anonymous:
        return _write(_anonymous_rows(questions, answers))
    rows: list[list[Any]] = [
        [_("Respondent"), _("Submitted at"), _("Last changed"), *[q.prompt for q in questions]]
    ]
    for response, cells in zip(responses, answers, strict=True):
        rows.append(
            [
                person_label(response.user),
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(response.updated_at).strftime("%Y-%m-%d %H:%M"),
                *cells,
            ]
        )
    return _write(rows)


def _anonymous_rows(questions: list[SurveyQuestion], answers: list[list[str]]) -> list[list[Any]]:
    shown = [
        sum(1 for cells in answers if cells[n]) >= ANONYMOUS_MIN_RESPONDENTS
        for n in range(len(questions))
    ]
    notice = hidden_notice()
    header = [_("Respondent")] + [
        q.prompt if visible else f"{q.prompt} ({notice})"
        for q, visible in zip(questions, shown, strict=True)
    ]
    visible_rows = sorted(
        [cell if visible else "" for cell, visible in zip(cells, shown, strict=True)]
        for cells in answers
    )
    if not any(shown):
        visible_rows = []  # nothing to show but how many answered, which the brief says
    return [header] + [
        [_("Respondent %(number)d") % {"number": number}, *cells]
        for number, cells in enumerate(visible_rows, start=1)
    ]
