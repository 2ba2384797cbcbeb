from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from lms.api.v1 import auth, courses, hr, me, notices, progress, quizzes, sessions

app_name = "api-v1"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
    path("auth/token/", auth.ObtainTokenApi.as_view(), name="token"),
    path("auth/token/revoke/", auth.RevokeTokenApi.as_view(), name="token-revoke"),
    path("me/", me.MeApi.as_view(), name="me"),
    path("me/path/", me.MyPathApi.as_view(), name="me-path"),
    path("courses/<int:course_id>/", courses.CourseDetailApi.as_view(), name="course"),
    path("lessons/<int:lesson_id>/", courses.LessonDetailApi.as_view(), name="lesson"),
    path("quizzes/<str:quiz_ref>/", quizzes.QuizDetailApi.as_view(), name="quiz"),
    path(
        "quizzes/<str:quiz_ref>/attempts/",
        quizzes.QuizAttemptsApi.as_view(),
        name="quiz-attempts",
    ),
    path("progress/events/", progress.ProgressEventsApi.as_view(), name="progress-events"),
    path("sessions/", sessions.SessionListApi.as_view(), name="sessions"),
    path("sessions/<int:pk>/signup/", sessions.SessionSignUpApi.as_view(), name="session-signup"),
    path("sessions/<int:pk>/accept/", sessions.SessionAcceptApi.as_view(), name="session-accept"),
    path("sessions/<int:pk>/cancel/", sessions.SessionCancelApi.as_view(), name="session-cancel"),
    path("sessions/<int:pk>/survey/", sessions.SessionSurveyApi.as_view(), name="session-survey"),
    path("sessions/<int:pk>/brief/", sessions.SessionBriefApi.as_view(), name="session-brief"),
    path(
        "sessions/<int:pk>/calendar.ics", sessions.SessionCalendarApi.as_view(), name="session-ics"
    ),
    # HR tracking (lms/reports): HRIS sync and the learner's reminders
    path("hr/employees/", hr.EmployeesUpsertApi.as_view(), name="hr-employees"),
    path("hr/completions/", hr.CompletionsApi.as_view(), name="hr-completions"),
    path("me/notices/", notices.MyNoticesApi.as_view(), name="me-notices"),
    path("me/notices/read/", notices.MyNoticesReadApi.as_view(), name="me-notices-read"),
]
