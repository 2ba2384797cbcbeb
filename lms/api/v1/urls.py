from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from lms.api.v1 import auth, courses, hr, me, notices, progress, quizzes

app_name = "api-v1"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
    path("auth/token/", obtain_auth_token, name="token"),
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
    # HR tracking (lms/reports): HRIS sync and the learner's reminders
    path("hr/employees/", hr.EmployeesUpsertApi.as_view(), name="hr-employees"),
    path("hr/completions/", hr.CompletionsApi.as_view(), name="hr-completions"),
    path("me/notices/", notices.MyNoticesApi.as_view(), name="me-notices"),
    path("me/notices/read/", notices.MyNoticesReadApi.as_view(), name="me-notices-read"),
]
