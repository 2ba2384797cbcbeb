"""Learner views next to the Wagtail course pages: quiz answers, quiz results, search.

Thin: read the request, find what it names (a 404 when hidden), call one service or
selector, render. Refusals answer with a 4xx page that says why; nothing is stored.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Locale

from courses.models import CoursePage, LessonPage, Quiz
from courses.search import pages_containing
from lms.paths.access import can_view_course, can_view_lesson, course_of
from lms.progress.models import QuizAttempt
from lms.progress.outline import lesson_visible_to
from lms.progress.selectors import quiz_statuses_for
from lms.progress.services import QuizSubmissionError, quiz_answers_submit

ANSWER_PREFIX = "q-"
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_RESULTS = 50


def _refuse(
    request: HttpRequest, *, message: str, status: int, lesson: LessonPage | None = None
) -> HttpResponse:
    return render(
        request,
        "courses/quiz_refused.html",
        {"message": message, "lesson": lesson},
        status=status,
    )


@login_required
@require_POST
def quiz_attempt_create(request: HttpRequest, lesson_id: int, quiz_id: int) -> HttpResponse:
    """Grade the answers posted from a lesson's quiz form, then show the result."""
    lesson = lesson_visible_to(user=request.user, lesson_id=lesson_id)
    if lesson is None:
        raise Http404
    quiz = get_object_or_404(Quiz.objects.select_related("bank"), pk=quiz_id)
    answers = {
        key.removeprefix(ANSWER_PREFIX): request.POST.getlist(key)
        for key in request.POST
        if key.startswith(ANSWER_PREFIX)
    }
    try:
        attempt = quiz_answers_submit(
            user=request.user,
            quiz=quiz,
            lesson=lesson,
            paper=request.POST.get("paper", ""),
            answers=answers,
        )
    except QuizSubmissionError as exc:
        return _refuse(request, message=exc.message, status=exc.status, lesson=lesson)
    return redirect("learn:quiz_attempt", attempt_id=attempt.pk)


@login_required
@require_GET
def quiz_attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """One of the learner's own attempts: score, and each question with its explanation."""
    attempt = get_object_or_404(QuizAttempt, pk=attempt_id, user=request.user)
    lesson = None
    if attempt.lesson_id:
        lesson = LessonPage.objects.live().filter(pk=attempt.lesson_id).first()
        if lesson is not None:
            # Back to the lesson in the learner's language when it has one.
            lesson = lesson.localized
            if not can_view_lesson(request.user, lesson):
                lesson = None
    status = None
    quiz = attempt.quiz
    if quiz is not None:
        status = quiz_statuses_for(user=request.user, quizzes=[quiz])[quiz.translation_key]
    return render(
        request,
        "courses/quiz_result.html",
        {"attempt": attempt, "lesson": lesson, "status": status},
    )


@login_required
@require_GET
def course_search(request: HttpRequest) -> HttpResponse:
    """Courses and lessons the learner may see whose text contains the query."""
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
    courses: list[CoursePage] = []
    lessons: list[tuple[LessonPage, CoursePage]] = []
    if query:
        locale = Locale.get_active()
        visible: dict[int, bool] = {}

        def visible_course(course: CoursePage) -> bool:
            if course.pk not in visible:
                visible[course.pk] = can_view_course(request.user, course)
            return visible[course.pk]

        for course in pages_containing(
            CoursePage.objects.live().filter(locale=locale), query
        ).order_by("path")[:SEARCH_MAX_RESULTS]:
            if visible_course(course):
                courses.append(course)
        for lesson in pages_containing(
            LessonPage.objects.live().filter(locale=locale), query
        ).order_by("path")[:SEARCH_MAX_RESULTS]:
            course = course_of(lesson)
            if course is not None and visible_course(course):
                lessons.append((lesson, course))
    return render(
        request,
        "courses/search.html",
        {"query": query, "courses": courses, "lessons": lessons},
    )
