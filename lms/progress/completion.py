"""When a course counts as completed.

The rule: every live lesson's video watched to its threshold, and every quiz of its
lessons passed. Lessons with neither add no requirement.

`course_completion` is the rule itself, a pure function of facts, so it can be tested and
reused without the database. How much of each video a learner watched comes from their
watched ranges (lms.progress.events).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from courses.models import CoursePage, LessonPage
from courses.translation import canonical_page
from lms.progress.selectors import passed_quiz_keys

# (lesson page id, video id) -> percent of the video's content played, 0–100.
WatchedPercent = Mapping[tuple[int, int], float]


@dataclass(frozen=True)
class VideoRequirement:
    lesson_id: int
    lesson_title: str
    video_id: int
    threshold: int  # percent


@dataclass(frozen=True)
class QuizRequirement:
    lesson_id: int
    lesson_title: str
    quiz_key: uuid.UUID
    quiz_title: str


@dataclass(frozen=True)
class CourseRequirements:
    course_id: int
    videos: tuple[VideoRequirement, ...]
    quizzes: tuple[QuizRequirement, ...]


@dataclass(frozen=True)
class CourseCompletion:
    complete: bool
    videos_left: tuple[VideoRequirement, ...]
    quizzes_left: tuple[QuizRequirement, ...]
    done: int
    total: int


def course_requirements(course: CoursePage) -> CourseRequirements:
    """What the live lessons of a course (in the site's default language) ask for."""
    course = canonical_page(course).specific
    videos: list[VideoRequirement] = []
    quizzes: list[QuizRequirement] = []
    for lesson in LessonPage.objects.child_of(course).live().order_by("path"):
        for _block_id, video, threshold in lesson.video_blocks():
            if threshold > 0:
                videos.append(VideoRequirement(lesson.pk, lesson.title, video.pk, threshold))
        for _block_id, quiz in lesson.quiz_blocks():
            quizzes.append(
                QuizRequirement(lesson.pk, lesson.title, quiz.translation_key, quiz.title)
            )
    return CourseRequirements(course_id=course.pk, videos=tuple(videos), quizzes=tuple(quizzes))


def course_completion(
    *,
    requirements: CourseRequirements,
    watched_percent: WatchedPercent,
    passed_quiz_keys: Collection[uuid.UUID],
) -> CourseCompletion:
    """The completion rule, from facts only."""
    videos_left = tuple(
        video
        for video in requirements.videos
        if watched_percent.get((video.lesson_id, video.video_id), 0) < video.threshold
    )
    quizzes_left = tuple(q for q in requirements.quizzes if q.quiz_key not in passed_quiz_keys)
    total = len(requirements.videos) + len(requirements.quizzes)
    return CourseCompletion(
        complete=not videos_left and not quizzes_left,
        videos_left=videos_left,
        quizzes_left=quizzes_left,
        done=total - len(videos_left) - len(quizzes_left),
        total=total,
    )


def watched_percent_for(
    *, user: AbstractBaseUser, requirements: CourseRequirements
) -> dict[tuple[int, int], float]:
    """How much of each required video the learner played (from their watched ranges)."""
    from lms.progress.models import VideoWatch

    lessons = {video.lesson_id for video in requirements.videos}
    if not lessons:
        return {}
    return {
        (lesson_id, video_id): percent
        for lesson_id, video_id, percent in VideoWatch.objects.filter(
            user=user, lesson_id__in=lessons
        ).values_list("lesson_id", "video_id", "percent")
    }


def course_completion_for(
    *,
    user: AbstractBaseUser,
    course: CoursePage,
    watched_percent: WatchedPercent | None = None,
) -> CourseCompletion:
    requirements = course_requirements(course)
    if watched_percent is None:
        watched_percent = watched_percent_for(user=user, requirements=requirements)
    return course_completion(
        requirements=requirements,
        watched_percent=watched_percent,
        passed_quiz_keys=passed_quiz_keys(
            user=user, keys={q.quiz_key for q in requirements.quizzes}
        ),
    )
