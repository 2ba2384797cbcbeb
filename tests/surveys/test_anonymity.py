"""An anonymous survey: nothing a trainer, HR or an export sees ties an answer to a person.

The answer keeps its author in storage (the learner edits it until the deadline), but
the brief, its CSV and the API show no names, no times and no order of answering, and
hide a question's results while fewer than three people answered it.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from lms.surveys.models import SurveyQuestion, SurveyResponse
from tests.factories import form_data_from
from tests.sessions.factories import InPersonSessionFactory, SignUpFactory, known_brief, learner
from tests.surveys.factories import SurveyFactory, SurveyQuestionFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db
Kind = SurveyQuestion.Kind
MINUTE_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
HIDDEN_ZH = "少于 3 人作答，结果不显示"

# Written in this order; their content order is a, b, c, d, e.
TEXTS = ["c 想多听催收案例", "a 贷前审核的流程", "e 时间安排", "b 征信报告怎么看", "d 合规边界"]
CHOICES = ["o2", "o1", "o1", "o2", "o1"]


@pytest.fixture
def answered():
    """An anonymous survey five people answered, a minute apart, in a known order."""
    survey = SurveyFactory(is_anonymous=True)
    single = SurveyQuestionFactory(
        survey=survey, kind=Kind.SINGLE, options="线上\n线下", prompt="希望的形式"
    )
    text = SurveyQuestionFactory(survey=survey, kind=Kind.TEXT, prompt="最想了解什么")
    session = InPersonSessionFactory(survey=survey, capacity=10)
    people = [learner() for _ in TEXTS]
    start = timezone.now() - dt.timedelta(hours=1)
    for minute, (person, words, choice) in enumerate(zip(people, TEXTS, CHOICES, strict=True)):
        SignUpFactory(session=session, user=person, status="confirmed", queued_at=start)
        SurveyResponseFactory(
            survey=survey,
            session=session,
            user=person,
            answers={str(single.pk): choice, str(text.pk): words},
            submitted_at=start + dt.timedelta(minutes=minute),
        )
    return session, people, single, text


def csv_rows(client, session):
    response = client.get(f"/admin/sessions/{session.pk}/brief.csv")
    assert response.status_code == 200
    return response.content, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def brief_json(client, session):
    response = client.get(f"/api/v1/sessions/{session.pk}/brief/")
    assert response.status_code == 200
    return response.json()


def someone_identifying(people, text):
    return [p.employee.name for p in people if p.employee.name in text] + [
        p.employee.employee_no for p in people if p.employee.employee_no in text
    ]


def test_the_csv_has_no_names_no_times_and_rows_in_content_order(client, hr, answered):
    session, people, _single, _text = answered
    client.force_login(hr)
    first, rows = csv_rows(client, session)
    header, *data = rows
    assert header == ["答卷人", "希望的形式", "最想了解什么"]
    labels = {"o1": "线上", "o2": "线下"}
    assert [row[1:] for row in data] == sorted(
        [labels[choice], words] for choice, words in zip(CHOICES, TEXTS, strict=True)
    )
    assert [row[0] for row in data] == [f"答卷人 {n}" for n in range(1, 6)]
    everything = first.decode("utf-8-sig")
    assert not MINUTE_STAMP.search(everything)
    assert someone_identifying(people, everything) == []
    # Answered in the opposite order, changed later, stored under other ids: the same file.
    for response in SurveyResponse.objects.filter(session=session):
        SurveyResponse.objects.filter(pk=response.pk).update(
            submitted_at=timezone.now() - dt.timedelta(minutes=response.pk),
            updated_at=timezone.now(),
        )
    again, _rows = csv_rows(client, session)
    assert again == first


def test_the_brief_shows_free_text_in_content_order_without_names(client, hr, answered):
    session, people, _single, text = answered
    client.force_login(hr)
    question = next(q for q in brief_json(client, session)["questions"] if q["id"] == text.pk)
    answers = [a for group in question["texts"] for a in group["answers"]]
    assert [a["text"] for a in answers] == sorted(TEXTS)
    assert {a["respondent"] for a in answers} == {""}
    page = client.get(f"/admin/sessions/{session.pk}/brief/").content.decode()
    assert page.count("<h3>准备情况</h3>") == 1
    texts_card = page.split("最想了解什么")[1].split("<h3>准备情况</h3>")[0]
    positions = [texts_card.index(words) for words in sorted(TEXTS)]
    assert positions == sorted(positions)
    assert someone_identifying(people, texts_card) == []


def test_a_question_fewer_than_three_answered_shows_no_result(client, course, hr):
    known = known_brief(course, anonymous=True)  # three answered; two wrote free text
    client.force_login(hr)
    brief = brief_json(client, known.session)
    by_id = {q["id"]: q for q in brief["questions"]}
    hidden = by_id[known.text.pk]
    assert (hidden["hidden"], hidden["answered"], hidden["texts"]) == (True, 2, [])
    assert hidden["notice"] == "少于 3 人作答，结果不显示。"
    shown = by_id[known.single.pk]
    assert shown["hidden"] is False
    assert [o["count"] for o in shown["options"]] == [2, 1]

    page = client.get(f"/admin/sessions/{known.session.pk}/brief/").content.decode()
    card = page.split("还有什么问题")[1].split("</section>")[0]
    assert HIDDEN_ZH in card
    assert "希望多讲案例" not in page and "的区别不清楚" not in page

    _content, (header, *data) = csv_rows(client, known.session)
    column = next(n for n, title in enumerate(header) if title.startswith("还有什么问题"))
    assert HIDDEN_ZH in header[column]
    assert [row[column] for row in data] == ["", "", ""]


def test_with_two_respondents_nothing_is_shown_but_who_has_not_answered(client, course, hr):
    known = known_brief(course, anonymous=True)
    SurveyResponse.objects.filter(session=known.session, user=known.people[2]).delete()
    client.force_login(hr)
    brief = brief_json(client, known.session)
    assert brief["respondents"] == 2
    assert all(q["hidden"] for q in brief["questions"])
    assert all(not (q["demand"] or q["confidence"] or q["options"]) for q in brief["questions"])
    page = client.get(f"/admin/sessions/{known.session.pk}/brief/").content.decode()
    assert "demand-chart" not in page
    assert page.count(HIDDEN_ZH) == 4
    _content, (_header, *data) = csv_rows(client, known.session)
    assert data == []
    # Readiness: who has not answered, and nothing of what anyone said.
    not_answered = {r["user_id"] for r in brief["readiness"] if not r["survey_done"]}
    assert not_answered == {known.people[2].pk, known.people[3].pk}
    assert {key for r in brief["readiness"] for key in r} == {
        "user_id",
        "name",
        "status",
        "prerequisites_missing",
        "survey_done",
        "ready",
    }


def test_topics_rated_by_fewer_than_three_are_left_out(client, course, hr):
    known = known_brief(course, anonymous=True)
    topic = known.topics["从案例中学习"]
    for response in SurveyResponse.objects.filter(session=known.session)[:1]:
        answers = dict(response.answers)
        answers[str(known.confidence.pk)] = {
            k: v for k, v in answers[str(known.confidence.pk)].items() if k != topic
        }
        SurveyResponse.objects.filter(pk=response.pk).update(answers=answers)
    client.force_login(hr)
    confidence = next(
        q for q in brief_json(client, known.session)["questions"] if q["id"] == known.confidence.pk
    )
    assert [c["label"] for c in confidence["confidence"]] == [
        "风险控制部的职责",
        "贷前、贷中、贷后",
    ]


def survey_edit(client, survey):
    url = f"/admin/snippets/surveys/survey/edit/{survey.pk}/"
    data = form_data_from(client.get(url).content.decode())
    data.pop("is_anonymous", None)  # the box unticked
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_an_answered_anonymous_survey_stays_anonymous(client, course, trainer):
    known = known_brief(course, anonymous=True, trainers=[trainer])
    client.force_login(trainer)
    response = survey_edit(client, known.survey)
    assert response.status_code == 200
    assert "已有人匿名作答" in response.content.decode()
    known.survey.refresh_from_db()
    assert known.survey.is_anonymous
    page = client.get(f"/admin/sessions/{known.session.pk}/brief/").content.decode()
    answered = [p.employee.name for p in known.people[:3]]
    assert page.count("<h3>准备情况</h3>") == 1
    before_readiness, readiness = page.split("<h3>准备情况</h3>")
    assert known.people[3].employee.name in readiness  # the one who has not answered
    assert "贷前、贷中、贷后 的区别不清楚" not in before_readiness  # hidden: two wrote text
    assert "66.7%" in before_readiness  # the single choice, answered by three, is shown
    assert not any(name in before_readiness for name in answered)


def test_a_survey_nobody_answered_may_drop_anonymity(client, trainer):
    survey = SurveyFactory(is_anonymous=True)
    SurveyQuestionFactory(survey=survey, kind=Kind.TEXT, prompt="最想了解什么")
    client.force_login(trainer)
    assert survey_edit(client, survey).status_code == 302
    survey.refresh_from_db()
    assert not survey.is_anonymous
