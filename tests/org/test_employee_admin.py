"""HR keeps people up to date in the admin; accounts follow, nobody is deleted."""

import pytest
from django.contrib.auth import get_user_model

from lms.org.models import Employee
from tests.factories import DepartmentFactory, EmployeeFactory, PositionFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/snippets/org/employee/add/"


def form_data(**overrides):
    department = overrides.pop("department", None) or DepartmentFactory(
        name="客服部", code="service"
    )
    data = {
        "employee_no": "E3001",
        "name": "赵敏",
        "phone": "139 1234 5678",
        "email": "zhaomin@example.com",
        "department": department.pk,
        "position": "",
        "level": "",
        "cohort": "",
        "start_date": "2026-12-01",
        "manager": "",
        "status": "active",
        "left_on": "",
        "preferred_language": "",
    }
    data.update(overrides)
    return data


def test_hr_adds_a_person_and_an_account_is_made_for_them(role_client):
    client = role_client("HR")
    response = client.post(ADD_URL, form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    employee = Employee.objects.get(employee_no="E3001")
    assert employee.phone == "13912345678"
    assert employee.user.username == "E3001"
    assert employee.user.email == "zhaomin@example.com"
    assert employee.user.groups.filter(name="Learner").exists()
    assert not employee.user.has_usable_password()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "12345"}, "is not a phone number"),
        ({"employee_no": "E 1; drop"}, "Use only letters, digits"),
        ({"start_date": "2026-02-30"}, "Enter a valid date"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(role_client, overrides, message):
    client = role_client("HR")
    before = Employee.objects.count()  # the HR person (whom the factory may name 赵敏 too)
    response = client.post(ADD_URL, form_data(**overrides), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Employee.objects.count() == before


def test_an_employee_number_that_is_someone_elses_account_is_refused(role_client):
    client = role_client("HR")
    EmployeeFactory(employee_no="E3001")
    response = client.post(ADD_URL, form_data(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "已属于其他人" in response.content.decode()


def test_a_position_of_another_department_is_refused(role_client):
    client = role_client("HR")
    other = PositionFactory(
        name="催收专员", department=DepartmentFactory(name="资产保全部", code="collection")
    )
    response = client.post(ADD_URL, form_data(position=other.pk), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "belongs to another department" in response.content.decode()


def test_marking_someone_as_left_locks_their_account_and_keeps_them(role_client):
    client = role_client("HR")
    employee = EmployeeFactory(employee_no="E3002", name="钱进")
    url = f"/admin/snippets/org/employee/edit/{employee.pk}/"
    data = form_data(
        employee_no="E3002", name="钱进", department=employee.department, status="left"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    employee.refresh_from_db()
    employee.user.refresh_from_db()
    assert employee.status == "left"
    assert employee.left_on is not None
    assert not employee.user.is_active

    data["status"] = "active"
    client.post(url, data)
    employee.refresh_from_db()
    employee.user.refresh_from_db()
    assert employee.user.is_active
    assert employee.left_on is None


def test_changing_the_employee_number_renames_the_account(role_client):
    client = role_client("HR")
    employee = EmployeeFactory(employee_no="E3003")
    data = form_data(employee_no="E3999", department=employee.department, name=employee.name)
    client.post(f"/admin/snippets/org/employee/edit/{employee.pk}/", data)
    employee.refresh_from_db()
    assert get_user_model().objects.get(pk=employee.user_id).username == "E3999"


@pytest.mark.parametrize("role", ["HR", "Admin", "Trainer"])
def test_nobody_deletes_a_person(role_client, role):
    client = role_client(role)
    employee = EmployeeFactory()
    response = client.post(f"/admin/snippets/org/employee/delete/{employee.pk}/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert Employee.objects.filter(pk=employee.pk).exists()


@pytest.mark.parametrize(
    ("role", "allowed"), [("Learner", False), ("Trainer", False), ("HR", True)]
)
def test_only_hr_adds_people(role_client, role, allowed):
    client = role_client(role)
    client.post(ADD_URL, form_data())
    assert Employee.objects.filter(employee_no="E3001").exists() is allowed
