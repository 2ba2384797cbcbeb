"""Completion rolls up: lesson → course → path item → path, for the courses touched."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser

from lms.progress.completion import course_completion_for


def progress_rollup_courses(*, user: AbstractBaseUser, courses: Iterable[object]) -> None:
    """Recompute only these courses for this person (never everything on every event)."""
    from lms.paths.services import course_progress_record

    for course in courses:
        completion = course_completion_for(user=user, course=course)  # type: ignore[arg-type]
        course_progress_record(
            user=user,
            course_id=completion_course_id(course),
            done=completion.done,
            total=completion.total,
            complete=completion.complete,
        )


def completion_course_id(course: object) -> int:
    from courses.translation import canonical_page

    return canonical_page(course).pk  # type: ignore[arg-type]


def progress_rollup_lessons(*, user: AbstractBaseUser, lesson_ids: Iterable[int]) -> None:
    from courses.models import CoursePage, LessonPage

    parents = {
        lesson.get_parent().specific
        for lesson in LessonPage.objects.filter(pk__in=list(lesson_ids))
    }
    progress_rollup_courses(user=user, courses=[p for p in parents if isinstance(p, CoursePage)])
