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

from courses.models import LessonPage, Quiz
from lms.paths.search import course_search_for
from lms.progress.models import QuizAttempt
from lms.progress.outline import lesson_visible_to
from lms.progress.selectors import quiz_attempt_result_for
from lms.progress.services import QuizSubmissionError, quiz_answers_submit

ANSWER_PREFIX = "q-"
SEARCH_MAX_LENGTH = 100


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
    try:
        result = quiz_attempt_result_for(user=request.user, attempt_id=attempt_id)
    except QuizAttempt.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "courses/quiz_result.html",
        {"attempt": result.attempt, "lesson": result.lesson, "status": result.status},
    )


@login_required
@require_GET
def course_search(request: HttpRequest) -> HttpResponse:
    """Courses and lessons the learner may see whose text contains the query."""
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
    found = course_search_for(user=request.user, query=query, locale=Locale.get_active())
    return render(
        request,
        "courses/search.html",
        {"query": query, "courses": found.courses, "lessons": found.lessons},
    )
