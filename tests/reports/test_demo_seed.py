"""The reports' seed step: varied progress, department heads, idempotent."""

import pytest

from lms.demo.reports import demo_reports_seed
from lms.org.models import Department
from lms.paths.models import EnrolmentItem
from lms.reports.scope import ReportScope
from lms.reports.selectors import ReportFilters, report_overview
from tests.factories import EmployeeFactory, PositionFactory
from tests.paths.factories import people_on_path

pytestmark = pytest.mark.django_db


def test_seed_gives_varied_progress_and_heads_and_changes_nothing_the_second_time(org):
    head_position = PositionFactory(name="部门经理", department=org["market"])
    boss = EmployeeFactory(department=org["market"], position=head_position)
    people_on_path(30, org["path"], org["items"], department=org["east"])
    demo_reports_seed()
    assert Department.objects.get(pk=org["market"].pk).head == boss
    assert boss.user.groups.filter(name="Manager").exists()
    o = report_overview(scope=ReportScope(everyone=True), filters=ReportFilters())
    assert o.people_overdue and o.people_completed + o.people_on_track + o.people_due_soon
    before = list(EnrolmentItem.objects.order_by("pk").values_list("status", "completed_at"))
    again = demo_reports_seed()
    assert again.updated == 0
    assert (
        list(EnrolmentItem.objects.order_by("pk").values_list("status", "completed_at")) == before
    )
