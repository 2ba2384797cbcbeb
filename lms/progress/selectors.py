"""Reads of progress used by the learner pages (and later the API)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from courses.models import Quiz
from lms.progress.models import QuizAttempt


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
