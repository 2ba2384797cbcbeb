"""Who may see whose learning reports: row-level scoping of every report.

HR and admins (`reports.view_reports`) see everyone. A department manager
(`reports.view_team_reports`) sees the people whose `manager` they are and everyone in
the departments they head, sub-departments included. Every report selector takes a
`ReportScope` and filters people with it, so a manager's page, export or count can
only ever contain their own people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from lms.org.models import Department, Employee
from lms.org.selectors import department_descendant_ids

VIEW_ALL = "reports.view_reports"
VIEW_TEAM = "reports.view_team_reports"
SEND_REMINDERS = "reports.send_reminders"


@dataclass(frozen=True)
class ReportScope:
    everyone: bool = False
    manager_id: int | None = None
    department_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.everyone and self.manager_id is None and not self.department_ids

    def people_q(self, prefix: str = "") -> Q:
        """A filter on Employee (or on a relation to it, e.g. prefix="enrolment__employee__")."""
        if self.everyone:
            return Q()
        if self.is_empty:
            return Q(pk__in=[])
        condition = Q(**{f"{prefix}manager_id": self.manager_id}) if self.manager_id else Q()
        if self.department_ids:
            condition |= Q(**{f"{prefix}department_id__in": sorted(self.department_ids)})
        if self.manager_id:
            # Managers do not report on themselves.
            condition &= ~Q(**{f"{prefix}pk": self.manager_id})
        return condition

    def people(self, queryset: QuerySet[Employee] | None = None) -> QuerySet[Employee]:
        queryset = Employee.objects.all() if queryset is None else queryset
        return queryset.filter(self.people_q())

    def allows_department(self, department: Department) -> bool:
        return self.everyone or department.pk in self.department_ids

    def allows_employee(self, employee: Employee) -> bool:
        return (
            self.everyone
            or Employee.objects.filter(pk=employee.pk).filter(self.people_q()).exists()
        )


NO_SCOPE = ReportScope()


def report_scope_for(user: object) -> ReportScope:
    """The rows of reports this user may see (an empty scope means none)."""
    if not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    if user.has_perm(VIEW_ALL):  # type: ignore[attr-defined]
        return ReportScope(everyone=True)
    if not user.has_perm(VIEW_TEAM):  # type: ignore[attr-defined]
        return NO_SCOPE
    employee = Employee.objects.filter(user_id=user.pk, status=Employee.Status.ACTIVE).first()  # type: ignore[attr-defined]
    if employee is None:
        return NO_SCOPE
    headed: set[int] = set()
    for department in Department.objects.filter(head=employee):
        headed |= department_descendant_ids(department)
    return ReportScope(manager_id=employee.pk, department_ids=frozenset(headed))


def user_can_see_reports(user: object) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.has_perm(VIEW_ALL) or user.has_perm(VIEW_TEAM))  # type: ignore[attr-defined]
    )
