"""The sessions API, per role and with wrong, broken, huge and hostile input."""

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from lms.surveys.models import SurveyResponse
from lms.surveys.services import survey_add_default_questions
from tests.factories import CohortFactory, EmployeeFactory, UserFactory
from tests.sessions.factories import InPersonSessionFactory, SignUpFactory, in_days, learner
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def api(client, user):
    client.force_login(user)
    return client


def test_list_needs_sign_in(client):
    assert client.get("/api/v1/sessions/").status_code == 401


def test_list_shows_open_sessions_with_seats_and_my_status(client):
    open_one = InPersonSessionFactory(title="信贷业务与风控基础", capacity=2)
    closed_to_me = InPersonSessionFactory(title="别的批次")
    closed_to_me.audience_cohorts.set([CohortFactory()])
    closed_to_me.save()
    InPersonSessionFactory(
        title="已结束",
        parts=[
            (timezone.now() - dt.timedelta(days=2), timezone.now() - dt.timedelta(days=2, hours=-3))
        ],
    )
    user = learner()
    SignUpFactory(session=open_one, user=user)
    body = api(client, user).get("/api/v1/sessions/").json()
    assert [row["title"] for row in body["results"]] == ["信贷业务与风控基础"]
    row = body["results"][0]
    assert (row["seats_left"], row["my_status"], row["capacity"]) == (1, "confirmed", 2)
    assert row["parts"] and row["time_zone"] == "Asia/Shanghai"


def test_list_is_paginated_and_filtered_in_few_queries(client, django_assert_max_num_queries):
    sessions = [InPersonSessionFactory() for _ in range(12)]
    user = learner()
    for session in sessions[:5]:
        SignUpFactory(session=session, user=user, status="waitlisted", queued_at=timezone.now())
    client = api(client, user)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/sessions/").json()
    assert body["count"] == 12
    assert client.get("/api/v1/sessions/?mine=true").json()["count"] == 5
    assert client.get("/api/v1/sessions/?mine=false").json()["count"] == 7
    later = (timezone.now() + dt.timedelta(days=30)).isoformat()
    assert client.get("/api/v1/sessions/", {"starts_after": later}).json()["count"] == 0
    assert client.get("/api/v1/sessions/?starts_after=not-a-date").status_code == 400
    assert client.get("/api/v1/sessions/?course=abc").status_code == 400


def test_sign_up_then_waitlist_then_cancel(client):
    session = InPersonSessionFactory(capacity=1)
    first, second = learner(), learner()
    response = api(client, first).post(f"/api/v1/sessions/{session.pk}/signup/")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    assert (
        client.post(f"/api/v1/sessions/{session.pk}/signup/").status_code == 200
    )  # again: same place
    full = api(client, second).post(f"/api/v1/sessions/{session.pk}/signup/")
    assert full.status_code == 201 and full.json()["status"] == "waitlisted"
    assert client.post(f"/api/v1/sessions/{session.pk}/cancel/").json()["status"] == "cancelled"
    again = client.post(f"/api/v1/sessions/{session.pk}/cancel/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_signed_up"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (
            lambda: InPersonSessionFactory(
                signup_closes_at=timezone.now() - dt.timedelta(minutes=1)
            ),
            "closed",
        ),
        (lambda: InPersonSessionFactory(status="cancelled"), "cancelled"),
    ],
)
def test_refusals_are_409_with_a_reason(client, make, code):
    session = make()
    response = api(client, learner()).post(f"/api/v1/sessions/{session.pk}/signup/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_not_eligible_and_prerequisites_are_409_in_chinese(client, course, lesson):
    other = InPersonSessionFactory()
    other.audience_cohorts.set([CohortFactory()])
    other.save()
    needs = InPersonSessionFactory(prerequisites_by="sign_up")
    needs.prerequisite_courses.set([course])
    needs.save()
    client = api(client, learner())
    response = client.post(f"/api/v1/sessions/{other.pk}/signup/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_eligible"
    response = client.post(f"/api/v1/sessions/{needs.pk}/signup/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "prerequisites"
    assert "风险控制入门" in response.json()["error"]["message"]


def test_unknown_and_hostile_ids(client):
    client = api(client, learner())
    assert client.post("/api/v1/sessions/999999/signup/").status_code == 404
    assert client.post("/api/v1/sessions/99999999999999999999/signup/").status_code == 404
    assert client.post("/api/v1/sessions/1%20OR%201=1/signup/").status_code == 404
    assert client.get("/api/v1/sessions/999999/survey/").status_code == 404
    assert client.get("/api/v1/sessions/999999/calendar.ics").status_code == 404


def test_wrong_methods(client):
    session = InPersonSessionFactory()
    client = api(client, learner())
    assert client.get(f"/api/v1/sessions/{session.pk}/signup/").status_code == 405
    assert client.delete(f"/api/v1/sessions/{session.pk}/survey/").status_code == 405


@pytest.fixture
def surveyed(course):
    survey = SurveyFactory(course=course)
    survey_add_default_questions(survey=survey)
    session = InPersonSessionFactory(survey=survey)
    user = learner()
    SignUpFactory(session=session, user=user)
    ranked, confidence, text = survey.questions.order_by("sort_order")
    keys = [f"t{t.pk}" for t in course.topics.order_by("sort_order")]
    answers = {str(ranked.pk): keys[:2], str(confidence.pk): {k: 4 for k in keys}, str(text.pk): ""}
    return session, user, answers, (ranked, confidence, text), keys


def test_survey_get_put_my_answers(client, surveyed):
    session, user, answers, (ranked, _c, _t), keys = surveyed
    client = api(client, user)
    body = client.get(f"/api/v1/sessions/{session.pk}/survey/").json()
    assert body["answers"] is None and body["open"] is True
    assert [c["label"] for c in body["questions"][0]["choices"]] == [
        "风险控制部的职责",
        "贷前、贷中、贷后",
        "从案例中学习",
    ]
    put = client.put(
        f"/api/v1/sessions/{session.pk}/survey/",
        {"answers": answers},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["answers"][str(ranked.pk)] == keys[:2]
    others = api(client, learner())
    assert others.get(f"/api/v1/sessions/{session.pk}/survey/").json()["answers"] is None
    refused = others.put(
        f"/api/v1/sessions/{session.pk}/survey/",
        {"answers": answers},
        content_type="application/json",
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_signed_up"
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        {"answers": "x"},
        {"answers": {"1": {"$where": "sleep(1)"}}},
        {"answers": {str(n): "x" for n in range(500)}},
        {},
        [],
    ],
)
def test_survey_put_bad_input_is_400(client, surveyed, payload):
    session, user, *_ = surveyed
    client = api(client, user)
    if isinstance(payload, str):
        response = client.put(
            f"/api/v1/sessions/{session.pk}/survey/", payload, content_type="application/json"
        )
    else:
        response = client.put(
            f"/api/v1/sessions/{session.pk}/survey/", payload, content_type="application/json"
        )
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not SurveyResponse.objects.exists()


def test_survey_put_field_errors_name_the_question(client, surveyed):
    session, user, answers, (_ranked, confidence, _t), keys = surveyed
    bad = answers | {str(confidence.pk): {keys[0]: 9}}
    response = api(client, user).put(
        f"/api/v1/sessions/{session.pk}/survey/", {"answers": bad}, content_type="application/json"
    )
    assert response.status_code == 400
    assert str(confidence.pk) in response.json()["error"]["fields"]


def test_survey_after_deadline_is_409(client, surveyed):
    session, user, answers, *_ = surveyed
    session.survey_deadline = timezone.now() - dt.timedelta(seconds=1)
    session.save()
    response = api(client, user).put(
        f"/api/v1/sessions/{session.pk}/survey/",
        {"answers": answers},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "closed"


def test_brief_per_role(client, surveyed, trainer, hr):
    session, user, _answers, *_ = surveyed
    session.trainers.set([trainer])
    session.save()
    url = f"/api/v1/sessions/{session.pk}/brief/"
    assert client.get(url).status_code == 401
    assert api(client, user).get(url).status_code == 403  # a learner coming to it
    assert api(client, EmployeeFactory(roles=["Trainer"]).user).get(url).status_code == 403
    assert api(client, UserFactory()).get(url).status_code == 403
    for reader in (trainer, hr, EmployeeFactory(roles=["Admin"]).user):
        response = api(client, reader).get(url)
        assert response.status_code == 200
        assert response.json()["expected"] == 1
    assert api(client, hr).get("/api/v1/sessions/999999/brief/").status_code == 404


def test_calendar_download(client):
    session = InPersonSessionFactory()
    user = learner()
    client = api(client, user)
    client.post(f"/api/v1/sessions/{session.pk}/signup/")
    response = client.get(f"/api/v1/sessions/{session.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "REQUEST" and calendar.walk("VTIMEZONE")
    client.post(f"/api/v1/sessions/{session.pk}/cancel/")
    assert (
        Calendar.from_ical(client.get(f"/api/v1/sessions/{session.pk}/calendar.ics").content)[
            "METHOD"
        ]
        == "CANCEL"
    )


def test_sessions_outside_my_audience_are_404_for_reads(client):
    other = InPersonSessionFactory()
    other.audience_cohorts.set([CohortFactory()])
    other.save()
    client = api(client, learner())
    assert client.get(f"/api/v1/sessions/{other.pk}/calendar.ics").status_code == 404
    assert client.post(f"/api/v1/sessions/{other.pk}/cancel/").status_code == 404


def test_schema_lists_the_session_endpoints(client, settings):
    settings.ONRAMP_API_DOCS_PUBLIC = True  # a learner's developer reads it too
    client = api(client, learner())
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/signup/",
        "/api/v1/sessions/{id}/brief/",
    ):
        assert path in schema["paths"]


# --- found by fuzzing the API (issue 14) -------------------------------------------------


def test_options_on_the_survey_describes_it_instead_of_failing(client, surveyed):
    session, user, *_ = surveyed
    response = api(client, user).options(f"/api/v1/sessions/{session.pk}/survey/")
    assert response.status_code == 200
    assert set(response.json()["actions"]["PUT"]) == {"answers"}


def test_seats_left_of_a_session_in_two_parts_counts_each_sign_up_once(client):
    session = InPersonSessionFactory(
        capacity=30,
        parts=[(in_days(7), in_days(7, 4)), (in_days(8), in_days(8, 4))],
    )
    for _n in range(25):
        SignUpFactory(session=session, user=learner())
    body = api(client, learner()).get("/api/v1/sessions/").json()
    assert [row["seats_left"] for row in body["results"]] == [5]


@pytest.mark.parametrize(
    "query",
    [
        "course=99999999999999999999",
        "course=1e20",
        "course=0",
        # A time beyond 2000 … 2100 is not an error: tests/api/test_fuzz_findings.py.
    ],
)
def test_session_filters_out_of_range_are_400_with_the_error_body(client, query):
    response = api(client, learner()).get(f"/api/v1/sessions/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) == {query.split("=")[0]}


def test_session_ids_past_64_bits_are_a_json_404(client):
    client = api(client, learner())
    for tail in ("signup/", "survey/", "brief/", "calendar.ics"):
        response = client.get(f"/api/v1/sessions/99999999999999999999/{tail}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "\x1b[31m"])
def test_a_survey_answer_with_control_characters_is_refused_and_nothing_stored(
    client, surveyed, text
):
    session, user, answers, (_r, _c, free_text), _keys = surveyed
    response = api(client, user).put(
        f"/api/v1/sessions/{session.pk}/survey/",
        {"answers": {**answers, str(free_text.pk): text}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["answers"]
    assert not SurveyResponse.objects.exists()


def test_a_survey_answer_may_hold_line_breaks(client, surveyed):
    session, user, answers, (_r, _c, free_text), _keys = surveyed
    response = api(client, user).put(
        f"/api/v1/sessions/{session.pk}/survey/",
        {"answers": {**answers, str(free_text.pk): "第一点\n第二点\t完"}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert SurveyResponse.objects.get().answers[str(free_text.pk)] == "第一点\n第二点\t完"
