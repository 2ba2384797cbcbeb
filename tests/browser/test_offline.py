"""A learner who has seen their path map can open it again offline."""

import pytest

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_path_map_opens_offline_with_a_banner(live_server, phone):
    employee = EmployeeFactory(employee_no="E2026009", name="王小明")
    employee.user.set_password("a-long-password-1")
    employee.user.save()
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "E2026009")
    phone.fill("#id_password", "a-long-password-1")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.locator("#offline-banner").is_hidden()

    # Wait until the service worker controls the page, then load it once through it.
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.reload()
    phone.locator("h1", has_text="王小明").wait_for()

    phone.context.set_offline(True)
    phone.reload()
    assert "王小明" in phone.locator("h1").inner_text()
    banner = phone.locator("#offline-banner")
    assert banner.is_visible()
    assert "离线" in banner.inner_text()
    phone.context.set_offline(False)


def test_manifest_and_service_worker_are_served(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"].startswith("application/manifest+json")
    assert manifest.json()["start_url"] == "/"
    worker = client.get("/sw.js")
    assert worker["Service-Worker-Allowed"] == "/"
    assert b"/static/assets/main-" in worker.content
