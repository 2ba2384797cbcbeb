"""Reads of progress used by the learner pages and the API: quiz status, the learner's quiz."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from wagtail.models import Locale, Page, ReferenceIndex

from courses.models import LessonPage, Quiz
from courses.quizzes import QuizPaper, quiz_paper_for
from lms.paths.access import can_view_lesson
from lms.paths.models import Enrolment, EnrolmentItem
from lms.progress.models import QuizAttempt
from media.api_common import parse_id


@dataclass(frozen=True)
class QuizStatus:
    """Where a learner stands with one quiz."""

    attempts_used: int
    attempt_limit: int  # 0 = unlimited
    passed: bool
    best_score: int | None
    last_attempt: QuizAttempt | None

    @property
    def attempts_left(self) -> int | None:
        """None when attempts are unlimited."""
        if not self.attempt_limit:
            return None
        return max(self.attempt_limit - self.attempts_used, 0)

    @property
    def can_attempt(self) -> bool:
        return self.attempts_left is None or self.attempts_left > 0


def quiz_statuses_for(
    *, user: AbstractBaseUser, quizzes: Iterable[Quiz]
) -> dict[uuid.UUID, QuizStatus]:
    """Status per quiz translation key, in one query whatever the number of quizzes."""
    quizzes = list(quizzes)
    keys = {quiz.translation_key for quiz in quizzes}
    attempts: dict[uuid.UUID, list[QuizAttempt]] = {key: [] for key in keys}
    if keys and user.is_authenticated:
        for attempt in (
            QuizAttempt.objects.of(user)
            .filter(quiz_key__in=keys)
            .only("pk", "quiz_key", "number", "score", "passed", "submitted_at")
            .order_by("number")
        ):
            attempts[attempt.quiz_key].append(attempt)
    statuses = {}
    for quiz in quizzes:
        done = attempts[quiz.translation_key]
        statuses[quiz.translation_key] = QuizStatus(
            attempts_used=len(done),
            attempt_limit=quiz.attempt_limit,
            passed=any(a.passed for a in done),
            best_score=max((a.score for a in done), default=None),
            last_attempt=done[-1] if done else None,
        )
    return statuses


def passed_quiz_keys(*, user: AbstractBaseUser, keys: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    keys = set(keys)
    if not keys:
        return set()
    return set(
        QuizAttempt.objects.of(user)
        .passed()
        .filter(quiz_key__in=keys)
        .values_list("quiz_key", flat=True)
        .distinct()
    )


# --- the learner's quiz ------------------------------------------------------------


def quiz_by_ref(ref: str) -> Quiz | None:
    """A quiz by its id, or by its translation key (in the reader's language if it has one)."""
    queryset = Quiz.objects.select_related("bank")
    if ref.isdigit():
        # isdigit() also says yes to "²" and "①", which int() refuses.
        pk = parse_id(ref)
        if pk is None:
            return None
        quiz = queryset.filter(pk=pk).first()
    else:
        try:
            key = uuid.UUID(ref)
        except ValueError:
            return None
        quiz = queryset.filter(translation_key=key).order_by("pk").first()
    if quiz is None:
        return None
    localized = quiz.localized
    if localized.pk != quiz.pk:
        localized = queryset.get(pk=localized.pk)
    return localized


def _lessons_showing(quiz: Quiz) -> Iterable[LessonPage]:
    quiz_ids = [
        str(pk)
        for pk in Quiz.objects.filter(translation_key=quiz.translation_key).values_list(
            "pk", flat=True
        )
    ]
    page_ids = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(Quiz),
        to_object_id__in=quiz_ids,
        base_content_type=ContentType.objects.get_for_model(Page),
    ).values_list("object_id", flat=True)
    locale = Locale.get_active()
    lessons = LessonPage.objects.live().filter(pk__in=[int(pk) for pk in page_ids])
    # The reader's language first, then the tree order.
    return sorted(lessons, key=lambda lesson: (lesson.locale_id != locale.pk, lesson.path))


def quiz_lesson_for(
    *, user: AbstractBaseUser, quiz: Quiz, lesson_id: int | None = None
) -> LessonPage | None:
    """A live lesson the person may see that shows the quiz; None when there is none.

    `lesson_id` picks the lesson when the phone knows it; otherwise the quiz's lessons are
    found through Wagtail's reference index.
    """
    if lesson_id is not None:
        candidates: Iterable[LessonPage] = LessonPage.objects.live().filter(pk=lesson_id)
    else:
        candidates = _lessons_showing(quiz)
    for lesson in candidates:
        keys = {shown.translation_key for _block, shown in lesson.quiz_blocks()}
        if quiz.translation_key in keys and can_view_lesson(user, lesson):
            return lesson
    return None


@dataclass(frozen=True)
class LearnerQuiz:
    """A quiz as one learner reaches it: in their language, through a live lesson they may
    see that shows it."""

    quiz: Quiz
    lesson: LessonPage


def learner_quiz_for(
    *, user: AbstractBaseUser, quiz_ref: str, lesson_id: int | None = None
) -> LearnerQuiz | None:
    """The quiz named by its id or translation key, with the lesson it is reached through;
    None for a quiz that does not exist and for one the person may not reach alike."""
    quiz = quiz_by_ref(quiz_ref)
    if quiz is None:
        return None
    lesson = quiz_lesson_for(user=user, quiz=quiz, lesson_id=lesson_id)
    if lesson is None:
        return None
    return LearnerQuiz(quiz=quiz, lesson=lesson)


@dataclass(frozen=True)
class LearnerQuizPaper:
    """A fresh question paper of the learner's quiz and where they stand with it."""

    paper: QuizPaper
    status: QuizStatus


def learner_quiz_paper_for(
    *, user: AbstractBaseUser, quiz_ref: str, lesson_id: int | None = None
) -> LearnerQuizPaper | None:
    found = learner_quiz_for(user=user, quiz_ref=quiz_ref, lesson_id=lesson_id)
    if found is None:
        return None
    quiz = found.quiz
    paper = quiz_paper_for(quiz=quiz, user_id=user.pk)
    status = quiz_statuses_for(user=user, quizzes=[quiz])[quiz.translation_key]
    return LearnerQuizPaper(paper=paper, status=status)


def learner_quiz_attempts_for(
    *, user: AbstractBaseUser, quiz_ref: str, lesson_id: int | None = None
) -> QuerySet[QuizAttempt] | None:
    """The learner's attempts at the quiz in any language, newest first; None as above."""
    found = learner_quiz_for(user=user, quiz_ref=quiz_ref, lesson_id=lesson_id)
    if found is None:
        return None
    return QuizAttempt.objects.of(user).for_quiz_key(found.quiz.translation_key).order_by("-number")


# --- transcript -------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptEntry:
    item: Any  # EnrolmentItem
    kind: str
    path: str
    completed_at: Any


@dataclass(frozen=True)
class Transcript:
    completed: list[TranscriptEntry]
    paths: list[Any]  # Enrolments, completed ones with completed_at
    quizzes: list[Any]  # the best passing attempt per quiz
    in_progress: int


def transcript_for(*, employee: Any) -> Transcript:
    """What the person completed and when, newest first, in three queries."""
    items = list(
        EnrolmentItem.objects.filter(
            enrolment__employee=employee, status=EnrolmentItem.Status.COMPLETED
        )
        .exclude(enrolment__status=Enrolment.Status.REMOVED)
        .select_related("enrolment__path", "item")
        .order_by("-completed_at", "-pk")
    )
    paths = list(
        Enrolment.objects.current()
        .filter(employee=employee)
        .select_related("path")
        .order_by("-completed_at", "assigned_at")
    )
    best: dict[Any, Any] = {}
    for attempt in (
        QuizAttempt.objects.of(employee.user)
        .passed()
        .only("pk", "quiz_key", "quiz_title", "lesson_title", "score", "submitted_at", "number")
        .order_by("submitted_at")
    ):
        current = best.get(attempt.quiz_key)
        if current is None or attempt.score > current.score:
            best[attempt.quiz_key] = attempt
    return Transcript(
        completed=[
            TranscriptEntry(
                item=item,
                kind=item.item.kind if item.item else "",
                path=item.enrolment.path.name,
                completed_at=item.completed_at,
            )
            for item in items
        ],
        paths=paths,
        quizzes=sorted(best.values(), key=lambda a: a.submitted_at, reverse=True),
        in_progress=sum(1 for p in paths if p.status == Enrolment.Status.ACTIVE),
    )


@dataclass(frozen=True)
class QuizAttemptResult:
    attempt: QuizAttempt
    lesson: LessonPage | None  # where "back" leads: the lesson, in the learner's language
    status: QuizStatus | None  # the learner's standing on that quiz now


def quiz_attempt_result_for(*, user: AbstractBaseUser, attempt_id: int) -> QuizAttemptResult:
    """One of the learner's own attempts (QuizAttempt.DoesNotExist for anyone else's)."""
    attempt = QuizAttempt.objects.get(pk=attempt_id, user=user)
    lesson = None
    if attempt.lesson_id:
        lesson = LessonPage.objects.live().filter(pk=attempt.lesson_id).first()
        if lesson is not None:
            lesson = lesson.localized
            if not can_view_lesson(user, lesson):
                lesson = None
    status = None
    quiz = attempt.quiz
    if quiz is not None:
        status = quiz_statuses_for(user=user, quizzes=[quiz])[quiz.translation_key]
    return QuizAttemptResult(attempt=attempt, lesson=lesson, status=status)
