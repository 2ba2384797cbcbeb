"""The learning domain's part in serving course pages (see courses/hooks.py).

- `before_serve_page`: a course or lesson the person may not see is a 404, the same
  answer as a page that does not exist, so its title never leaks; signed-out visitors are
  sent to sign in.
- `before_serve_document`: a document a lesson offers is downloaded only by people who
  may see such a lesson (others get a 404, signed-out visitors the sign-in page); the
  rest keep Wagtail's collection privacy, whose own hook runs as well.
- Course lists ask `can_view_course` through the courses access hook.
- Course pages get the learner's standing (`lms.progress.outline.course_page_facts_for`);
  lesson pages get each quiz's question paper for this learner, its attempts and the URL
  its answers are posted to, and each video's resume state for the player
  (`lms.progress.outline.lesson_reading_for`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from wagtail import hooks

from courses.hooks import ACCESS_HOOK, PAGE_CONTEXT_HOOK
from courses.models import CourseIndexPage, CoursePage, LessonPage
from lms.paths.access import (
    can_view_course,
    can_view_document,
    can_view_lesson,
    is_lesson_document,
)
from lms.progress.outline import course_page_facts_for, lesson_reading_for


@hooks.register("before_serve_page")
def guard_course_pages(
    page: Any, request: HttpRequest, serve_args: Any, serve_kwargs: Any
) -> HttpResponse | None:
    if not isinstance(page, CourseIndexPage | CoursePage | LessonPage):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if isinstance(page, CoursePage) and not can_view_course(request.user, page):
        raise Http404
    if isinstance(page, LessonPage) and not can_view_lesson(request.user, page):
        raise Http404
    return None


@hooks.register("before_serve_document")
def guard_lesson_documents(document: Any, request: HttpRequest) -> HttpResponse | None:
    if not is_lesson_document(document):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_view_document(request.user, document):
        raise Http404
    return None


@hooks.register(ACCESS_HOOK)
def course_access(user: Any, course: CoursePage) -> bool:
    return can_view_course(user, course)


@hooks.register(PAGE_CONTEXT_HOOK)
def learner_context(request: HttpRequest, page: Any, context: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"search_url": reverse("learn:course_search")}
    if isinstance(page, CoursePage) and request.user.is_authenticated:
        facts = course_page_facts_for(user=request.user, course=page)
        extra["lesson_status"] = facts.lesson_status
        extra["completion"] = facts.completion
        extra["next_in_path"] = facts.next_in_path
        extra["continue_lesson"] = facts.continue_lesson
    if isinstance(page, LessonPage):
        reading = lesson_reading_for(user=request.user, lesson=page)
        extra["quiz_papers"] = reading.papers
        extra["quiz_status"] = reading.quiz_status
        extra["quiz_submit_url"] = {
            block_id: reverse(
                "learn:quiz_attempt_create",
                kwargs={"lesson_id": page.pk, "quiz_id": paper.quiz.pk},
            )
            for block_id, paper in reading.papers.items()
        }
        extra["player_states"] = reading.player_states
        extra["attempt_urls"] = {
            block_id: reverse("learn:quiz_attempt", args=[status.last_attempt.pk])
            for block_id, status in reading.quiz_status.items()
            if status.last_attempt is not None
        }
    return extra
