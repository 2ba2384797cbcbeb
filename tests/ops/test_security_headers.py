"""Every page carries a Content-Security-Policy and may not be framed by another site."""

import pytest
from django.test import Client
from wagtail.test.utils.form_data import nested_form_data, rich_text

from tests.courses.factories import CourseIndexPageFactory
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def admin_client() -> Client:
    client = Client()
    client.force_login(EmployeeFactory(roles=["Admin"]).user)
    return client


def test_the_sign_in_page_has_a_strict_policy_and_the_usual_headers():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # hls.js plays from MediaSource blob: URLs.
    assert policy["media-src"] == ["'self'", "blob:"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_answers_and_the_service_worker_carry_the_policy_too():
    assert directives(Client().get("/api/v1/me/"))["frame-ancestors"] == ["'none'"]
    worker = Client().get("/sw.js")
    assert worker.status_code == 200
    assert directives(worker)["connect-src"] == ["'self'"]


def test_the_admin_allows_its_own_inline_scripts_but_no_framing():
    response = admin_client().get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_page_preview_may_be_framed_by_the_admin_only():
    page = CourseIndexPageFactory(title="课程", slug="courses")
    client = Client()
    client.force_login(UserFactory(is_superuser=True))
    url = f"/admin/pages/{page.pk}/edit/preview/"
    posted = client.post(
        url, nested_form_data({"title": "课程（草稿）", "slug": "courses", "intro": rich_text("")})
    )
    assert posted.json()["is_valid"] is True

    preview = client.get(url)
    assert preview.status_code == 200
    assert "课程（草稿）" in preview.content.decode()
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(preview)["frame-ancestors"] == ["'self'"]
