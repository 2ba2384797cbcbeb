"""What tests/api/test_schema_fuzz.py found, each pinned down on its own.

Every test here failed before its fix: a 500, an answer the schema does not document, or
a schema that promises what the API refuses.
"""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.sessions.factories import InPersonSessionFactory, learner

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock(), override_settings(ONRAMP_API_DOCS_PUBLIC=True):
        return APIClient().get("/api/v1/schema/?format=json").json()


def test_sessions_by_start_for_an_account_without_an_employee_record():
    # An HRIS script's account has no employee record: no sessions, not a FieldError.
    client = _client(UserFactory())
    for query in ("starts_after=2026-01-01T00:00:00Z", "starts_before=2026-01-01T00:00:00Z"):
        response = client.get(f"{SESSIONS}?{query}")
        assert response.status_code == 200, query
        assert response.json()["count"] == 0


def test_a_page_past_the_last_is_a_documented_404(schema):
    InPersonSessionFactory()
    client = _client(learner())
    for page in ("30126", "0", "-2"):
        response = client.get(f"{SESSIONS}?page={page}&course=22")
        assert response.status_code == 404, page
        assert response.json()["error"]["code"] == "not_found"
    assert "404" in schema["paths"][SESSIONS]["get"]["responses"]


@pytest.mark.parametrize(
    "query",
    [
        "starts_after=0516-01-28T07:37:12.5351Z",
        "starts_after=0001-01-01T00:00:00%2B08:00",
        "starts_before=9052-10-28T05:26:28.27134Z",
        "starts_before=9999-12-31T23:59:59-08:00",
    ],
)
def test_a_start_bound_beyond_the_range_of_times_counts_as_its_end(query):
    InPersonSessionFactory()
    response = _client(learner()).get(f"{SESSIONS}?{query}")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1


def test_a_start_bound_beyond_the_range_still_filters():
    InPersonSessionFactory()
    client = _client(learner())
    assert client.get(f"{SESSIONS}?starts_after=9052-10-28T05:26:28Z").json()["count"] == 0
    assert client.get(f"{SESSIONS}?starts_before=0516-01-28T07:37:12Z").json()["count"] == 0


def test_mine_is_documented_as_the_boolean_it_is(schema):
    parameters = schema["paths"][SESSIONS]["get"]["parameters"]
    mine = next(p for p in parameters if p["name"] == "mine")
    assert mine["schema"]["type"] == "boolean"


def test_request_bodies_are_json_only(schema):
    # Form and multipart bodies cannot carry the nested objects and lists the API takes.
    client = _client(learner())
    response = client.post("/api/v1/progress/events/", {"events": "item"}, format="multipart")
    assert response.status_code == 415
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    offered = {
        (method, path): set(operation["requestBody"]["content"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation and path != "/api/v1/auth/token/"
    }
    assert offered[("post", "/api/v1/progress/events/")] == {"application/json"}
    # The upload chunks are bytes; everything else is JSON.
    chunk = ("put", "/api/v1/videos/uploads/{upload_id}/")
    assert offered.pop(chunk) == {"application/octet-stream"}
    assert all(media == {"application/json"} for media in offered.values()), offered


def test_the_schema_asks_no_blank_text_and_no_read_only_field_of_a_request(schema):
    body = schema["paths"]["/api/v1/quizzes/{quiz_ref}/attempts/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][ref]["properties"]["paper"]["minLength"] == 1
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["requestBody"]
    ref = token["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    component = schema["components"]["schemas"][ref]
    assert "token" not in component.get("required", [])
    assert component["properties"]["username"]["minLength"] == 1


def test_someone_who_may_read_no_brief_gets_403_whatever_the_id():
    session = InPersonSessionFactory()
    client = _client(learner())
    for pk in (session.pk, session.pk + 1000, 2**63 - 2):
        response = client.get(f"/api/v1/sessions/{pk}/brief/")
        assert response.status_code == 403, pk
        assert response.json()["error"]["code"] == "permission_denied"


def test_every_operation_with_a_body_documents_the_415_of_another_media_type(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert "415" in operation["responses"], (method, path)


@pytest.mark.parametrize("query", ["mine=8.119360726989661e%2B307", "mine=maybe", "starts_before="])
def test_a_session_filter_that_is_not_its_type_is_a_400(query):
    response = _client(learner()).get(f"{SESSIONS}?{query}")
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {query.split("=")[0]}


def test_completions_refuse_an_empty_since_and_document_a_bad_cursor(schema):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = _client(user)
    assert client.get("/api/v1/hr/completions/?since=").status_code == 400
    assert client.get("/api/v1/hr/completions/?cursor=%5B%F0%BC").status_code == 404
    assert "404" in schema["paths"]["/api/v1/hr/completions/"]["get"]["responses"]


def _hr_reader():
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return _client(user)


@pytest.mark.parametrize(
    "query",
    [
        "page_size=null",
        "page_size=0",
        "page_size=1001",
        "page_size=2.5",
        "page_size=²",
        "page_size=5&page_size=6",
    ],
)
def test_a_completions_page_size_out_of_its_range_is_a_400(query, schema):
    response = _hr_reader().get(f"/api/v1/hr/completions/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {
        "page_size": ["Give one whole number from 1 to 1000."]
    }
    parameters = schema["paths"]["/api/v1/hr/completions/"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}


def test_a_completions_page_size_in_range_is_the_page_size():
    assert _hr_reader().get("/api/v1/hr/completions/?page_size=1000").status_code == 200


@pytest.mark.parametrize("title", [0, True, ["a"], "\u0093\u0092"])
def test_an_upload_title_must_be_text_without_control_characters(title):
    from tests.factories import EmployeeFactory

    client = _client(EmployeeFactory(roles=["Trainer"]).user)
    response = client.post(
        "/api/v1/videos/uploads/", {"filename": "a.mp4", "size": 10, "title": title}, format="json"
    )
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {"title"}


def test_text_fields_show_their_rule_and_the_upload_its_limits(schema, settings):
    body = schema["components"]["schemas"]["VideoUploadCreateInputRequest"]["properties"]
    # In the ECMA-262 spelling JSON Schema uses.
    no_controls = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
    assert body["filename"]["pattern"] == no_controls
    assert body["title"]["oneOf"][0]["pattern"] == no_controls
    assert body["size"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": settings.VIDEO_MAX_UPLOAD_BYTES,
    }
    chunk = schema["paths"]["/api/v1/videos/uploads/{upload_id}/"]["put"]["parameters"]
    patterns = {p["name"]: p["schema"].get("pattern") for p in chunk if p["in"] == "header"}
    assert patterns == {
        "Content-Range": r"^bytes [0-9]{1,19}-[0-9]{1,19}/[0-9]{1,19}$",
        "X-Chunk-SHA256": "^[0-9a-fA-F]{64}$",
    }
