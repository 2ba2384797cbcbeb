import datetime as dt

import pytest
from freezegun import freeze_time

from lms.org.models import Department
from tests.courses.fixtures import course, course_index  # noqa: F401
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.paths.factories import enrol, path_with_items

TODAY = dt.date(2026, 12, 1)
START = dt.date(2026, 11, 28)


@pytest.fixture
def frozen_today():
    # 10:00 in Shanghai: inside working hours, outside quiet hours.
    with freeze_time("2026-12-01 02:00:00+00:00", tick=True):
        yield TODAY


@pytest.fixture
def org(db, frozen_today):
    """The hand-computed fixture: five people on one path (see test_overview.py)."""
    market = DepartmentFactory(name="市场拓展部", code="market")
    east = DepartmentFactory(name="华东区", code="east", parent=market)
    legal = DepartmentFactory(name="法务部", code="legal")
    path, items = path_with_items(
        "客户经理入职路径",
        [
            ("入职前", [("A 提交材料", -10), ("B 阅读手册", -3)]),
            ("第一周", [("C 公司介绍", 5), ("D 管理制度", 20)]),
            ("第一个月", [("E 跟岗拜访", None)]),
        ],
    )
    manager = EmployeeFactory(name="经理孟", department=market, start_date=dt.date(2020, 1, 1))
    head = EmployeeFactory(name="法务部长", department=legal, start_date=dt.date(2019, 1, 1))
    Department.objects.filter(pk=legal.pk).update(head=head)
    people = {
        "alice": EmployeeFactory(name="艾丽", department=east, start_date=START, manager=manager),
        "bob": EmployeeFactory(name="鲍勃", department=market, start_date=START, manager=manager),
        "carol": EmployeeFactory(name="卡罗", department=market, start_date=START),
        "dan": EmployeeFactory(name="丹尼", department=legal, start_date=START),
        "eve": EmployeeFactory(name="伊芙", department=legal, start_date=START, status="left"),
    }
    titles = [i.title for i in items]
    enrol(people["alice"], path, items, done=titles)
    enrol(people["bob"], path, items, done=titles[:2])
    enrol(people["carol"], path, items, done=titles[:1])
    enrol(people["dan"], path, items, done=titles[:3], exempt=titles[3:4])
    enrol(people["eve"], path, items)
    return {
        "market": market,
        "east": east,
        "legal": legal,
        "path": path,
        "items": items,
        "manager": manager,
        "head": head,
        **people,
    }
