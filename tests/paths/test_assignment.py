"""Paths reach the right people, with due dates, and follow them through changes."""

import datetime as dt

import pytest
from wagtail.models import Page

from lms.org.services import employee_deactivate
from lms.paths.models import (
    Enrolment,
    EnrolmentItem,
    LearningPath,
    PathItem,
)
from lms.paths.selectors import path_maps_for
from lms.paths.services import (
    enrolment_assign_manually,
    enrolment_item_exempt,
    path_copy,
    paths_assign_for,
)
from lms.paths.tasks import sync_path
from tests.factories import (
    CohortFactory,
    DepartmentFactory,
    EmployeeFactory,
    LevelFactory,
    PositionFactory,
)
from tests.paths.factories import (
    AssignmentRuleFactory,
    LearningPathFactory,
    PathItemFactory,
    PathStageFactory,
)

pytestmark = pytest.mark.django_db

START = dt.date(2026, 12, 1)


@pytest.fixture
def org():
    market = DepartmentFactory(name="市场拓展部", code="market")
    east = DepartmentFactory(name="华东区", code="market-east", parent=market)
    risk = DepartmentFactory(name="风险控制部", code="risk")
    return {
        "market": market,
        "east": east,
        "risk": risk,
        "manager": PositionFactory(name="客户经理", department=market),
        "risk_officer": PositionFactory(name="风控专员", department=risk),
        "p1": LevelFactory(code="P1", rank=1),
        "p2": LevelFactory(code="P2", rank=2),
        "cohort": CohortFactory(name="2026-12 校招"),
    }


def course(title: str) -> Page:
    root = Page.get_first_root_node()
    return root.add_child(instance=Page(title=title, slug=f"c-{abs(hash(title)) % 10**8}"))


def make_path(name: str, stages: dict[str, list[dict]], **rule) -> LearningPath:
    # Built like the admin saves a cluster: explicit rows (a ParentalKey manager's
    # create() only stages the child in memory until the parent is saved).
    path = LearningPathFactory(name=name)
    for n, (stage_name, items) in enumerate(stages.items()):
        stage = PathStageFactory(path=path, name=stage_name, sort_order=n)
        for m, item in enumerate(items):
            PathItemFactory(stage=stage, sort_order=m, **item)
    if rule:
        AssignmentRuleFactory(path=path, **rule)
    return path


@pytest.fixture
def manager_path(org):
    return make_path(
        "客户经理入职路径",
        {
            "入职第一天": [
                {"kind": PathItem.Kind.CHECKLIST, "title": "领取工牌", "due_days": 0},
                {"kind": PathItem.Kind.CHECKLIST, "title": "签署保密协议", "due_days": 1},
            ],
            "第一周": [
                {
                    "kind": PathItem.Kind.COURSE,
                    "course": course("公司介绍与企业文化"),
                    "due_days": 7,
                },
                {
                    "kind": PathItem.Kind.COURSE,
                    "course": course("客户经理：客户开发与维护"),
                    "due_days": 14,
                    "requires_earlier": True,
                },
            ],
        },
        department=org["market"],
        position=org["manager"],
    )


def hire(org, **kwargs):
    defaults = {
        "department": org["east"],
        "position": org["manager"],
        "level": org["p1"],
        "cohort": org["cohort"],
        "start_date": START,
    }
    return EmployeeFactory(**{**defaults, **kwargs})


def items_of(employee) -> dict[str, EnrolmentItem]:
    return {
        i.title: i
        for i in EnrolmentItem.objects.filter(enrolment__employee=employee).order_by("pk")
    }


def test_a_new_hire_gets_the_path_of_their_department_tree_and_position(org, manager_path):
    employee = hire(org)  # in 华东区, a sub-department of 市场拓展部
    paths_assign_for(employees=[employee])
    enrolment = Enrolment.objects.get(employee=employee)
    assert enrolment.path == manager_path
    assert enrolment.source == Enrolment.Source.RULE
    items = items_of(employee)
    assert list(items) == [
        "领取工牌",
        "签署保密协议",
        "公司介绍与企业文化",
        "客户经理：客户开发与维护",
    ]
    assert items["领取工牌"].due_date == START
    assert items["签署保密协议"].due_date == START + dt.timedelta(days=1)
    assert items["客户经理：客户开发与维护"].due_date == START + dt.timedelta(days=14)


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        ({"department": "market"}, True),
        ({"department": "risk"}, False),
        ({"position": "manager"}, True),
        ({"position": "risk_officer"}, False),
        ({"level": "p1"}, True),
        ({"level": "p2"}, False),
        ({"cohort": "cohort"}, True),
        ({"department": "market", "level": "p2"}, False),
        ({"department": "market", "position": "manager", "level": "p1", "cohort": "cohort"}, True),
    ],
)
def test_rules_match_on_any_combination(org, rule, matches):
    make_path(
        "路径",
        {"第一周": [{"kind": "checklist", "title": "任务"}]},
        **{k: org[v] for k, v in rule.items()},
    )
    employee = hire(org)
    paths_assign_for(employees=[employee])
    assert Enrolment.objects.filter(employee=employee).exists() is matches


def test_assignment_is_idempotent(org, manager_path):
    employee = hire(org)
    paths_assign_for(employees=[employee])
    before = list(EnrolmentItem.objects.values_list("pk", "status", "due_date"))
    summary = paths_assign_for(employees=[employee])
    assert (summary.enrolled, summary.items_added, summary.removed, summary.items_removed) == (
        0,
        0,
        0,
        0,
    )
    assert list(EnrolmentItem.objects.values_list("pk", "status", "due_date")) == before


def test_moving_department_removes_the_old_path_but_keeps_completed_work(org, manager_path):
    risk_path = make_path(
        "风控入职路径",
        {"第一周": [{"kind": "course", "course": course("风险控制入门"), "due_days": 7}]},
        department=org["risk"],
    )
    employee = hire(org)
    paths_assign_for(employees=[employee])
    done = items_of(employee)["领取工牌"]
    done.status = EnrolmentItem.Status.COMPLETED
    done.save()

    employee.department = org["risk"]
    employee.position = org["risk_officer"]
    employee.save()
    paths_assign_for(employees=[employee])

    old = Enrolment.objects.get(employee=employee, path=manager_path)
    assert old.status == Enrolment.Status.REMOVED
    statuses = {i.title: i.status for i in old.items.all()}
    assert statuses["领取工牌"] == EnrolmentItem.Status.COMPLETED, "history stays"
    assert statuses["签署保密协议"] == EnrolmentItem.Status.REMOVED
    assert (
        Enrolment.objects.get(employee=employee, path=risk_path).status == Enrolment.Status.ACTIVE
    )
    assert [m.enrolment.path for m in path_maps_for(employee=employee)] == [risk_path]

    # Moving back brings the path back with its history.
    employee.department = org["east"]
    employee.position = org["manager"]
    employee.save()
    paths_assign_for(employees=[employee])
    old.refresh_from_db()
    assert old.status == Enrolment.Status.ACTIVE
    assert items_of(employee)["领取工牌"].status == EnrolmentItem.Status.COMPLETED
    assert items_of(employee)["签署保密协议"].status == EnrolmentItem.Status.PENDING


def test_changing_a_path_adds_new_items_and_retires_dropped_ones(org, manager_path):
    employee = hire(org)
    paths_assign_for(employees=[employee])
    stage = manager_path.stages.get(name="入职第一天")
    stage.items.get(title="签署保密协议").delete()
    PathItemFactory(stage=stage, kind="checklist", title="开通邮箱", due_days=2, sort_order=5)
    sync_path.call(path_id=manager_path.pk)
    items = EnrolmentItem.objects.filter(enrolment__employee=employee)
    assert items.get(title="开通邮箱").due_date == START + dt.timedelta(days=2)
    assert items.get(title="签署保密协议").status == EnrolmentItem.Status.REMOVED
    assert items.get(title="签署保密协议").item is None


def test_people_who_leave_lose_their_open_items_not_their_history(
    org, manager_path, django_capture_on_commit_callbacks
):
    employee = hire(org)
    paths_assign_for(employees=[employee])
    with django_capture_on_commit_callbacks(execute=True):
        employee_deactivate(employee=employee)  # assignment runs as a task after commit
    enrolment = Enrolment.objects.get(employee=employee)
    assert enrolment.status == Enrolment.Status.REMOVED
    assert set(enrolment.items.values_list("status", flat=True)) == {EnrolmentItem.Status.REMOVED}


def test_roster_import_assigns_paths(
    org, manager_path, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "工号,姓名,部门,岗位,职级,入职日期\nE9001,周杰,华东区,客户经理,P1,2026-12-01\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_roster", str(roster), stdout=None)
    employee = Enrolment.objects.get(employee__employee_no="E9001")
    assert employee.path == manager_path
    assert employee.items.count() == 4


def test_manual_assignment_and_exemption(org, manager_path, django_user_model):
    other = make_path(
        "管理制度", {"第一周": [{"kind": "checklist", "title": "学习考勤制度", "due_days": 3}]}
    )
    employee = hire(org, department=org["risk"], position=org["risk_officer"])
    enrolment = enrolment_assign_manually(employee=employee, path=other)
    assert enrolment.source == Enrolment.Source.MANUAL
    assert enrolment.items.get().due_date == START + dt.timedelta(days=3)
    # Rules do not take away a path HR assigned by hand.
    paths_assign_for(employees=[employee])
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE

    hr = django_user_model.objects.create(username="hr1")
    item = enrolment_item_exempt(item=enrolment.items.get(), by=hr, note="已有经验")
    assert item.status == EnrolmentItem.Status.EXEMPT
    [path_map] = path_maps_for(employee=employee)
    assert path_map.percent == 100


def test_path_map_states_and_next_item(org, manager_path):
    employee = hire(org)
    paths_assign_for(employees=[employee])
    items = items_of(employee)
    items["领取工牌"].status = EnrolmentItem.Status.COMPLETED
    items["领取工牌"].save()
    [path_map] = path_maps_for(employee=employee, today=START + dt.timedelta(days=3))
    states = {i.item.title: i.state for stage in path_map.stages for i in stage.items}
    assert states == {
        "领取工牌": "done",
        "签署保密协议": "overdue",  # due on day 1
        "公司介绍与企业文化": "todo",
        "客户经理：客户开发与维护": "locked",  # requires the earlier items
    }
    assert path_map.next_item.item.title == "签署保密协议"
    assert path_map.next_item.days_left == -2
    assert [s.state for s in path_map.stages] == ["overdue", "current"]
    assert (path_map.done, path_map.total, path_map.percent) == (1, 4, 25)


def test_path_map_queries_are_constant(org, django_assert_max_num_queries):
    big = make_path(
        "大路径",
        {
            f"阶段{s}": [{"kind": "checklist", "title": f"任务{s}-{i}"} for i in range(10)]
            for s in range(5)
        },
        department=org["market"],
    )
    employee = hire(org)
    paths_assign_for(employees=[employee])
    assert EnrolmentItem.objects.filter(enrolment__path=big).count() == 50
    with django_assert_max_num_queries(2):
        [path_map] = path_maps_for(employee=employee)
    assert path_map.total == 50


def test_assignment_queries_do_not_grow_per_person(
    org, manager_path, django_assert_max_num_queries
):
    people = [hire(org) for _ in range(40)]
    with django_assert_max_num_queries(15):
        summary = paths_assign_for(employees=people)
    assert summary.enrolled == 40
    assert summary.items_added == 160


def test_copying_a_path(org, manager_path):
    copy = path_copy(path=manager_path, name="客户经理入职路径（2027）")
    assert not copy.is_active
    assert not copy.rules.exists()
    titles = [
        i.display_title
        for s in copy.stages.order_by("sort_order")
        for i in s.items.order_by("sort_order")
    ]
    assert titles == ["领取工牌", "签署保密协议", "公司介绍与企业文化", "客户经理：客户开发与维护"]
