"""Service clients: the HRIS's own key and scopes instead of a person's token."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from rest_framework.test import APIClient

from lms.org.models import CredentialIssue, Employee, ServiceClient, ServiceScope
from lms.org.services import (
    api_token_create,
    password_set,
    service_client_create,
    service_client_revoke,
    service_client_rotate,
)
from tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

EMPLOYEES = "/api/v1/hr/employees/"
COMPLETIONS = "/api/v1/hr/completions/"
ROW = {"employee_no": "H0001", "name": "张伟", "department": "market", "start_date": "2026-12-01"}
READ, WRITE = ServiceScope.COMPLETIONS_READ, ServiceScope.EMPLOYEES_WRITE


@pytest.fixture(autouse=True)
def market():
    return DepartmentFactory(name="市场拓展部", code="market")


@pytest.fixture
def admin():
    return EmployeeFactory(roles=["Admin"])


def bearer(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def caller(kind: str, admin) -> APIClient:
    """An API client for a role, or for a service client with the named scopes."""
    if kind.startswith("client:"):
        scopes = [s for s in kind.removeprefix("client:").split(",") if s]
        _client, key = service_client_create(name=kind, scopes=scopes, created_by=admin.user)
        return bearer(key)
    client = APIClient()
    if kind != "anonymous":
        token = api_token_create(user=EmployeeFactory(roles=[kind]).user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize(
    ("kind", "read", "write"),
    [
        ("anonymous", 401, 401),
        ("Learner", 403, 403),
        ("Trainer", 403, 403),
        ("HR", 200, 200),
        ("Admin", 200, 200),
        (f"client:{READ}", 200, 403),
        (f"client:{WRITE}", 403, 200),
        (f"client:{READ},{WRITE}", 200, 200),
        ("client:", 403, 403),
    ],
)
def test_the_hr_api_per_caller(kind, read, write, admin):
    client = caller(kind, admin)
    assert client.get(COMPLETIONS).status_code == read
    response = client.put(EMPLOYEES, {"employees": [ROW]}, format="json")
    assert response.status_code == write
    assert Employee.objects.filter(employee_no="H0001").exists() == (write == 200)


def test_a_missing_scope_is_named_in_the_refusal(admin):
    response = caller(f"client:{READ}", admin).put(EMPLOYEES, {"employees": [ROW]}, format="json")
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "This service client lacks the scope “hr.employees.write”.",
        "fields": {},
    }


@pytest.mark.parametrize(
    "url", ["/api/v1/me/", "/api/v1/me/path/", "/api/v1/sessions/", "/api/v1/me/notices/"]
)
def test_a_service_client_is_no_person_anywhere_else(url, admin):
    assert caller(f"client:{READ},{WRITE}", admin).get(url).status_code == 403


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer onr_",
        "Bearer onr_abc",
        "Bearer onr_000000000000_" + "x" * 43,
        "Bearer " + "x" * 5000,
    ],
)
def test_a_wrong_key_is_refused(header, admin):
    service_client_create(name="HRIS", scopes=[READ], created_by=admin.user)
    response = APIClient().get(COMPLETIONS, HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == (
        "Invalid service client key (it may have been replaced or revoked)."
    )


def test_the_key_is_stored_only_as_a_digest(admin, rows_holding):
    client, key = service_client_create(name="HRIS", scopes=[READ], created_by=admin.user)
    assert rows_holding(key) == []
    assert key.startswith(f"onr_{client.key_id}_") and len(key) > 50


def test_replacing_a_key_stops_the_old_one_and_is_logged(admin):
    client, old = service_client_create(name="HRIS", scopes=[READ], created_by=admin.user)
    new = service_client_rotate(client=client, rotated_by=admin.user)
    assert bearer(old).get(COMPLETIONS).status_code == 401
    assert bearer(new).get(COMPLETIONS).status_code == 200
    kinds = list(
        CredentialIssue.objects.filter(service_client=client)
        .order_by("pk")
        .values_list("kind", "issued_by")
    )
    assert kinds == [
        (CredentialIssue.Kind.SERVICE_KEY, admin.user_id),
        (CredentialIssue.Kind.SERVICE_KEY_REPLACED, admin.user_id),
    ]


def test_a_revoked_client_is_refused_and_gets_no_new_key(admin):
    from django.core.exceptions import PermissionDenied

    client, key = service_client_create(name="HRIS", scopes=[READ], created_by=admin.user)
    service_client_revoke(client=client, revoked_by=admin.user)
    assert bearer(key).get(COMPLETIONS).status_code == 401
    with pytest.raises(PermissionDenied):
        service_client_rotate(client=client, rotated_by=admin.user)


def test_the_sync_survives_hr_changing_passwords(admin):
    hr = EmployeeFactory(roles=["HR"])
    _client, key = service_client_create(name="HRIS", scopes=[READ], created_by=admin.user)
    password_set(user=hr.user, password="a-new-secret-55")
    password_set(user=admin.user, password="another-secret-66")
    assert bearer(key).get(COMPLETIONS).status_code == 200


def test_last_use_is_recorded_without_a_write_per_request(admin, django_assert_num_queries):
    client, key = service_client_create(name="HRIS", scopes=[READ], created_by=admin.user)
    api = bearer(key)
    api.get(COMPLETIONS)
    client.refresh_from_db()
    assert client.last_used_at is not None
    with django_assert_num_queries(2):  # the client's row, the (empty) completions page
        api.get(COMPLETIONS)


# --- the admin pages --------------------------------------------------------


def admin_client(role: str) -> Client:
    client = Client()
    client.force_login(EmployeeFactory(roles=[role]).user)
    return client


@pytest.mark.parametrize(
    ("role", "allowed"), [("Learner", False), ("Trainer", False), ("HR", False), ("Admin", True)]
)
def test_only_admins_manage_service_clients(role, allowed):
    client = admin_client(role)
    index = client.get("/admin/service-clients/")
    created = client.post("/admin/service-clients/add/", {"name": "HRIS", "scopes": [READ]})
    assert (index.status_code == 200) is allowed
    assert (created.status_code == 200) is allowed
    assert ServiceClient.objects.exists() is allowed


def test_an_admin_creates_replaces_and_revokes_a_key_shown_once():
    client = admin_client("Admin")
    created = client.post(
        "/admin/service-clients/add/",
        {"name": "北森 HRIS", "scopes": [READ, WRITE]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "no-store" in created["Cache-Control"]
    key = BeautifulSoup(created.content, "html.parser").select_one(".service-key").get_text()
    assert bearer(key).get(COMPLETIONS).status_code == 200
    service = ServiceClient.objects.get()
    assert service.name == "北森 HRIS" and service.scopes == [READ, WRITE]
    detail = client.get(f"/admin/service-clients/{service.pk}/").content.decode()
    assert key not in detail and f"onr_{service.key_id}_" in detail

    rotated = client.post(f"/admin/service-clients/{service.pk}/rotate/")
    new = BeautifulSoup(rotated.content, "html.parser").select_one(".service-key").get_text()
    assert new != key
    assert bearer(key).get(COMPLETIONS).status_code == 401
    assert bearer(new).get(COMPLETIONS).status_code == 200

    revoked = client.post(f"/admin/service-clients/{service.pk}/revoke/")
    assert revoked.status_code == 302
    assert bearer(new).get(COMPLETIONS).status_code == 401
    again = client.post(f"/admin/service-clients/{service.pk}/rotate/")
    assert again.status_code == 302 and bearer(new).get(COMPLETIONS).status_code == 401


def test_the_form_explains_its_errors_in_the_admins_language():
    client = admin_client("Admin")
    client.post("/admin/service-clients/add/", {"name": "HRIS", "scopes": [READ]})
    response = client.post(
        "/admin/service-clients/add/",
        {"name": " hris ", "scopes": ["everything"]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "A service client called “hris” exists already." in text
    assert "Select a valid choice. everything is not one of the available choices." in text
    assert ServiceClient.objects.count() == 1
