"""Learner URLs that live next to the Wagtail course pages (quizzes, search, progress
beacon) and the learner's own pages (transcript, certificates, profile)."""

from django.urls import path

from lms.learner import course_views, me_views, progress_views

app_name = "learn"

urlpatterns = [
    path(
        "lessons/<int:lesson_id>/quizzes/<int:quiz_id>/attempts/",
        course_views.quiz_attempt_create,
        name="quiz_attempt_create",
    ),
    path("attempts/<int:attempt_id>/", course_views.quiz_attempt_detail, name="quiz_attempt"),
    path("search/", course_views.course_search, name="course_search"),
    path("progress/beacon/", progress_views.progress_beacon, name="progress_beacon"),
    path("me/transcript/", me_views.transcript, name="transcript"),
    path("me/certificates/<int:item_id>/", me_views.course_certificate, name="course_certificate"),
    path(
        "me/certificates/paths/<int:enrolment_id>/",
        me_views.path_certificate,
        name="path_certificate",
    ),
    path("me/profile/", me_views.profile, name="profile"),
]
