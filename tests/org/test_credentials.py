"""Issuing passwords: who may give one to whom, what it ends, and the log admins read."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from lms.org.models import CredentialIssue, Employee
from lms.org.services import api_token_create
from tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

OLD = "the-old-password-1"
ISSUE = "/admin/sign-in-passwords/"


def person(role: str, employee_no: str, **extra) -> Employee:
    employee = EmployeeFactory(employee_no=employee_no, roles=[role], **extra)
    employee.user.set_password(OLD)
    employee.user.save()
    return employee


def signed_in(employee: Employee) -> Client:
    client = Client()
    client.force_login(employee.user)
    return client


def api_works(token: str) -> bool:
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/").status_code == 200


def issue(actor: Client, employee_no: str):
    return actor.post(ISSUE, {"employee_no": employee_no}, HTTP_ACCEPT_LANGUAGE="en")


TARGETS = ["Learner", "Trainer", "HR", "Manager", "Admin"]


@pytest.mark.parametrize(
    ("actor_role", "allowed"),
    [
        (None, set()),
        ("Learner", set()),
        ("Trainer", set()),
        ("HR", {"Learner"}),
        ("Admin", set(TARGETS)),
    ],
)
def test_who_may_give_whom_a_password(actor_role, allowed):
    targets = {role: person(role, f"E{n}") for n, role in enumerate(TARGETS)}
    actor = Client()
    if actor_role:
        actor = signed_in(person(actor_role, "ACTOR"))
    for role, target in targets.items():
        response = issue(actor, target.employee_no)
        target.refresh_from_db()
        target.user.refresh_from_db()
        may = role in allowed
        assert target.must_change_password is may, role
        assert target.user.check_password(OLD) is not may, role
        if actor_role in ("HR", "Admin"):
            assert response.status_code == 200
            if not may:
                assert "Only an admin may give a password to staff or admins" in (
                    response.content.decode()
                )
        else:  # Wagtail turns the refusal into a redirect: to the sign-in, or to the dashboard
            assert response.status_code == 302
            assert response["Location"] == (
                "/admin/login/?next=/admin/sign-in-passwords/"
                if actor_role in (None, "Learner")
                else "/admin/"
            )
    assert CredentialIssue.objects.count() == len(allowed)


def test_hr_gets_slips_for_learners_and_a_list_of_the_staff_it_may_not_reset():
    department = DepartmentFactory()
    learner = person("Learner", "E1", department=department)
    trainer = person("Trainer", "E2", department=department)
    hr = signed_in(person("HR", "HR1"))
    response = hr.post(ISSUE, {"department": department.pk}, HTTP_ACCEPT_LANGUAGE="en")
    page = BeautifulSoup(response.content, "html.parser")
    assert [s.get_text(" ", strip=True).split(" · ")[0] for s in page.select(".slip")] == [
        learner.name
    ]
    assert trainer.employee_no in page.select_one(".refused").get_text()
    trainer.user.refresh_from_db()
    assert trainer.user.check_password(OLD)


def test_a_reset_ends_the_persons_tokens_and_sessions_and_is_logged():
    target = person("Learner", "E1")
    phone = api_token_create(user=target.user)
    browser = signed_in(target)
    assert browser.get("/").status_code == 200 and api_works(phone)
    hr_person = person("HR", "HR1")
    hr = signed_in(hr_person)

    assert issue(hr, "E1").status_code == 200

    assert not api_works(phone)
    assert not AuthToken.objects.filter(user=target.user).exists()
    assert browser.get("/")["Location"].startswith("/accounts/login/")
    entry = CredentialIssue.objects.get()
    assert (entry.kind, entry.issued_by, entry.account) == (
        CredentialIssue.Kind.ONE_TIME_PASSWORD,
        hr_person.user,
        target.user,
    )
    assert entry.issued_to_label == f"{target.name} (E1)"
    assert entry.issued_by_label == f"{hr_person.name} (HR1)"
    assert entry.created_at is not None


def test_changing_ones_password_ends_every_token_and_every_other_session():
    me = person("Learner", "E1")
    tokens = [api_token_create(user=me.user) for _ in range(2)]
    elsewhere, here = signed_in(me), signed_in(me)
    response = here.post(
        "/accounts/password/",
        {
            "old_password": OLD,
            "new_password1": "my-own-secret-77",
            "new_password2": "my-own-secret-77",
        },
    )
    assert response.status_code == 302
    assert not any(api_works(t) for t in tokens)
    assert here.get("/").status_code == 200  # the session it was done in stays
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")
    assert not CredentialIssue.objects.exists()  # nobody else chose it: nothing to log


def test_manage_py_changepassword_goes_through_the_same_service(monkeypatch):
    me = person("Admin", "E1")
    token = api_token_create(user=me.user)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-new-long-secret-9")
    call_command("changepassword", "E1")
    me.user.refresh_from_db()
    assert me.user.check_password("a-new-long-secret-9")
    assert not api_works(token)
    entry = CredentialIssue.objects.get()
    assert (entry.kind, entry.issued_by_label) == (
        CredentialIssue.Kind.PASSWORD,
        "manage.py changepassword",
    )


def test_wagtail_has_no_password_paths_of_its_own():
    admin = person("Admin", "E1")
    client = signed_in(admin)
    account = client.get("/admin/account/").content.decode()
    assert 'name="password-new_password1"' not in account
    assert Client().get("/admin/password_reset/").status_code == 404
    edit = client.get(f"/admin/users/edit/{admin.user_id}/")
    assert edit.status_code == 200
    assert 'name="password1"' not in edit.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("Learner", 302), ("Trainer", 302), ("HR", 302), ("Admin", 200)]
)
def test_only_admins_read_the_credential_log(role, status):
    learner = person("Learner", "E1")
    signed_in(person("Admin", "A1")).post(ISSUE, {"employee_no": "E1"})
    response = signed_in(person(role, "READER")).get("/admin/credential-log/")
    assert response.status_code == status
    if status == 200:
        rows = BeautifulSoup(response.content, "html.parser").select("tbody tr")
        assert len(rows) == 1 and learner.name in rows[0].get_text()


def test_the_credential_log_takes_the_same_queries_for_many_entries():
    admin = signed_in(person("Admin", "A1"))
    for n in range(30):
        person("Learner", f"E{n}")
    admin.post(ISSUE, {"employee_no": "E1"})
    with CaptureQueriesContext(connection) as one:
        admin.get("/admin/credential-log/")
    for n in range(2, 30):
        admin.post(ISSUE, {"employee_no": f"E{n}"})
    with CaptureQueriesContext(connection) as many:
        response = admin.get("/admin/credential-log/")
    assert len(BeautifulSoup(response.content, "html.parser").select("tbody tr")) == 29
    assert len(many) == len(one)
