"""Quiz answers posted from a lesson page: graded on the server, limited, never trusted."""

import re

import pytest
from django.test import Client

from courses.quizzes import quiz_paper_for
from lms.progress.models import QuizAttempt
from lms.progress.services import QuizSubmissionError, quiz_attempt_submit
from tests.courses.factories import (
    LessonPageFactory,
    QuizFactory,
    answer_key,
    wrong_answers,
)
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def paper_from(client, lesson) -> str:
    """The signed paper token of the lesson's quiz form, as the learner's browser has it."""
    page = client.get(lesson.url).content.decode()
    return re.search(r'name="paper" value="([^"]+)"', page).group(1)


def post_answers(client, lesson, quiz, answers, *, paper=None):
    data = {"paper": paper if paper is not None else paper_from(client, lesson)}
    for question_id, options in answers.items():
        data[f"q-{question_id}"] = options
    return client.post(
        f"/learn/lessons/{lesson.pk}/quizzes/{quiz.pk}/attempts/",
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def learner(role_client):
    return role_client("Learner")


def test_right_answers_pass_and_the_result_explains_each_question(learner, lesson, quiz):
    response = post_answers(learner, lesson, quiz, answer_key(quiz))

    attempt = QuizAttempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/learn/attempts/{attempt.pk}/"
    assert (attempt.score, attempt.passed, attempt.number) == (100, True, 1)
    assert attempt.user == learner.employee.user
    assert attempt.lesson_id == lesson.pk and attempt.course_id == lesson.get_parent().pk

    result = learner.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "100%" in result
    assert "Passed" in result
    assert "客户经理开展贷前调查并独立完成授信调查报告。" in result  # the explanation
    assert "correct answer" in result


def test_wrong_answers_fail_and_leave_attempts(learner, lesson, quiz):
    post_answers(learner, lesson, quiz, wrong_answers(quiz))

    attempt = QuizAttempt.objects.get()
    assert (attempt.score, attempt.passed) == (0, False)
    result = learner.get(f"/learn/attempts/{attempt.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "1 attempt left" in result.decode()
    assert "Try again" in result.decode()


def test_a_multiple_choice_needs_every_right_option(learner, lesson, quiz):
    answers = answer_key(quiz)
    multiple_id = next(b.id for b in quiz.bank.questions if b.block_type == "multiple_choice")
    answers[multiple_id] = answers[multiple_id][:1]  # one of the two right options

    post_answers(learner, lesson, quiz, answers)

    attempt = QuizAttempt.objects.get()
    assert attempt.correct_count == 2
    assert attempt.score == 66  # rounded down: 2 of 3
    assert attempt.passed is True  # the fixture's pass mark is 60 %


def test_no_attempt_after_the_limit(learner, lesson, quiz):
    post_answers(learner, lesson, quiz, wrong_answers(quiz))
    paper = paper_from(learner, lesson)
    post_answers(learner, lesson, quiz, wrong_answers(quiz), paper=paper)

    response = post_answers(learner, lesson, quiz, answer_key(quiz), paper=paper)

    assert response.status_code == 409
    assert "You have used all 2 attempts at this quiz." in response.content.decode()
    assert QuizAttempt.objects.count() == 2
    lesson_page = learner.get(lesson.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have used every attempt at this quiz." in lesson_page
    assert 'name="paper"' not in lesson_page


def test_unlimited_attempts_when_the_limit_is_zero(learner, lesson, quiz):
    quiz.attempt_limit = 0
    quiz.save()
    for _ in range(4):
        assert post_answers(learner, lesson, quiz, wrong_answers(quiz)).status_code == 302
    assert QuizAttempt.objects.count() == 4


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("unknown_option", "has an answer that is not one of its options"),
        ("missing_answer", "Answer every question before submitting: 2 left unanswered."),
        ("no_answers", "Answer every question before submitting: 1, 2, 3 left unanswered."),
        ("unknown_question", "The answers name a question that is not on this quiz."),
        ("two_answers_to_single", "Question 1 takes one answer only."),
        ("true_false_maybe", "Question 3 has an answer that is not one of its options."),
        ("forged_paper", "This quiz form is not valid."),
        ("no_paper", "This quiz form is not valid."),
    ],
)
def test_hostile_answers_are_refused_with_a_reason_and_nothing_is_stored(
    learner, lesson, quiz, tamper, message
):
    answers = answer_key(quiz)
    ids = list(answers)
    paper = paper_from(learner, lesson)
    if tamper == "unknown_option":
        answers[ids[0]] = ["not-an-option"]
    elif tamper == "missing_answer":
        del answers[ids[1]]
    elif tamper == "no_answers":
        answers = {}
    elif tamper == "unknown_question":
        answers["made-up-question"] = ["x"]
    elif tamper == "two_answers_to_single":
        block = quiz.bank.questions[0]
        answers[ids[0]] = [child.id for child in block.value["options"].bound_blocks][:2]
    elif tamper == "true_false_maybe":
        answers[ids[2]] = ["maybe"]
    elif tamper == "forged_paper":
        paper = paper[:-4] + "abcd"
    elif tamper == "no_paper":
        paper = ""

    response = post_answers(learner, lesson, quiz, answers, paper=paper)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Nothing was recorded, and no attempt was used." in page
    assert QuizAttempt.objects.count() == 0


def test_another_learners_paper_is_refused(learner, lesson, quiz):
    other = Client()
    other.force_login(EmployeeFactory(roles=["Learner"]).user)
    someone_elses = paper_from(other, lesson)

    response = post_answers(learner, lesson, quiz, answer_key(quiz), paper=someone_elses)

    assert response.status_code == 400
    assert QuizAttempt.objects.count() == 0


def test_a_paper_only_grades_the_questions_it_asked(learner, course, quiz):
    quiz.question_count = 2
    quiz.save()
    lesson = LessonPageFactory(parent=course, body=[("quiz", {"quiz": quiz, "intro": ""})])
    page = learner.get(lesson.url).content.decode()
    paper = re.search(r'name="paper" value="([^"]+)"', page).group(1)
    asked = set(re.findall(r'name="q-([0-9a-f-]+)"', page))
    assert len(asked) == 2
    answers = {qid: options for qid, options in answer_key(quiz).items() if qid in asked}

    # Answering the question that was not drawn is refused…
    response = post_answers(learner, lesson, quiz, answer_key(quiz), paper=paper)
    assert response.status_code == 400
    # …the two that were are graded.
    assert post_answers(learner, lesson, quiz, answers, paper=paper).status_code == 302
    assert QuizAttempt.objects.get().question_count == 2


def test_a_quiz_that_is_not_on_the_lesson_is_refused(learner, course, lesson):
    other_quiz = QuizFactory()
    paper = quiz_paper_for(quiz=other_quiz, user_id=learner.employee.user.pk).token

    response = post_answers(learner, lesson, other_quiz, answer_key(other_quiz), paper=paper)

    assert response.status_code == 400
    assert QuizAttempt.objects.count() == 0


def test_answers_without_a_csrf_token_are_refused(lesson, quiz):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(EmployeeFactory(roles=["Learner"]).user)
    paper = paper_from(browser, lesson)

    response = post_answers(browser, lesson, quiz, answer_key(quiz), paper=paper)

    assert response.status_code == 403
    assert QuizAttempt.objects.count() == 0


def test_signed_out_visitors_and_get_requests_store_nothing(learner, lesson, quiz):
    url = f"/learn/lessons/{lesson.pk}/quizzes/{quiz.pk}/attempts/"
    assert Client().post(url, {"paper": "x"})["Location"].startswith("/accounts/login/")
    assert learner.get(url).status_code == 405
    assert QuizAttempt.objects.count() == 0


def test_a_learner_who_may_not_see_the_lesson_gets_404(learner, course, lesson, quiz):
    paper = paper_from(learner, lesson)
    course.visibility = "path"
    course.save_revision().publish()

    response = post_answers(learner, lesson, quiz, answer_key(quiz), paper=paper)

    assert response.status_code == 404
    assert QuizAttempt.objects.count() == 0


def test_nobody_sees_another_learners_attempt(learner, lesson, quiz):
    post_answers(learner, lesson, quiz, answer_key(quiz))
    attempt = QuizAttempt.objects.get()
    other = Client()
    other.force_login(EmployeeFactory(roles=["Learner"]).user)

    assert other.get(f"/learn/attempts/{attempt.pk}/").status_code == 404
    assert learner.get(f"/learn/attempts/{attempt.pk}/").status_code == 200


def test_two_submissions_racing_for_the_last_attempt_store_one(learner, lesson, quiz, monkeypatch):
    user = learner.employee.user
    paper = quiz_paper_for(quiz=quiz, user_id=user.pk)
    ids = [q.id for q in paper.questions]
    quiz_attempt_submit(
        user=user, quiz=quiz, lesson=lesson, question_ids=ids, answers=wrong_answers(quiz)
    )
    # The second request counted attempts before the first one saved.
    monkeypatch.setattr("lms.progress.services.quiz_attempts_used", lambda **kwargs: 0)

    with pytest.raises(QuizSubmissionError) as refused:
        quiz_attempt_submit(
            user=user, quiz=quiz, lesson=lesson, question_ids=ids, answers=answer_key(quiz)
        )

    assert refused.value.status == 409
    assert QuizAttempt.objects.count() == 1
