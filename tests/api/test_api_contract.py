"""What every /api/v1/ answer keeps to: JSON errors in one shape, 401 with WWW-Authenticate,
ids range-checked, and a schema that lists each error an operation answers."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.api.factories import api_client_for
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "fields"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/courses/abc/",
        "/api/v1/courses/99999999999999999999/",
        "/api/v1/courses/0/",
        "/api/v1/lessons/9223372036854775808/",
        "/api/v1/videos/99999999999999999999/",
        "/api/v1/sessions/-1/signup/",
        "/api/v1/no-such-thing/",
    ],
)
def test_malformed_paths_under_the_api_are_json_404s(path):
    client = api_client_for("Learner")
    for method in ("get", "post", "put", "delete"):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"


def test_the_largest_id_is_still_an_id():
    response = api_client_for("Learner").get("/api/v1/courses/9223372036854775807/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_csrf_refusal_under_the_api_is_json(rf):
    from lms.api.v1.errors import csrf_failure

    response = csrf_failure(rf.post("/api/v1/anything/"), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "csrf_failed"
    elsewhere = csrf_failure(rf.post("/accounts/login/"), reason="CSRF cookie not set.")
    assert elsewhere.status_code == 403 and elsewhere["Content-Type"].startswith("text/html")


def test_a_browser_post_without_csrf_token_is_a_json_403():
    client = Client(enforce_csrf_checks=True)
    client.force_login(EmployeeFactory(roles=["Learner"]).user)
    response = client.post(
        "/api/v1/progress/events/", {"events": []}, content_type="application/json"
    )
    assert response.status_code == 403
    assert set(response.json()["error"]) == ERROR_KEYS
    assert Client(enforce_csrf_checks=True).post("/api/v1/courses/abc/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/me/", "/api/v1/sessions/", "/api/v1/hr/completions/", "/api/v1/videos/1/"]
)
def test_anonymous_is_a_401_with_www_authenticate(path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()["error"]) == ERROR_KEYS


def test_marking_notices_read_answers_the_documented_body_and_bounds_ids():
    client = api_client_for("Learner")
    response = client.post("/api/v1/me/notices/read/", {"ids": [2**63]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"ids"}
    response = client.post("/api/v1/me/notices/read/", {"ids": [1]}, format="json")
    assert response.status_code == 200 and response.json() == {"marked": 0}


def test_the_schema_documents_every_error_with_the_error_body(client, settings):
    settings.ONRAMP_API_DOCS_PUBLIC = True
    schema = client.get("/api/v1/schema/?format=json").json()
    error = schema["components"]["schemas"]["ErrorOutput"]
    assert set(error["properties"]) == {"error"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation or any(
                p["in"] == "query" for p in operation.get("parameters", [])
            ):
                assert "400" in responses, (method, path)
            for status, response in responses.items():
                if status.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.rsplit("/", 1)[1] in {
                        "ErrorOutput",
                        "RowsErrorOutput",
                        "UploadErrorOutput",
                    }, (method, path, status)
    read = schema["paths"]["/api/v1/me/notices/read/"]["post"]["responses"]["200"]
    assert "content" in read
    course_id = schema["paths"]["/api/v1/courses/{course_id}/"]["get"]["parameters"][0]
    assert course_id["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
