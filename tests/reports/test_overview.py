"""The dashboard's numbers against a fixture computed by hand.

Path: 入职前 (A due -10, B due -3), 第一周 (C due 5, D due 20), 第一个月 (E no due date).
Everyone starts 2026-11-28; today is 2026-12-01, "due soon" is 3 days: A and B are
past due, C (12-03) is due soon, D (12-18) and E are on track.

    艾丽 (华东区 < 市场拓展部)  A B C D E done          -> completed
    鲍勃 (市场拓展部)           A B done, C due soon     -> due soon
    卡罗 (市场拓展部)           A done, B overdue        -> overdue
    丹尼 (法务部)               A B C done, D exempt, E  -> on track
    伊芙 (法务部, left)         nothing                   -> not counted
"""

import pytest

from lms.reports.scope import ReportScope, report_scope_for
from lms.reports.selectors import ReportFilters, report_overview

pytestmark = pytest.mark.django_db

EVERYONE = ReportScope(everyone=True)


def test_overview_numbers_match_the_hand_computed_fixture(org, settings):
    settings.REPORTS_DUE_SOON_DAYS = 3
    o = report_overview(scope=EVERYONE, filters=ReportFilters())
    assert (o.people, o.items, o.items_done, o.percent) == (4, 20, 12, 60)
    assert (o.items_overdue, o.items_due_soon) == (1, 2)
    assert (o.people_overdue, o.people_due_soon, o.people_on_track, o.people_completed) == (
        1,
        1,
        1,
        1,
    )
    assert [(s.name, s.people, s.finished) for s in o.funnel] == [
        ("入职前", 4, 3),
        ("第一周", 4, 2),
        ("第一个月", 4, 1),
    ]
    assert o.over_time == [(o.today, 11)]  # exempt items have no completion date
    assert [
        (r.department.name, r.people, r.items, r.done, r.people_overdue) for r in o.departments
    ] == [
        ("市场拓展部", 3, 15, 8, 1),
        ("法务部", 1, 5, 4, 0),
    ]


def test_department_filter_includes_sub_departments_and_breaks_them_down(org, settings):
    settings.REPORTS_DUE_SOON_DAYS = 3
    o = report_overview(scope=EVERYONE, filters=ReportFilters(department_id=org["market"].pk))
    assert (o.people, o.items, o.items_done) == (3, 15, 8)
    rows = [(r.department.name, r.people, r.items, r.done) for r in o.departments]
    assert rows == [("市场拓展部", 2, 10, 3), ("华东区", 1, 5, 5)]


def test_leavers_count_only_when_asked(org):
    o = report_overview(scope=EVERYONE, filters=ReportFilters(include_left=True))
    assert (o.people, o.items, o.items_done) == (5, 25, 12)


def test_manager_and_head_see_only_their_people(org, settings):
    settings.REPORTS_DUE_SOON_DAYS = 3
    manager_scope = ReportScope(manager_id=org["manager"].pk)
    o = report_overview(scope=manager_scope, filters=ReportFilters())
    assert (o.people, o.items, o.items_done, o.people_completed, o.people_due_soon) == (
        2,
        10,
        7,
        1,
        1,
    )
    head_scope = ReportScope(department_ids=frozenset({org["legal"].pk}))
    o = report_overview(scope=head_scope, filters=ReportFilters())
    assert (o.people, o.items_done, o.people_on_track) == (1, 4, 1)


def test_queries_are_constant_in_the_number_of_people(org, django_assert_max_num_queries, settings):
    from tests.paths.factories import people_on_path

    def count():
        with django_assert_max_num_queries(6):
            report_overview(scope=EVERYONE, filters=ReportFilters(department_id=org["market"].pk))

    count()
    people_on_path(45, org["path"], org["items"], department=org["east"], done=["A 提交材料"])
    count()


def test_a_learner_has_no_scope(org):
    assert report_scope_for(org["bob"].user).is_empty
