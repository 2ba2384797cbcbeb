"""Signing in as a new hire does it: 工号 or phone, lockout, the first-password change."""

import pytest
from bs4 import BeautifulSoup

from lms.org.models import Employee
from tests.factories import CohortFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


@pytest.fixture
def new_hire():
    employee = EmployeeFactory(employee_no="E2026001", phone="13800138000", name="李佳怡")
    employee.user.set_password(PASSWORD)
    employee.user.save()
    return employee


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.mark.parametrize(
    "typed", ["E2026001", "e2026001", " E2026001 ", "13800138000", "+86 138-0013-8000"]
)
def test_employee_number_or_phone_signs_in(client, new_hire, typed):
    response = sign_in(client, typed)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == new_hire.user_id


def test_a_phone_shared_by_two_people_signs_in_no_one(client, new_hire):
    EmployeeFactory(phone="13800138000")
    response = sign_in(client, "13800138000")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_for_a_while(client, new_hire, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, "E2026001", "wrong-password")
    # Even the right password, and even typed as a phone number, is refused now.
    locked = sign_in(client, "13800138000", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_spread_to_others_in_the_same_room(client, new_hire, settings):
    settings.AXES_FAILURE_LIMIT = 3
    colleague = EmployeeFactory(employee_no="E2026002")
    colleague.user.set_password(PASSWORD)
    colleague.user.save()
    for _ in range(3):
        sign_in(client, "E2026001", "wrong-password")
    assert sign_in(client, "E2026002").status_code == 302


def test_hr_issues_initial_passwords_and_the_person_must_replace_theirs(client, role_client):
    cohort = CohortFactory(name="2026-12 校招")
    hires = [EmployeeFactory(cohort=cohort) for _ in range(3)]
    hr = role_client("HR")
    response = hr.post(
        "/admin/sign-in-passwords/", {"cohort": cohort.pk, "only_never_signed_in": "on"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    slips = BeautifulSoup(response.content, "html.parser").select(".slip")
    assert len(slips) == 3
    codes = {s.select_one(".code").get_text(strip=True) for s in slips}
    assert len(codes) == 3 and all(len(c) == 10 for c in codes)
    first = slips[0].get_text()
    employee = next(e for e in hires if e.employee_no in first)
    code = slips[0].select_one(".code").get_text(strip=True)

    hr.logout()
    assert sign_in(client, employee.employee_no, code).status_code == 302
    assert client.get("/")["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": code,
            "new_password1": "my-own-secret-77",
            "new_password2": "my-own-secret-77",
        },
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert not employee.must_change_password
    assert client.get("/").status_code == 200


def test_a_weak_new_password_is_explained(client, new_hire):
    Employee.objects.filter(pk=new_hire.pk).update(must_change_password=True)
    sign_in(client, "E2026001")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "这个密码太常见了" in response.content.decode()
    new_hire.refresh_from_db()
    assert new_hire.must_change_password


@pytest.mark.parametrize(
    ("role", "allowed"), [("Learner", False), ("Trainer", False), ("HR", True), ("Admin", True)]
)
def test_only_hr_and_admin_issue_passwords(role_client, role, allowed):
    client = role_client(role)
    target = EmployeeFactory(employee_no="E5")
    response = client.post("/admin/sign-in-passwords/", {"employee_no": "E5"})
    target.refresh_from_db()
    assert target.must_change_password is allowed
    assert (response.status_code == 200) is allowed


def test_issuing_needs_a_choice_and_a_sane_batch(role_client, monkeypatch):
    client = role_client("HR")
    response = client.post("/admin/sign-in-passwords/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose a cohort, a department or an employee number" in response.content.decode()
    monkeypatch.setattr("lms.org.password_views.MAX_PER_BATCH", 2)
    cohort = CohortFactory()
    for _ in range(3):
        EmployeeFactory(cohort=cohort)
    response = client.post(
        "/admin/sign-in-passwords/", {"cohort": cohort.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "More than 2 people match" in response.content.decode()
    assert not Employee.objects.filter(must_change_password=True).exists()


def test_videos_still_play_while_a_new_password_is_pending(client, new_hire):
    Employee.objects.filter(pk=new_hire.pk).update(must_change_password=True)
    sign_in(client, "E2026001")
    assert client.get("/")["Location"] == "/accounts/password/"
    # The player's requests are answered by the video views, not the password page.
    response = client.get("/media/videos/999999/hls/master.m3u8")
    assert response.status_code == 404
