"""/api/v1/quizzes/{id or key}/ and its attempts for every role, and hostile input."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from lms.org.roles import ROLES
from lms.progress.models import QuizAttempt
from tests.api.factories import api_client_for
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    QuizFactory,
    answer_key,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def url(quiz, attempts=False):
    return f"/api/v1/quizzes/{quiz.pk}/" + ("attempts/" if attempts else "")


def submit(client, quiz, answers, paper=None):
    paper = paper or client.get(url(quiz)).json()["paper"]
    return client.post(url(quiz, True), {"paper": paper, "answers": answers}, format="json")


def test_anonymous_gets_the_error_body(lesson, quiz):
    for response in (
        APIClient().get(url(quiz)),
        APIClient().get(url(quiz, True)),
        APIClient().post(url(quiz, True), {}, format="json"),
    ):
        assert response.status_code == 401
        assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_a_paper_by_id_or_key_and_is_graded(role, lesson, quiz):
    client = api_client_for(role)
    paper = client.get(f"/api/v1/quizzes/{quiz.translation_key}/").json()
    assert paper["id"] == quiz.pk and paper["attempts_left"] == 2
    assert "correct" not in str(paper["questions"])
    response = submit(client, quiz, answer_key(quiz), paper=paper["paper"])
    assert response.status_code == 201
    result = response.json()
    assert result["passed"] is True and result["score"] == 100 and result["number"] == 1
    assert result["results"][0]["explanation"] == "客户经理开展贷前调查并独立完成授信调查报告。"
    assert any(o["correct"] for o in result["results"][0]["options"])
    assert client.get(url(quiz)).json()["attempts_used"] == 1


def test_the_attempt_limit_is_enforced_with_the_services_message(lesson, quiz):
    client = api_client_for("Learner")
    assert submit(client, quiz, wrong_answers(quiz)).json()["passed"] is False
    assert submit(client, quiz, wrong_answers(quiz)).status_code == 201
    paper = client.get(url(quiz)).json()
    assert paper["attempts_left"] == 0
    response = submit(client, quiz, answer_key(quiz), paper=paper["paper"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_attempts_left"
    assert "2" in response.json()["error"]["message"]


def test_i_see_only_my_attempts(lesson, quiz):
    mine, theirs = api_client_for("Learner"), api_client_for("Learner")
    submit(theirs, quiz, answer_key(quiz))
    submit(mine, quiz, wrong_answers(quiz))
    listed = mine.get(url(quiz, True)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["passed"] is False
    assert mine.get(url(quiz)).json()["attempts_used"] == 1
    # Another person's paper is not mine to submit.
    their_paper = theirs.get(url(quiz)).json()["paper"]
    response = submit(mine, quiz, answer_key(quiz), paper=their_paper)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_paper"


@pytest.mark.parametrize(
    "answers",
    [
        "not a dict",
        {"q": "not a list"},
        {"q": [1, {"x": 2}]},
        [["a"]],
        {f"q{n}": ["a"] for n in range(201)},
    ],
)
def test_malformed_answers_are_a_400_with_fields(lesson, quiz, answers):
    client = api_client_for("Learner")
    response = submit(client, quiz, answers)
    assert response.status_code == 400
    assert "answers" in response.json()["error"]["fields"]


def test_ungradeable_answers_are_refused_and_nothing_is_stored(lesson, quiz):
    client = api_client_for("Learner")
    key = answer_key(quiz)
    first = next(iter(key))
    cases = {
        "missing_answer": {first: key[first]},
        "unknown_question": {**key, "not-a-question": ["x"]},
        "unknown_option": {**key, first: ["no-such-option"]},
    }
    for code, answers in cases.items():
        response = submit(client, quiz, answers)
        assert response.status_code == 400, code
        assert response.json()["error"]["code"] == code
    garbled = client.post(url(quiz, True), {"paper": "xyz", "answers": key}, format="json")
    assert garbled.json()["error"]["code"] == "bad_paper"
    assert client.get(url(quiz)).json()["attempts_used"] == 0


def test_answers_for_another_quiz_are_refused(course, lesson, quiz):
    other = QuizFactory(bank__course=course, title="另一个测验")
    LessonPageFactory(parent=course, body=[("quiz", {"quiz": other, "intro": ""})])
    client = api_client_for("Learner")
    other_paper = client.get(url(other)).json()["paper"]
    response = submit(client, quiz, answer_key(other), paper=other_paper)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_paper"
    response = submit(client, quiz, answer_key(other))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_question"


def test_unknown_or_hidden_quizzes_are_404(course_index, lesson, quiz):
    client = api_client_for("Learner")
    for ref in ["999999", "00000000-0000-0000-0000-000000000000", "not-a-quiz"]:
        response = client.get(f"/api/v1/quizzes/{ref}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    # A quiz on no lesson, and a quiz only in a course the learner may not see.
    orphan = QuizFactory()
    group = Group.objects.create(name="法务部专属")
    hidden = CoursePageFactory(parent=course_index, visibility="groups", visible_to_groups=[group])
    secret = QuizFactory(bank__course=hidden)
    LessonPageFactory(parent=hidden, body=[("quiz", {"quiz": secret, "intro": ""})])
    for other in (orphan, secret):
        assert client.get(url(other)).status_code == 404
        assert client.get(url(other, True)).status_code == 404
        assert submit_raw(client, other).status_code == 404
    assert api_client_for("Trainer").get(url(secret)).status_code == 200
    # Naming a lesson that does not show the quiz does not help.
    assert client.get(url(quiz) + "?lesson=999999").status_code == 404
    assert client.get(url(quiz) + f"?lesson={lesson.pk}").status_code == 200


def submit_raw(client, quiz):
    return client.post(url(quiz, True), {"paper": "x", "answers": {}}, format="json")


# --- found by fuzzing the API (issue 14) -------------------------------------------------


@pytest.mark.parametrize("ref", ["%C2%B2", "%E2%91%A0", "99999999999999999999", "0"])
def test_quiz_refs_that_are_no_id_are_404(lesson, quiz, ref):
    client = api_client_for("Learner")
    for tail in ("", "attempts/"):
        response = client.get(f"/api/v1/quizzes/{ref}/{tail}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("value", ["1e20", "99999999999999999999", "0", "abc"])
def test_a_lesson_that_is_no_id_is_400(lesson, quiz, value):
    response = api_client_for("Learner").get(url(quiz) + f"?lesson={value}")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"lesson"}


def test_an_answer_with_a_nul_byte_is_400(lesson, quiz):
    client = api_client_for("Learner")
    response = submit(client, quiz, {"q\x00": ["a"]})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"answers"}
    assert not QuizAttempt.objects.exists()
