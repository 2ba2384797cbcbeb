"""Search over what a learner may see: the courses of their paths and the open ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from courses.models import CoursePage, LessonPage
from courses.search import pages_containing
from lms.paths.access import can_view_course, course_of

SEARCH_MAX_RESULTS = 50


@dataclass(frozen=True)
class CourseSearch:
    courses: list[CoursePage]
    lessons: list[tuple[LessonPage, CoursePage]]  # each lesson with its course


def course_search_for(*, user: Any, query: str, locale: Any) -> CourseSearch:
    """Courses and lessons in `locale` whose text contains `query`, of the courses `user`
    may see; at most SEARCH_MAX_RESULTS of each, in the order of the page tree."""
    if not query:
        return CourseSearch(courses=[], lessons=[])
    visible: dict[int, bool] = {}

    def visible_course(course: CoursePage) -> bool:
        if course.pk not in visible:
            visible[course.pk] = can_view_course(user, course)
        return visible[course.pk]

    courses = [
        course
        for course in pages_containing(
            CoursePage.objects.live().filter(locale=locale), query
        ).order_by("path")[:SEARCH_MAX_RESULTS]
        if visible_course(course)
    ]
    lessons: list[tuple[LessonPage, CoursePage]] = []
    for lesson in pages_containing(LessonPage.objects.live().filter(locale=locale), query).order_by(
        "path"
    )[:SEARCH_MAX_RESULTS]:
        course = course_of(lesson)
        if course is not None and visible_course(course):
            lessons.append((lesson, course))
    return CourseSearch(courses=courses, lessons=lessons)
