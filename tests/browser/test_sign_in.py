"""A new hire signs in on a phone and switches the language."""

import pytest

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_new_hire_signs_in_on_a_phone_and_switches_to_english(live_server, phone, tmp_path):
    employee = EmployeeFactory(employee_no="E2026001", name="李佳怡", department__name="风险控制部")
    employee.user.set_password("a-long-password-1")
    employee.user.save()

    phone.goto(f"{live_server.url}/")
    assert phone.locator("h1").inner_text() == "登录"
    phone.fill("#id_username", "E2026001")
    phone.fill("#id_password", "a-long-password-1")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.locator("h1").inner_text() == "欢迎，李佳怡"

    # Nothing sticks out sideways on a 390 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.select_option("#lang", "en")  # submits itself
    phone.wait_for_load_state("load")
    phone.locator("h1", has_text="Welcome").wait_for()
    assert phone.locator("h1").inner_text() == "Welcome, 李佳怡"
    phone.screenshot(path=str(tmp_path / "home-en.png"))
    employee.refresh_from_db()
    assert employee.preferred_language == "en"


def test_wrong_password_is_explained(live_server, phone):
    EmployeeFactory(employee_no="E1")
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "E1")
    phone.fill("#id_password", "nope")
    phone.click("button[type=submit]")
    assert "请输入一个正确的" in phone.locator("[role=alert]").inner_text()
