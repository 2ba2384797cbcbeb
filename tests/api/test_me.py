"""/api/v1/me/ and /api/v1/me/path/ for every role, with tokens and sessions."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from lms.paths.models import LearningPath
from lms.paths.services import enrolment_assign_manually
from tests.factories import EmployeeFactory, UserFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

pytestmark = pytest.mark.django_db


def api_client_for(role: str | None):
    client = APIClient()
    if role is not None:
        employee = EmployeeFactory(roles=[role], start_date=dt.date(2026, 12, 1))
        client.force_authenticate(employee.user)
        client.employee = employee
    return client


def path_with(items: int) -> LearningPath:
    path = LearningPathFactory(name=f"路径{items}")
    stage = PathStageFactory(path=path, name="第一周")
    for n in range(items):
        PathItemFactory(stage=stage, kind="checklist", title=f"任务{n}", due_days=n, sort_order=n)
    return path


def test_anonymous_gets_401_with_the_error_body():
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("role", ["Learner", "Trainer", "HR", "Admin"])
def test_each_role_sees_their_own_profile(role):
    client = api_client_for(role)
    body = client.get("/api/v1/me/").json()
    assert body["employee_no"] == client.employee.employee_no
    assert body["roles"] == [role]
    assert body["start_date"] == "2026-12-01"


def test_a_staff_account_without_employee_has_no_path():
    client = APIClient()
    client.force_authenticate(UserFactory(username="ops"))
    assert client.get("/api/v1/me/").json()["employee_no"] is None
    response = client.get("/api/v1/me/path/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_my_path_shows_stages_items_and_the_next_thing_to_do():
    client = api_client_for("Learner")
    enrolment_assign_manually(employee=client.employee, path=path_with(3))
    [path_map] = client.get("/api/v1/me/path/").json()
    assert path_map["total"] == 3
    assert [i["title"] for i in path_map["stages"][0]["items"]] == ["任务0", "任务1", "任务2"]
    assert path_map["next_item"]["title"] == "任务0"
    assert path_map["next_item"]["due_date"] == "2026-12-01"


def test_a_learner_never_sees_another_persons_path():
    mine, theirs = api_client_for("Learner"), api_client_for("Learner")
    enrolment_assign_manually(employee=theirs.employee, path=path_with(2))
    assert mine.get("/api/v1/me/path/").json() == []


@pytest.mark.parametrize("items", [5, 50])
def test_my_path_uses_a_constant_number_of_queries(items, django_assert_max_num_queries):
    client = api_client_for("Learner")
    enrolment_assign_manually(employee=client.employee, path=path_with(items))
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/me/path/").json()
    assert body[0]["total"] == items


def test_tokens_are_issued_and_revocable():
    employee = EmployeeFactory(employee_no="E77")
    employee.user.set_password("a-long-password-1")
    employee.user.save()
    client = APIClient()
    bad = client.post("/api/v1/auth/token/", {"username": "E77", "password": "nope"}, format="json")
    assert bad.status_code == 400
    token = client.post(
        "/api/v1/auth/token/", {"username": "E77", "password": "a-long-password-1"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["employee_no"] == "E77"
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    # Token authentication comes first, so a dead token is a 401 with WWW-Authenticate.
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_schema_and_docs_work_offline(client):
    client.force_login(EmployeeFactory(roles=["Trainer"]).user)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/path/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content
    assert b"/static/drf_spectacular_sidecar/" in docs.content


def test_my_profile_takes_three_queries(django_assert_max_num_queries):
    client = api_client_for("Learner")
    with django_assert_max_num_queries(3):  # person with org, roles, (token/session is forced)
        assert client.get("/api/v1/me/").status_code == 200
