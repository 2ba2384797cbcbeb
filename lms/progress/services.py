"""State changes of progress: submitting a quiz attempt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from courses.models import CoursePage, LessonPage, Quiz
from courses.quizzes import QuizAnswerError, quiz_grade, quiz_paper_question_ids
from courses.translation import canonical_page
from lms.progress.models import QuizAttempt


class QuizSubmissionError(Exception):
    """A submission that was refused; nothing was stored.

    `status` is the HTTP status a view should answer with: 400 for answers that cannot be
    graded, 409 when the quiz cannot take another attempt.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def quiz_attempts_used(*, user: AbstractBaseUser, quiz: Quiz) -> int:
    return QuizAttempt.objects.of(user).for_quiz_key(quiz.translation_key).count()


def quiz_answers_submit(
    *,
    user: AbstractBaseUser,
    quiz: Quiz,
    lesson: LessonPage,
    paper: str,
    answers: Mapping[str, Sequence[str]],
) -> QuizAttempt:
    """Grade answers to the paper token the learner was given (by the lesson page or the
    API) and record the attempt; a token that is not theirs, of another quiz or too old is
    refused (400) before anything else is looked at."""
    try:
        question_ids = quiz_paper_question_ids(token=paper, quiz=quiz, user_id=user.pk)
    except QuizAnswerError as exc:
        raise QuizSubmissionError(exc.code, exc.message) from exc
    return quiz_attempt_submit(
        user=user, quiz=quiz, lesson=lesson, question_ids=question_ids, answers=answers
    )


@transaction.atomic
def quiz_attempt_submit(
    *,
    user: AbstractBaseUser,
    quiz: Quiz,
    lesson: LessonPage,
    question_ids: Sequence[str],
    answers: Mapping[str, Sequence[str]],
) -> QuizAttempt:
    """Grade a learner's answers to the paper they were given and record the attempt.

    Refuses (QuizSubmissionError, nothing stored) when the quiz is not on the lesson, when
    the learner has used every attempt, or when the answers cannot be graded (unknown
    questions or options, a question left unanswered, two answers to a single choice).
    """
    if quiz.translation_key not in {q.translation_key for _id, q in lesson.quiz_blocks()}:
        raise QuizSubmissionError("not_on_lesson", _("This quiz is not part of this lesson."))
    used = quiz_attempts_used(user=user, quiz=quiz)
    if quiz.attempt_limit and used >= quiz.attempt_limit:
        raise QuizSubmissionError(
            "no_attempts_left",
            _("You have used all %(limit)d attempts at this quiz.") % {"limit": quiz.attempt_limit},
            status=409,
        )
    try:
        graded = quiz_grade(quiz=quiz, question_ids=question_ids, answers=answers)
    except QuizAnswerError as exc:
        raise QuizSubmissionError(exc.code, exc.message) from exc

    course = lesson.get_parent()
    stored_answers: dict[str, Any] = {
        question.id: [option.id for option in question.options if option.chosen]
        for question in graded.questions
    }
    attempt = QuizAttempt(
        user=user,
        quiz=quiz,
        quiz_key=quiz.translation_key,
        course=canonical_page(course) if course.specific_class is CoursePage else None,
        lesson=canonical_page(lesson),
        number=used + 1,
        quiz_title=quiz.title[:255],
        lesson_title=lesson.title[:255],
        answers=stored_answers,
        results=[question.as_json() for question in graded.questions],
        correct_count=graded.correct_count,
        question_count=graded.total,
        score=graded.score,
        pass_mark=graded.pass_mark,
        passed=graded.passed,
        attempt_limit=quiz.attempt_limit,
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError as exc:
        # Another submission of the same attempt number won the race (two tabs, a double tap).
        raise QuizSubmissionError(
            "duplicate_submission",
            _("These answers were already submitted from another window. Reload the lesson."),
            status=409,
        ) from exc
    if attempt.passed and attempt.course is not None:
        from lms.progress.rollup import progress_rollup_courses

        progress_rollup_courses(user=user, courses=[attempt.course.specific])
    return attempt
