from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.org.models import Cohort, Department, Employee, Level, Position


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    list_display = ["name", "code", "parent"]
    list_filter = ["parent"]
    search_fields = ["name", "code"]
    search_backend_name = None


class PositionViewSet(SnippetViewSet):
    model = Position
    icon = "tag"
    list_display = ["name", "department"]
    list_filter = ["department"]
    search_fields = ["name", "duties"]
    search_backend_name = None


class LevelViewSet(SnippetViewSet):
    model = Level
    icon = "order"
    list_display = ["code", "name", "rank"]
    search_fields = ["code", "name"]
    search_backend_name = None


class CohortViewSet(SnippetViewSet):
    model = Cohort
    icon = "date"
    list_display = ["name", "start_date"]
    search_fields = ["name"]
    search_backend_name = None


class EmployeeFilterSet(WagtailFilterSet):
    class Meta:
        model = Employee
        fields = ["department", "position", "level", "cohort", "status"]


class EmployeeViewSet(SnippetViewSet):
    model = Employee
    icon = "user"
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
    search_fields = ["name", "employee_no", "phone", "email"]
    search_backend_name = None
    list_per_page = 50
    ordering = ["employee_no"]


class OrganisationGroup(SnippetViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 200
    items = (EmployeeViewSet, DepartmentViewSet, PositionViewSet, LevelViewSet, CohortViewSet)


register_snippet(OrganisationGroup)
