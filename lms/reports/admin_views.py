"""HR's learning reports in the Wagtail admin: dashboard, people, person, courses.

Thin views: the filter bar is validated by `ReportFilterSet`, the numbers come from
`lms.reports.selectors`, and every read goes through the viewer's `ReportScope`, so a
department manager sees the same pages with their own people only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.ops.pagination import admin_page
from lms.org.models import Department, Employee
from lms.paths.selectors import path_maps_for
from lms.reports import charts
from lms.reports.filters import STATE_CHOICES, ReportFilterSet, filters_querystring
from lms.reports.models import ReminderMessage, ReportExport
from lms.reports.scope import SEND_REMINDERS, ReportScope, report_scope_for
from lms.reports.selectors import (
    ReportFilters,
    person_percent,
    person_quiz_attempts,
    person_state,
    person_transcript,
    report_course_people,
    report_courses,
    report_overview,
    report_people,
)

MAX_SEARCH = 100

_HOME = {"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")}
_DASHBOARD = {"url": reverse_lazy("reports:dashboard"), "label": gettext_lazy("Learning reports")}


class ReportsMixin(WagtailAdminTemplateMixin):
    """Scope, filters and the tabs shared by every report page."""

    request: HttpRequest
    header_icon = "table"
    tab = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if report_scope_for(request.user).is_empty:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    @cached_property
    def scope(self) -> ReportScope:
        return report_scope_for(self.request.user)

    @cached_property
    def filterset(self) -> ReportFilterSet:
        return ReportFilterSet(self.request.GET or None, queryset=Employee.objects.none())

    @cached_property
    def filters(self) -> ReportFilters:
        return self.filterset.report_filters()

    def filter_query(self, **extra: str) -> str:
        query = QueryDict(mutable=True)
        query.update(filters_querystring(self.filters))
        for key, value in extra.items():
            if value:
                query[key] = value
        return query.urlencode()

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [_HOME, _DASHBOARD, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        query = self.filter_query()
        context.update(
            filterset=self.filterset,
            filters=self.filters,
            scope=self.scope,
            query=query,
            tab=self.tab,
            tabs=[
                ("dashboard", _("Overview"), reverse("reports:dashboard")),
                ("people", pgettext("reports", "People"), reverse("reports:people")),
                ("courses", _("Courses"), reverse("reports:courses")),
                ("sessions", _("In-person sessions"), reverse("reports:sessions")),
            ],
            can_nudge=self.request.user.has_perm(SEND_REMINDERS),
            export_kinds_people=[("people", _("People list")), ("transcript", _("Transcripts"))],
            export_kinds_person=[("transcript", _("Transcript"))],
        )
        return context


class DashboardView(ReportsMixin, TemplateView):
    template_name = "reports/dashboard.html"
    tab = "dashboard"
    page_title = gettext_lazy("Learning reports")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [_HOME, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        overview = report_overview(scope=self.scope, filters=self.filters)
        people_url = reverse("reports:people")
        states = [
            ("completed", _("Completed"), overview.people_completed),
            ("on_track", _("On track"), overview.people_on_track),
            ("due_soon", _("Due soon"), overview.people_due_soon),
            ("overdue", _("Overdue"), overview.people_overdue),
        ]
        context.update(
            overview=overview,
            states=[
                (key, label, count, f"{people_url}?{self.filter_query(state=key)}")
                for key, label, count in states
            ],
            status_chart=charts.stacked_bar(states, title=_("People by status")),
            funnel_chart=charts.horizontal_bars(
                [(s.name, s.finished, s.people) for s in overview.funnel],
                title=_("People who finished each stage"),
            ),
            time_chart=charts.cumulative_line(
                overview.over_time,
                total=overview.items,
                title=_("Share of items completed over time"),
            ),
            department_rows=[
                (
                    row,
                    f"{reverse('reports:dashboard')}?{self._with_department(row.department)}"
                    if row.has_children
                    else "",
                    f"{people_url}?{self._with_department(row.department)}",
                )
                for row in overview.departments
            ],
        )
        return context

    def _with_department(self, department: Department) -> str:
        query = QueryDict(mutable=True)
        query.update(filters_querystring(self.filters))
        query["department"] = str(department.pk)
        return query.urlencode()


class PeopleView(ReportsMixin, TemplateView):
    template_name = "reports/people.html"
    tab = "people"
    page_title = pgettext_lazy("reports", "People")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        state = state if state in dict(STATE_CHOICES) else ""
        search = self.request.GET.get("q", "").strip()[:MAX_SEARCH]
        ordering = self.request.GET.get("o", "")
        people = report_people(
            scope=self.scope,
            filters=self.filters,
            state=state,
            search=search,
            ordering=ordering,
        )
        paged = admin_page(self.request, people)
        rows = [
            {
                "person": person,
                "state": person_state(person),
                "percent": person_percent(person),
                "url": reverse("reports:person", args=[person.pk]),
            }
            for person in paged["items"]
        ]
        context.update(
            paged=paged,
            rows=rows,
            state=state,
            state_choices=STATE_CHOICES,
            state_labels=dict(STATE_CHOICES),
            search=search,
            ordering=ordering,
            export_query=self.filter_query(state=state, q=search),
            department=Department.objects.filter(pk=self.filters.department_id).first()
            if self.filters.department_id
            else None,
        )
        return context


class PersonView(ReportsMixin, TemplateView):
    """One person's transcript and their path map as they see it."""

    template_name = "reports/person.html"
    tab = "people"

    @cached_property
    def employee(self) -> Employee:
        employee = get_object_or_404(
            Employee.objects.select_related("department", "position", "level", "cohort", "manager"),
            pk=self.kwargs["pk"],
        )
        # Someone outside the viewer's scope is "not found", not "forbidden": a manager
        # must not learn who exists elsewhere by trying numbers.
        if not self.scope.allows_employee(employee):
            raise Http404
        return employee

    def get_page_title(self) -> str:
        return self.employee.name

    def get_page_subtitle(self) -> str:
        return self.employee.employee_no

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            _HOME,
            _DASHBOARD,
            {"url": reverse("reports:people"), "label": pgettext("reports", "People")},
            {"url": "", "label": self.employee.name},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        employee = self.employee
        transcript = person_transcript(employee=employee)
        context.update(
            employee=employee,
            transcript=transcript,
            path_maps=path_maps_for(employee=employee),
            attempts=list(person_quiz_attempts(employee=employee)[:100]),
            messages_sent=list(
                ReminderMessage.objects.filter(recipient=employee).order_by("-day")[:10]
            ),
            export_query=f"employee={employee.pk}",
        )
        return context


class CoursesView(ReportsMixin, TemplateView):
    template_name = "reports/courses.html"
    tab = "courses"
    page_title = gettext_lazy("Courses")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = report_courses(scope=self.scope, filters=self.filters)
        context.update(
            rows=rows,
            course_query=self.filter_query(),
        )
        return context


class CourseView(ReportsMixin, TemplateView):
    template_name = "reports/course.html"
    tab = "courses"

    @cached_property
    def course_row(self) -> Any:
        course_id = self.kwargs["course_id"]
        for row in report_courses(scope=self.scope, filters=self.filters):
            if row.course_id == course_id:
                return row
        raise Http404

    def get_page_title(self) -> str:
        return self.course_row.title

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            _HOME,
            _DASHBOARD,
            {"url": reverse("reports:courses"), "label": _("Courses")},
            {"url": "", "label": self.course_row.title},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        state = state if state in ("done", "not_done") else ""
        items = report_course_people(
            scope=self.scope, filters=self.filters, course_id=self.course_row.course_id, state=state
        )
        context.update(
            course=self.course_row,
            paged=admin_page(self.request, items),
            state=state,
            export_query=self.filter_query(state=state, course=str(self.course_row.course_id)),
            export_kinds=[("course", _("People on this course"))],
        )
        return context


# --- exports and nudges ----------------------------------------------------------

INLINE_EXPORT_ROWS_DEFAULT = 2000


def _export_params(view: ReportsMixin, request: HttpRequest) -> dict[str, Any] | None:
    """What the export button asked for, as stored on an export (None if it is malformed)."""
    from lms.reports.exports import EXPORT_KINDS

    kind, _dot, fmt = request.POST.get("export", "").partition(".")
    if kind not in EXPORT_KINDS or fmt not in ("csv", "xlsx"):
        return None
    params: dict[str, Any] = {
        "kind": kind,
        "format": fmt,
        "filters": view.filters.to_params(),
        "state": request.GET.get("state", "")[:20],
        "search": request.GET.get("q", "").strip()[:MAX_SEARCH],
    }
    for name, key in (
        ("employee", "employee_id"),
        ("course", "course_id"),
        ("session", "session_id"),
    ):
        value = request.GET.get(name, "")
        if value:
            if not value.isdigit() or len(value) > 18:
                return None
            params[key] = value
    needs = EXPORT_KINDS[kind].needs
    if needs and needs not in params:
        return None
    return params


class ExportCreateView(ReportsMixin, View):
    """Small exports download at once; large ones are written by a task (with progress)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        from lms.reports.exports import csv_lines, export_table
        from lms.reports.services import export_filename, export_request_from
        from lms.reports.tasks import report_export_start

        params = _export_params(self, request)
        if params is None:
            messages.error(request, _("This export does not exist. Choose one of the buttons."))
            return redirect("reports:dashboard")
        if "employee_id" in params:
            employee = Employee.objects.filter(pk=params["employee_id"]).first()
            if employee is None or not self.scope.allows_employee(employee):
                raise Http404
        table = export_table(export_request_from(params, self.scope))
        rows = table.count()
        limit = getattr(settings, "REPORTS_INLINE_EXPORT_ROWS", INLINE_EXPORT_ROWS_DEFAULT)
        if rows <= limit and params["format"] == "csv":
            response = StreamingHttpResponse(
                csv_lines(table), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="{export_filename(params["kind"], "csv")}"'
            )
            return response
        export = report_export_start(
            requested_by=request.user,  # type: ignore[arg-type]
            kind=params["kind"],
            format=params["format"],
            params=params,
            rows_total=rows,
        )
        return redirect("reports:export_detail", pk=export.pk)


class _OwnExportMixin(ReportsMixin):
    def get_export(self) -> ReportExport:
        # Only the person who asked may see or fetch an export: it holds their scope.
        return get_object_or_404(ReportExport, pk=self.kwargs["pk"], requested_by=self.request.user)


class ExportDetailView(_OwnExportMixin, TemplateView):
    template_name = "reports/export.html"

    def get_page_title(self) -> str:
        return _("Export")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        export = self.get_export()
        context.update(
            export=export,
            Status=ReportExport.Status,
            status_url=reverse("reports:export_status", args=[export.pk]),
            download_url=reverse("reports:export_download", args=[export.pk]),
            recent=ReportExport.objects.filter(requested_by=self.request.user).exclude(
                pk=export.pk
            )[:10],
        )
        return context


class ExportStatusView(_OwnExportMixin, View):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        export = self.get_export()
        return JsonResponse(
            {
                "status": export.status,
                "label": export.get_status_display(),
                "percent": export.percent,
                "rows_done": export.rows_done,
                "rows_total": export.rows_total,
                "finished": export.status in (ReportExport.Status.DONE, ReportExport.Status.FAILED),
                "download_url": reverse("reports:export_download", args=[export.pk])
                if export.status == ReportExport.Status.DONE
                else "",
            }
        )


class ExportDownloadView(_OwnExportMixin, View):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        export = self.get_export()
        if export.status != ReportExport.Status.DONE or not export.file:
            raise Http404
        content_type = (
            "text/csv; charset=utf-8"
            if export.format == ReportExport.Format.CSV
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.filename,
            content_type=content_type,
        )


class NudgeView(ReportsMixin, View):
    """HR reminds the people of the filtered list (the daily limit still applies)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        from lms.reports.services import reminders_nudge

        if not request.user.has_perm(SEND_REMINDERS):
            raise PermissionDenied
        state = request.GET.get("state", "")
        people = report_people(
            scope=self.scope,
            filters=self.filters,
            state=state if state in dict(STATE_CHOICES) else "",
            search=request.GET.get("q", "").strip()[:MAX_SEARCH],
        )
        result = reminders_nudge(people=people, note=request.POST.get("note", "")[:500])
        if not result.people:
            messages.warning(request, _("Nobody in this list has open items; nothing was sent."))
        else:
            messages.success(
                request,
                ngettext(
                    "Reminder sent to %(sent)d person.",
                    "Reminder sent to %(sent)d people.",
                    result.sent,
                )
                % {"sent": result.sent}
                + (
                    " "
                    + ngettext(
                        "%(waiting)d already had a reminder today (or it is quiet time) and gets it on the next run.",
                        "%(waiting)d already had a reminder today (or it is quiet time) and get it on the next run.",
                        result.waiting,
                    )
                    % {"waiting": result.waiting}
                    if result.waiting
                    else ""
                ),
            )
        return redirect(f"{reverse('reports:people')}?{request.GET.urlencode()}")


# --- in-person sessions --------------------------------------------------------------


class SessionsView(ReportsMixin, TemplateView):
    """Each in-person session with attendance, survey answers and feedback of the people in view."""

    template_name = "reports/sessions.html"
    tab = "sessions"
    page_title = gettext_lazy("In-person sessions")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from lms.reports.sessions import report_sessions

        context = super().get_context_data(**kwargs)
        context["paged"] = admin_page(self.request, report_sessions(scope=self.scope))
        return context


class SessionView(ReportsMixin, TemplateView):
    template_name = "reports/session.html"
    tab = "sessions"

    @cached_property
    def session(self) -> Any:
        from lms.sessions.models import InPersonSession

        session = get_object_or_404(InPersonSession, pk=self.kwargs["pk"])
        if not self.people.exists():
            raise Http404  # nobody of the viewer's people signed up: nothing to show
        return session

    @cached_property
    def people(self) -> Any:
        from lms.reports.sessions import report_session_people
        from lms.sessions.models import InPersonSession

        session = get_object_or_404(InPersonSession, pk=self.kwargs["pk"])
        return report_session_people(scope=self.scope, session=session)

    def get_page_title(self) -> str:
        return self.session.title

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            _HOME,
            _DASHBOARD,
            {"url": reverse("reports:sessions"), "label": _("In-person sessions")},
            {"url": "", "label": self.session.title},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            session=self.session,
            paged=admin_page(self.request, self.people),
            export_query=f"session={self.session.pk}",
            export_kinds=[("session", _("Attendance"))],
        )
        return context
