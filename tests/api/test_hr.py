"""The HRIS API: bulk upsert of people and incremental sync of completions."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lms.org.models import Employee
from lms.org.services import api_token_create
from lms.paths.models import EnrolmentItem
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.paths.factories import enrol, path_with_items

pytestmark = pytest.mark.django_db

EMPLOYEES = "/api/v1/hr/employees/"
COMPLETIONS = "/api/v1/hr/completions/"


def token_client(role: str | None) -> APIClient:
    client = APIClient()
    if role:
        employee = EmployeeFactory(roles=[role])
        token = api_token_create(user=employee.user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def market():
    return DepartmentFactory(name="市场拓展部", code="market")


def person(**overrides):
    row = {
        "employee_no": "H0001",
        "name": "张伟",
        "department": "市场拓展部",
        "start_date": "2026-12-01",
        "phone": "13800138000",
        "email": "zhang@example.com",
        "manager_no": "",
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 403), ("Learner", 403), ("Trainer", 403), ("HR", 200), ("Admin", 200)],
)
def test_upsert_per_role(market, role, status):
    response = token_client(role).put(EMPLOYEES, {"employees": [person()]}, format="json")
    # Anonymous: 401 with WWW-Authenticate (token authentication answers first)
    assert response.status_code == (401 if role is None else status)
    assert Employee.objects.filter(employee_no="H0001").exists() == (status == 200)
    if status != 200:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_upsert_creates_then_updates_then_changes_nothing(market):
    client = token_client("HR")
    response = client.put(
        EMPLOYEES, {"employees": [person(), person(employee_no="H0002", phone="")]}, format="json"
    )
    assert response.json() == {"dry_run": False, "created": 2, "updated": 0, "unchanged": 0}
    response = client.put(
        EMPLOYEES,
        {"employees": [person(name="张伟伟"), person(employee_no="H0002", phone="")]},
        format="json",
    )
    assert response.json()["updated"] == 1 and response.json()["unchanged"] == 1
    assert Employee.objects.get(employee_no="H0001").name == "张伟伟"
    again = client.put(
        EMPLOYEES,
        {"employees": [person(name="张伟伟"), person(employee_no="H0002", phone="")]},
        format="json",
    )
    assert again.json()["unchanged"] == 2


def test_chinese_field_names_and_roster_date_forms_work(market):
    row = {"工号": "H0003", "姓名": "李娜", "部门": "market", "入职日期": "2026年12月1日"}
    response = token_client("HR").put(EMPLOYEES, {"employees": [row]}, format="json")
    assert response.status_code == 200, response.json()
    assert Employee.objects.get(employee_no="H0003").start_date == dt.date(2026, 12, 1)


def test_dry_run_writes_nothing(market):
    response = token_client("HR").put(
        f"{EMPLOYEES}?dry_run=1", {"employees": [person()]}, format="json"
    )
    assert response.json()["dry_run"] is True and response.json()["created"] == 1
    assert not Employee.objects.filter(employee_no="H0001").exists()


def test_the_same_validation_as_the_roster_import_with_per_row_errors(market):
    rows = [
        person(),
        person(employee_no="H0002", phone="12345"),
        person(employee_no="H0003", department="不存在的部门"),
        person(employee_no="H0001"),  # duplicate number
        person(employee_no="H0004", start_date="2026-02-30"),
        person(employee_no="H0005", manager_no="NOBODY", email="not-an-email"),
    ]
    response = token_client("HR").put(EMPLOYEES, {"employees": rows}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    problems = {(e["row"], e["column"]) for e in error["rows"]}
    assert {(2, "phone"), (3, "department"), (4, "employee_no"), (5, "start_date")} <= problems
    assert {(6, "manager_no"), (6, "email")} <= problems
    assert not Employee.objects.filter(employee_no__startswith="H").exists()  # all or nothing


def test_errors_are_in_the_callers_language(market):
    response = token_client("HR").put(
        EMPLOYEES,
        {"employees": [person(phone="12345")]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.json()["error"]["rows"][0]["message"] == (
        "“12345”不是有效的手机号；请填写 11 位数字，例如 13800138000。"
    )


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {"employees": "everyone"},
        {"employees": []},
        {"employees": [42]},
        {
            "employees": [
                {
                    "employee_no": {"$gt": ""},
                    "name": "x",
                    "department": "market",
                    "start_date": "2026-12-01",
                }
            ]
        },
        {"employees": [person(name=["a"])]},
        {"employees": [person(drop_table="yes")]},
        {"employees": [{"name": "缺工号"}]},
        {
            "employees": [
                person(),
                {k: v for k, v in person(employee_no="H9").items() if k != "phone"},
            ]
        },
        {"employees": [person(name="长" * 5000)]},
        {"employees": [person(employee_no="'; DROP TABLE org_employee; --")]},
        {"employees": [person()], "create_missing": "yes"},
        {"employees": [person()], "cohort": ["x"]},
    ],
)
def test_hostile_or_broken_bodies_get_a_clear_400(market, body):
    response = token_client("HR").put(EMPLOYEES, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    # By number, not name: the HR caller is a factory person whose random name may be 张伟.
    assert not Employee.objects.filter(employee_no__in=["H0001", "H9"]).exists()
    assert not Employee.objects.filter(name="缺工号").exists()


def test_too_many_rows_are_refused(market, settings):
    settings.HR_API_MAX_ROWS = 3
    rows = [person(employee_no=f"H{n}") for n in range(4)]
    response = token_client("HR").put(EMPLOYEES, {"employees": rows}, format="json")
    assert response.status_code == 400


def test_broken_json_is_a_400():
    client = token_client("HR")
    response = client.put(EMPLOYEES, data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_a_session_client_needs_csrf(market):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(EmployeeFactory(roles=["HR"]).user)
    response = client.put(EMPLOYEES, {"employees": [person()]}, content_type="application/json")
    assert response.status_code == 403


# --- completions ---------------------------------------------------------------


@pytest.fixture
def completions(db):
    path, items = path_with_items("路径", [("第一周", [(f"任务{n}", n) for n in range(3)])])
    people = [EmployeeFactory() for _ in range(4)]
    base = timezone.make_aware(dt.datetime(2026, 11, 1, 9))
    for index, employee in enumerate(people):
        enrol(
            employee,
            path,
            items,
            done=[i.title for i in items],
            completed_at=base + dt.timedelta(days=index),
        )
    return people


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 403), ("Learner", 403), ("Trainer", 403), ("HR", 200), ("Admin", 200)],
)
def test_completions_per_role(completions, role, status):
    code = token_client(role).get(COMPLETIONS).status_code
    assert code == (401 if role is None else status)


def test_completions_since_with_cursor_pages(completions, django_assert_max_num_queries):
    client = token_client("HR")
    seen = []
    url = f"{COMPLETIONS}?since=2026-11-02T00:00:00%2B08:00&page_size=4"
    while url:
        with django_assert_max_num_queries(6):
            page = client.get(url).json()
        seen += page["results"]
        url = page["next"]
    assert len(seen) == 9  # people 2, 3 and 4, three items each
    assert len({row["id"] for row in seen}) == 9
    assert seen[0]["employee_no"] == completions[1].employee_no
    times = [row["completed_at"] for row in seen]
    assert times == sorted(times)
    assert set(seen[0]) == {
        "id",
        "employee_no",
        "employee_name",
        "department_code",
        "path",
        "item",
        "kind",
        "course_id",
        "completed_at",
    }


def test_new_completions_appear_after_the_last_cursor(completions):
    client = token_client("HR")
    page = client.get(f"{COMPLETIONS}?page_size=1000").json()
    assert len(page["results"]) == 12
    item = EnrolmentItem.objects.filter(status="completed").first()
    EnrolmentItem.objects.filter(pk=item.pk).update(completed_at=timezone.now())
    latest = page["results"][-1]["completed_at"]
    newer = client.get(COMPLETIONS, {"since": latest}).json()["results"]
    assert item.pk in [row["id"] for row in newer]


@pytest.mark.parametrize(
    "since", ["yesterday", "2026-13-45", "2026-11-31T25:00:00", "x" * 500, "'; DROP TABLE x; --"]
)
def test_a_bad_since_is_a_400(completions, since):
    response = token_client("HR").get(COMPLETIONS, {"since": since})
    assert response.status_code == 400
    assert "since" in response.json()["error"]["fields"]


def test_a_forged_cursor_is_a_clear_error(completions):
    response = token_client("HR").get(COMPLETIONS, {"cursor": "!!not-base64!!"})
    assert response.status_code == 404
    assert response.json()["error"]["message"]


# --- my notices ------------------------------------------------------------------


def test_my_notices_and_marking_them_read():
    from lms.reports.models import Notice

    employee = EmployeeFactory()
    other = EmployeeFactory()
    mine = Notice.objects.create(employee=employee, title="提醒", lines=[{"text": "任务一"}])
    theirs = Notice.objects.create(employee=other, title="别人的", lines=[])
    client = APIClient()
    client.force_authenticate(employee.user)
    assert [n["id"] for n in client.get("/api/v1/me/notices/").json()] == [mine.pk]
    response = client.post("/api/v1/me/notices/read/", {"ids": [mine.pk, theirs.pk]}, format="json")
    assert response.json() == {"marked": 1}
    assert client.get("/api/v1/me/notices/").json() == []
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post("/api/v1/me/notices/read/", {"ids": ["x"]}, format="json").status_code == 400
    assert APIClient().get("/api/v1/me/notices/").status_code == 401


# --- found by fuzzing the API (issue 14) -------------------------------------------------


@pytest.mark.parametrize("value", ["maybe", "2", "tru", ""])
def test_dry_run_other_than_yes_or_no_is_refused_and_writes_nothing(market, value):
    response = token_client("HR").put(
        f"{EMPLOYEES}?dry_run={value}", {"employees": [person()]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"dry_run"}
    assert not Employee.objects.filter(employee_no="H0001").exists()


@pytest.mark.parametrize(("value", "dry_run"), [("no", False), ("0", False), ("YES", True)])
def test_dry_run_yes_and_no(market, value, dry_run):
    response = token_client("HR").put(
        f"{EMPLOYEES}?dry_run={value}", {"employees": [person()]}, format="json"
    )
    assert response.status_code == 200 and response.json()["dry_run"] is dry_run
    assert Employee.objects.filter(employee_no="H0001").exists() is not dry_run


@pytest.mark.parametrize("start_date", ["0001-01-01", "1999-12-31", "2999-01-01"])
def test_a_start_date_out_of_range_is_refused(market, start_date):
    response = token_client("HR").put(
        EMPLOYEES, {"employees": [person(start_date=start_date)]}, format="json"
    )
    assert response.status_code == 400
    assert [row["column"] for row in response.json()["error"]["rows"]] == ["start_date"]
    assert not Employee.objects.filter(employee_no="H0001").exists()


@pytest.mark.parametrize("name", ["张\x00伟", "张\x1f伟"])
def test_a_name_with_control_characters_is_refused(market, name):
    response = token_client("HR").put(EMPLOYEES, {"employees": [person(name=name)]}, format="json")
    assert response.status_code == 400
    assert [row["column"] for row in response.json()["error"]["rows"]] == ["name"]
    assert not Employee.objects.filter(employee_no="H0001").exists()


@pytest.mark.parametrize(
    ("since", "count"),
    [
        ("0001-01-01T00:00:00%2B14:00", 12),
        ("0001-01-01", 12),
        ("0516-01-28T07:37:12Z", 12),
        ("9577-02-22T03:25:11%2B12:51", 0),
        ("9999-12-31T23:59:59-14:00", 0),
    ],
)
def test_since_beyond_the_range_of_times_counts_as_its_end(completions, since, count):
    # Found by fuzzing: the schema's date-time is any year, and a filter bound beyond
    # 2000 … 2100 selects what that end of the range selects (no completion lies beyond).
    response = token_client("HR").get(f"{COMPLETIONS}?since={since}&page_size=1000")
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == count
