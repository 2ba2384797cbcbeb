"""Until a person replaces a password someone else chose, the admin and the API wait too."""

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from lms.org.models import Employee
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

GIVEN = "given-by-hr-1"
OWN = "my-own-secret-77"
REFUSAL = {
    "code": "password_change_required",
    "message": "Choose your own password first: sign in on the web and change the password you "
    "were given. Then sign in here again.",
    "fields": {},
}


def pending(role: str) -> Employee:
    """Someone who signed in with the password HR gave them, and has not changed it."""
    employee = EmployeeFactory(employee_no=f"E-{role}", roles=[role])
    employee.user.set_password(GIVEN)
    employee.user.save()
    Employee.objects.filter(pk=employee.pk).update(must_change_password=True)
    return employee


def session(employee: Employee) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(employee.user)
    return client


@pytest.mark.parametrize("role", ["Trainer", "HR", "Admin"])
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/sign-in-passwords/", "/admin/pages/", "/admin/account/"]
)
def test_the_admin_sends_them_to_the_password_form(role, url):
    response = session(pending(role)).get(url)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"


@pytest.mark.parametrize("url", ["/api/v1/me/", "/api/v1/me/path/", "/api/v1/hr/completions/"])
def test_the_api_refuses_their_session(url):
    response = session(pending("HR")).get(url)
    assert response.status_code == 403
    assert response.json() == {"error": REFUSAL}


def test_the_api_refuses_their_token_and_gives_them_none():
    employee = pending("Learner")
    signing_in = APIClient().post(
        "/api/v1/auth/token/",
        {"username": employee.employee_no, "password": GIVEN},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert signing_in.status_code == 403
    assert signing_in.json() == {"error": REFUSAL}
    assert not AuthToken.objects.exists()
    # A token from before (the migration keeps old ones) is refused the same way.
    _instance, token = AuthToken.objects.create(user=employee.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/me/path/")
    assert response.status_code == 403 and response.json() == {"error": REFUSAL}


def test_the_refusal_is_translated():
    response = session(pending("Learner")).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["error"]["message"].startswith("请先设置你自己的密码")


def test_what_the_change_needs_stays_open_and_afterwards_everything_works():
    trainer = pending("Trainer")
    client = session(trainer)
    assert client.get("/accounts/password/").status_code == 200
    assert client.get("/jsi18n/").status_code == 200
    changed = client.post(
        "/accounts/password/",
        {"old_password": GIVEN, "new_password1": OWN, "new_password2": OWN},
    )
    assert changed.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": trainer.employee_no, "password": OWN}
    )
    assert token.status_code == 200


def test_they_can_still_sign_out_of_the_admin():
    client = session(pending("Trainer"))
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] != "/accounts/password/"
    assert "_auth_user_id" not in client.session
