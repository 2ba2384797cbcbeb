"""Learner URLs that live next to the Wagtail course pages (quizzes, search)."""

from django.urls import path

from lms.learner import course_views

app_name = "learn"

urlpatterns = [
    path(
        "lessons/<int:lesson_id>/quizzes/<int:quiz_id>/attempts/",
        course_views.quiz_attempt_create,
        name="quiz_attempt_create",
    ),
    path("attempts/<int:attempt_id>/", course_views.quiz_attempt_detail, name="quiz_attempt"),
    path("search/", course_views.course_search, name="course_search"),
]
