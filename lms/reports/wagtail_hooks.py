from typing import Any

from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.reports import admin_views
from lms.reports.scope import user_can_see_reports


class ReportsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return user_can_see_reports(request.user)


@hooks.register("register_admin_menu_item")
def register_reports_menu_item() -> MenuItem:
    return ReportsMenuItem(
        _("Learning reports"),
        reverse("reports:dashboard"),
        name="learning-reports",
        icon_name="table",
        order=220,
    )


@hooks.register("register_admin_urls")
def register_reports_urls() -> list[Any]:
    urls = [
        path("", admin_views.DashboardView.as_view(), name="dashboard"),
        path("people/", admin_views.PeopleView.as_view(), name="people"),
        path("people/<int:pk>/", admin_views.PersonView.as_view(), name="person"),
        path("courses/", admin_views.CoursesView.as_view(), name="courses"),
        path("courses/<int:course_id>/", admin_views.CourseView.as_view(), name="course"),
        path("sessions/", admin_views.SessionsView.as_view(), name="sessions"),
        path("sessions/<int:pk>/", admin_views.SessionView.as_view(), name="session"),
        path("export/", admin_views.ExportCreateView.as_view(), name="export"),
        path("exports/<int:pk>/", admin_views.ExportDetailView.as_view(), name="export_detail"),
        path(
            "exports/<int:pk>/status/",
            admin_views.ExportStatusView.as_view(),
            name="export_status",
        ),
        path(
            "exports/<int:pk>/download/",
            admin_views.ExportDownloadView.as_view(),
            name="export_download",
        ),
        path("nudge/", admin_views.NudgeView.as_view(), name="nudge"),
    ]
    return [path("reports/", include((urls, "reports"), namespace="reports"))]
