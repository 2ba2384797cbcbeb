"""The OpenAPI schema and Swagger UI: staff only by default, everyone by a setting."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

ROLES_WITH_ADMIN = ["Trainer", "HR", "Manager", "Admin"]


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(EmployeeFactory(roles=[role]).user)
    return client


def test_docs_are_for_staff_by_default(settings):
    assert settings.ONRAMP_API_DOCS_PUBLIC is False


def test_an_anonymous_caller_is_refused_the_schema_and_sent_to_sign_in_for_the_docs():
    schema = Client().get("/api/v1/schema/")
    assert schema.status_code == 401
    assert b"/api/v1/me/path/" not in schema.content

    docs = Client().get("/api/v1/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/v1/docs/"


def test_a_learner_is_refused_both_in_their_language():
    learner = signed_in("Learner")
    schema = learner.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    assert schema.status_code == 403
    assert schema.json()["error"]["message"] == "The API documentation is for staff only."
    chinese = learner.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.json()["error"]["message"] == "API 文档仅对可进入管理后台的人员开放。"
    docs = learner.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="en")
    assert docs.status_code == 403
    assert docs.content.decode() == "The API documentation is for staff only."
    assert learner.get("/api/v1/docs/?script").status_code == 403


def test_a_learner_with_a_token_is_refused_the_schema():
    client = APIClient()
    client.force_authenticate(EmployeeFactory(roles=["Learner"]).user)
    assert client.get("/api/v1/schema/").status_code == 403


@pytest.mark.parametrize("role", ROLES_WITH_ADMIN)
def test_staff_read_the_schema_and_the_docs(role):
    client = signed_in(role)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/path/" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200


def test_published_docs_are_open_to_everyone(settings):
    settings.ONRAMP_API_DOCS_PUBLIC = True
    schema = Client().get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/path/" in schema.content
    assert Client().get("/api/v1/docs/").status_code == 200
    assert signed_in("Learner").get("/api/v1/docs/").status_code == 200


def test_the_docs_page_runs_no_inline_script_and_its_style_carries_the_nonce():
    docs = signed_in("Admin").get("/api/v1/docs/")
    html = docs.content.decode()
    policy = docs["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<style nonce="{nonce}">' in html
    inline_scripts = re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert inline_scripts == []
    assert '<script src="/api/v1/docs/?script="></script>' in html

    script = signed_in("Admin").get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
