from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.org import admin_views, credential_views
from lms.org.forms import EmployeeForm
from lms.org.models import Cohort, Department, Employee, Level, Position
from lms.org.password_views import IssuePasswordsView
from lms.sheets.admin_exports import SafeSpreadsheetExportMixin


def _people_column() -> Column:
    return Column("people", label=_("Active people"), sort_key="people")


def _with_people(queryset: QuerySet) -> QuerySet:
    """Count active people per row in the same query as the list."""
    return queryset.annotate(
        people=Count("employees", filter=Q(employees__status=Employee.Status.ACTIVE))
    )


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    list_display = ["name", "code", "parent", _people_column()]
    list_filter = ["parent"]
    search_fields = ["name", "code"]
    search_backend_name = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _with_people(Department.objects.select_related("parent"))


class PositionViewSet(SnippetViewSet):
    model = Position
    icon = "tag"
    list_display = ["name", "department", _people_column()]
    list_filter = ["department"]
    search_fields = ["name", "duties"]
    search_backend_name = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _with_people(Position.objects.select_related("department"))


class LevelViewSet(SnippetViewSet):
    model = Level
    icon = "order"
    list_display = ["code", "name", "rank", _people_column()]
    search_fields = ["code", "name"]
    search_backend_name = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _with_people(Level.objects.all())


class CohortViewSet(SnippetViewSet):
    model = Cohort
    icon = "date"
    list_display = ["name", "start_date", _people_column()]
    search_fields = ["name"]
    search_backend_name = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _with_people(Cohort.objects.all())


class EmployeeFilterSet(WagtailFilterSet):
    class Meta:
        model = Employee
        fields = ["department", "position", "level", "cohort", "status"]


class EmployeeIndexView(SafeSpreadsheetExportMixin, SnippetIndexView):
    pass


class EmployeeViewSet(SnippetViewSet):
    model = Employee
    icon = "user"
    index_view_class = EmployeeIndexView
    list_display = [
        "employee_no",
        "name",
        "department",
        "position",
        "level",
        "cohort",
        "start_date",
        "status",
    ]
    filterset_class = EmployeeFilterSet
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("employee_no"), FieldPanel("name")]),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldRowPanel([FieldPanel("department"), FieldPanel("position"), FieldPanel("level")]),
            FieldRowPanel([FieldPanel("cohort"), FieldPanel("start_date"), FieldPanel("manager")]),
            FieldRowPanel([FieldPanel("status"), FieldPanel("left_on")]),
            FieldPanel("preferred_language"),
        ],
        base_form_class=EmployeeForm,
    )
    search_fields = ["name", "employee_no", "phone", "email"]
    search_backend_name = None
    list_per_page = 50
    ordering = ["employee_no"]
    list_export = [
        "employee_no",
        "name",
        "phone",
        "email",
        "department",
        "position.name",
        "level",
        "cohort",
        "start_date",
        "manager.employee_no",
        "get_status_display",
        "left_on",
    ]
    export_headings = {
        "position.name": _("Position"),
        "manager.employee_no": _("Manager number"),
        "get_status_display": _("Status"),
    }
    export_filename = "employees"

    def get_queryset(self, request: HttpRequest) -> Any:
        # One query for the list and the export instead of one per row and column.
        return Employee.objects.select_related(
            "department", "position__department", "level", "cohort", "manager"
        )


class OrganisationGroup(SnippetViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 200
    items = (EmployeeViewSet, DepartmentViewSet, PositionViewSet, LevelViewSet, CohortViewSet)
    submenu_hook = "register_organisation_menu_item"


register_snippet(OrganisationGroup)


class RosterImportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return admin_views.user_can_import_roster(request.user)


@hooks.register("register_organisation_menu_item")
def register_roster_import_menu_item() -> MenuItem:
    return RosterImportMenuItem(
        _("Roster imports"),
        reverse("roster_imports:index"),
        name="roster-imports",
        icon_name="upload",
        order=100,
    )


@hooks.register("register_admin_urls")
def register_roster_import_urls() -> list[Any]:
    urls = [
        path("", admin_views.RosterImportIndexView.as_view(), name="index"),
        path("upload/", admin_views.RosterUploadView.as_view(), name="upload"),
        path("template.csv", admin_views.RosterTemplateView.as_view(), name="template"),
        path("<int:pk>/", admin_views.RosterImportDetailView.as_view(), name="detail"),
        path("<int:pk>/confirm/", admin_views.RosterImportConfirmView.as_view(), name="confirm"),
        path("<int:pk>/status/", admin_views.RosterImportStatusView.as_view(), name="status"),
    ]
    return [path("roster-imports/", include((urls, "roster_imports"), namespace="roster_imports"))]


class PasswordsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm("org.change_employee")


@hooks.register("register_organisation_menu_item")
def register_passwords_menu_item() -> MenuItem:
    return PasswordsMenuItem(
        _("Sign-in passwords"),
        reverse("org_passwords"),
        name="sign-in-passwords",
        icon_name="key",
        order=110,
    )


@hooks.register("register_admin_urls")
def register_passwords_urls() -> list[Any]:
    return [path("sign-in-passwords/", IssuePasswordsView.as_view(), name="org_passwords")]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args: Any, permission: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.permission)


@hooks.register("register_settings_menu_item")
def register_service_clients_menu_item() -> MenuItem:
    return _PermissionMenuItem(
        _("Service clients"),
        reverse("service_clients:index"),
        name="service-clients",
        icon_name="key",
        order=900,
        permission="org.view_serviceclient",
    )


@hooks.register("register_settings_menu_item")
def register_credential_log_menu_item() -> MenuItem:
    return _PermissionMenuItem(
        _("Credential log"),
        reverse("credential_log"),
        name="credential-log",
        icon_name="history",
        order=910,
        permission="org.view_credentialissue",
    )


@hooks.register("register_admin_urls")
def register_credential_urls() -> list[Any]:
    clients = [
        path("", credential_views.ServiceClientIndexView.as_view(), name="index"),
        path("add/", credential_views.ServiceClientCreateView.as_view(), name="add"),
        path("<int:pk>/", credential_views.ServiceClientDetailView.as_view(), name="detail"),
        path("<int:pk>/rotate/", credential_views.ServiceClientRotateView.as_view(), name="rotate"),
        path("<int:pk>/revoke/", credential_views.ServiceClientRevokeView.as_view(), name="revoke"),
    ]
    return [
        path(
            "service-clients/",
            include((clients, "service_clients"), namespace="service_clients"),
        ),
        path(
            "credential-log/",
            credential_views.CredentialLogView.as_view(),
            name="credential_log",
        ),
    ]
