"""Pages and API answers go out gzip-compressed to clients that accept it; files never."""

import gzip
import json

import pytest
from rest_framework.test import APIClient

from lms.paths.services import enrolment_assign_manually
from tests.factories import EmployeeFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    employee = EmployeeFactory(roles=["Learner"])
    path = LearningPathFactory(name="新员工入职")
    stage = PathStageFactory(path=path, name="入职第一天")
    for n in range(10):
        PathItemFactory(stage=stage, kind="checklist", title=f"任务{n}", sort_order=n)
    enrolment_assign_manually(employee=employee, path=path)
    return employee


def test_the_path_map_json_is_compressed_and_still_revalidates(learner):
    client = APIClient()
    client.force_authenticate(learner.user)
    response = client.get("/api/v1/me/path/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = json.loads(gzip.decompress(response.content))
    assert body[0]["total"] == 10
    # Compression weakens the ETag; sending it back still gives a 304.
    etag = response["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/api/v1/me/path/", HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 304


def test_the_learner_home_page_is_compressed(client, learner):
    client.force_login(learner.user)
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "任务0" in gzip.decompress(response.content).decode()


def test_without_accept_encoding_nothing_is_compressed(client, learner):
    client.force_login(learner.user)
    response = client.get("/")
    assert not response.has_header("Content-Encoding")
    assert "任务0" in response.content.decode()


def test_streamed_files_are_never_compressed(client, learner, settings, tmp_path):
    from django.http import FileResponse
    from django.test import RequestFactory

    from lms.ops.middleware import TextCompressionMiddleware

    segment = tmp_path / "seg.ts"
    segment.write_bytes(b"\x47" * 10_000)
    request = RequestFactory().get("/media/x/seg.ts", HTTP_ACCEPT_ENCODING="gzip")
    middleware = TextCompressionMiddleware(
        lambda r: FileResponse(segment.open("rb"), content_type="video/mp2t")
    )
    response = middleware(request)
    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content) == b"\x47" * 10_000
