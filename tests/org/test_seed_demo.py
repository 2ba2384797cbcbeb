import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from lms.demo.org import (
    CAMPUS_COHORT,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DEPARTMENTS,
    POSITIONS,
    demo_organisation_seed,
)
from lms.org.models import Cohort, Department, Employee, Level, Position
from lms.org.roles import ROLE_ADMIN, ROLE_HR, ROLE_LEARNER, ROLE_TRAINER
from tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

SEED_DEPARTMENTS = {
    "市场拓展部",
    "产品研发部",
    "风险控制部",
    "资产保全部",
    "法务部",
    "客服部",
    "设计部",
    "人力资源部",
    "运营部",
    "财务部",
}
SEED_POSITIONS = {"产品经理", "客户经理", "风控专员", "催收专员", "客服专员", "会计", "出纳"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def debug(settings):
    # pytest-django runs tests with DEBUG off; seed_demo is a development command.
    settings.DEBUG = True


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--language", "en", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    """Every row the seed touches, with timestamps and password hashes."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Department, Position, Level, Cohort, Employee, User, Group)
    } | {
        "memberships": list(
            User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")
        )
    }


def test_creates_the_organisation_of_the_seed_documents(debug):
    output = seed()

    departments = {d.code: d for d in Department.objects.all()}
    assert {d.name for d in departments.values()} >= SEED_DEPARTMENTS
    assert set(departments) == {spec.code for spec in DEPARTMENTS}
    assert all(re.fullmatch(r"[a-z][a-z-]*", code) for code in departments)
    assert all(d.description.startswith("1、") for d in departments.values())
    assert departments["risk-credit"].parent == departments["risk"]
    assert departments["risk-post-loan"].parent == departments["risk"]
    assert departments["risk"].parent is None
    assert "催收" in departments["collection"].description

    positions = list(Position.objects.select_related("department"))
    assert len(positions) == len(POSITIONS)
    assert {p.name for p in positions} >= SEED_POSITIONS
    assert all(p.duties for p in positions)
    assert any(p.department is None for p in positions)
    risk_officer = Position.objects.get(name="风控专员")
    assert risk_officer.department.code == "risk-credit"

    levels = list(Level.objects.order_by("rank"))
    assert [level.code for level in levels] == ["P1", "P2", "P3", "P4", "P5", "M1", "M2", "M3"]
    assert len({level.rank for level in levels}) == len(levels)

    assert "Organisation" in output
    assert "Demo data loaded" in output


def test_the_campus_cohort_has_sixty_plausible_new_hires(debug):
    seed()

    cohort = Cohort.objects.get(name=CAMPUS_COHORT)
    assert cohort.start_date == dt.date(2026, 12, 1)
    hires = list(cohort.employees.select_related("manager", "position", "level", "department"))
    assert len(hires) >= 60
    assert len({h.department_id for h in hires}) >= 10
    assert len({h.position_id for h in hires}) >= 12
    assert {h.level.code for h in hires} <= {"P1", "P2"}
    assert len({h.name for h in hires}) == len(hires)
    assert len({h.phone for h in hires}) == len(hires)
    for hire in hires:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", hire.name), hire.name
        assert re.fullmatch(r"1[3-9]\d{9}", hire.phone), hire.phone
        assert re.fullmatch(r"[a-z0-9.]+@onramp\.example", hire.email), hire.email
        assert hire.start_date >= cohort.start_date
        assert hire.position.department_id == hire.department_id
        # Managers are staff who were there before the cohort.
        assert hire.manager is not None
        assert hire.manager.cohort_id is None
        assert hire.manager.start_date < cohort.start_date
        assert hire.user.groups.filter(name=ROLE_LEARNER).exists()
    assert Cohort.objects.filter(name="2026-09 社招", employees__isnull=False).exists()


def test_demo_accounts_sign_in_with_the_documented_password(debug):
    seed()

    expected_roles = {
        "demo.learner": ROLE_LEARNER,
        "demo.trainer": ROLE_TRAINER,
        "demo.hr": ROLE_HR,
        "admin": ROLE_ADMIN,
    }
    assert set(expected_roles) == set(DEMO_USERNAMES)
    for username, role in expected_roles.items():
        user = authenticate(
            RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD
        )
        assert user is not None, username
        assert set(user.groups.values_list("name", flat=True)) == {role}

    learner = Employee.objects.get(user__username="demo.learner")
    assert learner.cohort.name == CAMPUS_COHORT
    assert learner.position.name == "客户经理"
    assert learner.department.code == "market"
    assert learner.manager.employee_no == "E1001", "the head of 市场拓展部"
    assert Employee.objects.get(user__username="demo.hr").department.code == "hr"
    assert Employee.objects.filter(user__username="demo.trainer").exists()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    # Everyone else has no password: only the documented accounts sign in.
    others = User.objects.exclude(username__in=DEMO_USERNAMES)
    assert not any(user.has_usable_password() for user in others)


def test_a_second_run_creates_and_changes_nothing(debug, django_assert_max_num_queries):
    seed()
    before = snapshot()

    with django_assert_max_num_queries(15):
        report = demo_organisation_seed()
    output = seed()

    assert report.created == 0
    assert report.updated == 0
    assert snapshot() == before
    assert "already there; nothing changed" in output


def test_a_rerun_keeps_what_people_changed(debug):
    seed()
    learner = User.objects.get(username="demo.learner")
    learner.set_password("my-own-password-1")
    learner.save()
    hire = Employee.objects.get(employee_no="E2612002")
    hire.phone = "13900000000"
    hire.save()
    learner.groups.clear()

    seed()

    assert (
        authenticate(
            RequestFactory().post("/accounts/login/"),
            username="demo.learner",
            password="my-own-password-1",
        )
        is not None
    )
    assert Employee.objects.get(employee_no="E2612002").phone == "13900000000"
    # The documented role is put back, though.
    assert learner.groups.filter(name=ROLE_LEARNER).exists()


def test_adopts_a_department_a_roster_import_made_instead_of_duplicating_it(debug):
    made_by_import = DepartmentFactory(name="风险控制部", code="风险控制部")
    EmployeeFactory(department=made_by_import, employee_no="E001")

    seed()

    assert Department.objects.filter(name="风险控制部").count() == 1
    made_by_import.refresh_from_db()
    assert made_by_import.code == "risk"
    assert made_by_import.description
    assert Employee.objects.get(employee_no="E001").department == made_by_import


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force") as raised:
        seed()

    assert raised.value.returncode != 0
    assert not Department.objects.exists()
    assert not Employee.objects.exists()
    assert not User.objects.filter(username="admin").exists()


def test_force_runs_with_debug_off(settings):
    settings.DEBUG = False

    seed("--force")

    assert Cohort.objects.get(name=CAMPUS_COHORT).employees.count() >= 60
    assert (
        authenticate(
            RequestFactory().post("/accounts/login/"), username="admin", password=DEMO_PASSWORD
        )
        is not None
    )
