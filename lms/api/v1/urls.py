from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from lms.api.throttles import SignInThrottle
from lms.api.v1 import auth, courses, docs, errors, hr, me, notices, progress, quizzes, sessions
from media.api_common import register_id_converter

register_id_converter()

app_name = "api-v1"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(url_name="api-v1:schema"), name="docs"),
    path(
        "auth/token/", auth.ObtainTokenApi.as_view(throttle_classes=[SignInThrottle]), name="token"
    ),
    path("auth/token/revoke/", auth.RevokeTokenApi.as_view(), name="token-revoke"),
    path("me/", me.MeApi.as_view(), name="me"),
    path("me/path/", me.MyPathApi.as_view(), name="me-path"),
    path("courses/<id:course_id>/", courses.CourseDetailApi.as_view(), name="course"),
    path("lessons/<id:lesson_id>/", courses.LessonDetailApi.as_view(), name="lesson"),
    path("quizzes/<str:quiz_ref>/", quizzes.QuizDetailApi.as_view(), name="quiz"),
    path(
        "quizzes/<str:quiz_ref>/attempts/",
        quizzes.QuizAttemptsApi.as_view(),
        name="quiz-attempts",
    ),
    path("progress/events/", progress.ProgressEventsApi.as_view(), name="progress-events"),
    path("sessions/", sessions.SessionListApi.as_view(), name="sessions"),
    path("sessions/<id:pk>/signup/", sessions.SessionSignUpApi.as_view(), name="session-signup"),
    path("sessions/<id:pk>/accept/", sessions.SessionAcceptApi.as_view(), name="session-accept"),
    path("sessions/<id:pk>/cancel/", sessions.SessionCancelApi.as_view(), name="session-cancel"),
    path("sessions/<id:pk>/survey/", sessions.SessionSurveyApi.as_view(), name="session-survey"),
    path("sessions/<id:pk>/brief/", sessions.SessionBriefApi.as_view(), name="session-brief"),
    path(
        "sessions/<id:pk>/calendar.ics", sessions.SessionCalendarApi.as_view(), name="session-ics"
    ),
    # HR tracking (lms/reports): HRIS sync and the learner's reminders
    path("hr/employees/", hr.EmployeesUpsertApi.as_view(), name="hr-employees"),
    path("hr/completions/", hr.CompletionsApi.as_view(), name="hr-completions"),
    path("me/notices/", notices.MyNoticesApi.as_view(), name="me-notices"),
    path("me/notices/read/", notices.MyNoticesReadApi.as_view(), name="me-notices-read"),
    # Last: anything else under /api/v1/ (a malformed id, a typo) is a JSON 404, never
    # the HTML page Wagtail would answer.
    re_path(r"^.*$", errors.not_found, name="not-found"),
]
