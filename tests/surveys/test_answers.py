"""Answering the survey: once per learner and session, editable until the deadline,
every answer checked against its question; through the learner's form page."""

import datetime as dt

import pytest
from django.utils import timezone

from lms.paths.models import EnrolmentItem, PathItem
from lms.paths.services import enrolment_assign_manually
from lms.sessions.services import session_survey_submit
from lms.surveys.models import SurveyQuestion, SurveyResponse
from lms.surveys.services import SurveyRefused, survey_add_default_questions
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory
from tests.sessions.factories import InPersonSessionFactory, SignUpFactory, learner
from tests.surveys.factories import SurveyFactory, SurveyQuestionFactory

pytestmark = pytest.mark.django_db
Kind = SurveyQuestion.Kind


@pytest.fixture
def setup(course):
    survey = SurveyFactory(course=course)
    survey_add_default_questions(survey=survey)
    session = InPersonSessionFactory(survey=survey)
    user = learner()
    SignUpFactory(session=session, user=user)
    ranked, confidence, text = survey.questions.order_by("sort_order")
    ranked.max_choices = 2  # the course has three topics: allow fewer than all
    ranked.save()
    keys = [f"t{t.pk}" for t in course.topics.order_by("sort_order")]
    return survey, session, user, ranked, confidence, text, keys


def good(ranked, confidence, text, keys):
    return {
        str(ranked.pk): keys[:2],
        str(confidence.pk): {k: 3 for k in keys},
        str(text.pk): "征信",
    }


def test_defaults_from_the_course_topics(setup):
    survey, *_ = setup
    assert [q.kind for q in survey.questions.order_by("sort_order")] == [
        "topics_ranked",
        "topic_confidence",
        "text",
    ]
    assert survey_add_default_questions(survey=survey) == 0  # only once


def test_answer_once_then_edit_until_deadline(setup):
    _survey, session, user, ranked, confidence, text, keys = setup
    first = session_survey_submit(
        session=session, user=user, answers=good(ranked, confidence, text, keys)
    )
    changed = good(ranked, confidence, text, keys) | {str(ranked.pk): [keys[2]]}
    second = session_survey_submit(session=session, user=user, answers=changed)
    assert first.pk == second.pk and SurveyResponse.objects.count() == 1
    assert second.answers[str(ranked.pk)] == [keys[2]]
    session.survey_deadline = timezone.now() - dt.timedelta(minutes=1)
    session.save()
    with pytest.raises(SurveyRefused) as refused:
        session_survey_submit(
            session=session, user=user, answers=good(ranked, confidence, text, keys)
        )
    assert refused.value.code == "closed"
    assert SurveyResponse.objects.get().answers[str(ranked.pk)] == [keys[2]]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a, r, c, t, k: a | {str(r.pk): k},  # more picks than allowed
        lambda a, r, c, t, k: a | {str(r.pk): [k[0], k[0]]},  # the same topic twice
        lambda a, r, c, t, k: a | {str(r.pk): ["t999999"]},  # not a topic of this course
        lambda a, r, c, t, k: a | {str(r.pk): "t1"},  # not a list
        lambda a, r, c, t, k: a | {str(r.pk): []},  # required
        lambda a, r, c, t, k: a | {str(c.pk): {k[0]: 6}},  # off the scale
        lambda a, r, c, t, k: a | {str(c.pk): {k[0]: True}},
        lambda a, r, c, t, k: a | {str(c.pk): {k[0]: 3}},  # not every topic rated
        lambda a, r, c, t, k: a | {str(t.pk): "长" * 2001},  # huge
        lambda a, r, c, t, k: a | {str(t.pk): {"$gt": ""}},  # hostile shape
        lambda a, r, c, t, k: a | {"999999": "x"},  # unknown question
        lambda a, r, c, t, k: [1, 2, 3],  # not an object at all
    ],
)
def test_bad_answers_are_refused_and_change_nothing(setup, mutate):
    _survey, session, user, ranked, confidence, text, keys = setup
    with pytest.raises(SurveyRefused):
        session_survey_submit(
            session=session,
            user=user,
            answers=mutate(good(ranked, confidence, text, keys), ranked, confidence, text, keys),
        )
    assert not SurveyResponse.objects.exists()


def test_only_people_signed_up_answer(setup):
    _survey, session, _user, ranked, confidence, text, keys = setup
    with pytest.raises(SurveyRefused) as refused:
        session_survey_submit(
            session=session, user=learner(), answers=good(ranked, confidence, text, keys)
        )
    assert refused.value.code == "not_signed_up"


def test_choice_questions(course):
    survey = SurveyFactory()
    single = SurveyQuestionFactory(survey=survey, kind=Kind.SINGLE, options="A\nB")
    multiple = SurveyQuestionFactory(
        survey=survey, kind=Kind.MULTIPLE, options="A\nB\nC", max_choices=2
    )
    session = InPersonSessionFactory(survey=survey)
    user = learner()
    SignUpFactory(session=session, user=user, status="waitlisted", queued_at=timezone.now())
    ok = session_survey_submit(
        session=session, user=user, answers={str(single.pk): "o2", str(multiple.pk): ["o1", "o3"]}
    )
    assert ok.answers == {str(single.pk): "o2", str(multiple.pk): ["o1", "o3"]}
    for bad in (
        {str(single.pk): "o3"},
        {str(single.pk): "o1", str(multiple.pk): ["o1", "o2", "o3"]},
    ):
        with pytest.raises(SurveyRefused):
            session_survey_submit(session=session, user=user, answers=bad)


def test_submitting_completes_the_survey_path_item(setup):
    survey, session, user, ranked, confidence, text, keys = setup
    path = LearningPathFactory(name="客户经理入职路径")
    stage = PathStageFactory(path=path, name="第一个月")
    item = PathItemFactory(stage=stage, kind=PathItem.Kind.SURVEY, title="训前调研")
    survey.path_items.set([item])
    survey.save()
    enrolment_assign_manually(employee=user.employee, path=path)
    session_survey_submit(session=session, user=user, answers=good(ranked, confidence, text, keys))
    assert EnrolmentItem.objects.get(item=item).status == "completed"


def test_form_page_round_trip(client, setup):
    _survey, session, user, ranked, confidence, text, keys = setup
    url = f"/sessions/{session.pk}/survey/"
    assert client.get(url).status_code == 302
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200 and "风险控制部的职责" in page.content.decode()
    form = {
        f"q{ranked.pk}_rank1": keys[1],
        f"q{ranked.pk}_rank2": keys[0],
        f"q{text.pk}": "征信报告",
    }
    form |= {f"q{confidence.pk}_{k}": "2" for k in keys}
    assert client.post(url, form).status_code == 302
    saved = SurveyResponse.objects.get(user=user)
    assert saved.answers[str(ranked.pk)] == [keys[1], keys[0]]
    assert saved.answers[str(confidence.pk)] == {k: 2 for k in keys}
    again = client.get(url).content.decode()
    assert "selected" in again and "征信报告" in again
    bad = client.post(url, form | {f"q{confidence.pk}_{keys[0]}": "9"})
    assert bad.status_code == 400
    assert SurveyResponse.objects.get(user=user).answers[str(confidence.pk)][keys[0]] == 2


def test_form_page_hidden_from_people_outside_the_audience(client, setup):
    from tests.factories import CohortFactory

    _survey, session, user, *_ = setup
    session.audience_cohorts.set([CohortFactory()])
    session.save()
    client.force_login(learner())
    assert client.get(f"/sessions/{session.pk}/survey/").status_code == 404
    client.force_login(user)  # signed up before the audience changed: still theirs
    assert client.get(f"/sessions/{session.pk}/survey/").status_code == 200
