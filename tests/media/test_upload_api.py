"""Resumable chunked upload through /api/v1/videos/, and the video status endpoint."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media import uploads
from media.models import UploadSession, Video
from media.tasks import clean_upload_sessions
from tests.factories import EmployeeFactory
from tests.media.factories import RenditionFactory, VideoFactory
from tests.media.published import client_for

pytestmark = pytest.mark.django_db

CREATE_URL = "/api/v1/videos/uploads/"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create(client: Client, size: int, filename: str = "lesson.mp4", **extra):
    return client.post(
        CREATE_URL, {"filename": filename, "size": size, **extra}, content_type="application/json"
    )


def put_chunk(client: Client, url: str, data: bytes, start: int, total: int, **headers):
    end = start + len(data) - 1
    all_headers = {
        "Content-Range": f"bytes {start}-{end}/{total}",
        "X-Chunk-SHA256": sha(data),
        **headers,
    }
    return client.put(url, data=data, content_type="application/octet-stream", headers=all_headers)


def upload_all(client: Client, data: bytes, chunk: int, filename: str = "lesson.mp4") -> dict:
    session = create(client, len(data), filename).json()
    for start in range(0, len(data), chunk):
        response = put_chunk(client, session["url"], data[start : start + chunk], start, len(data))
        assert response.status_code == 200, response.content
        assert response.json()["offset"] == min(len(data), start + chunk)
    return session


def part_path(session_id: str) -> Path:
    return uploads.upload_dir() / f"{session_id}.part"


# --- who may upload ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 401), ("Learner", 403), ("HR", 403), ("Trainer", 201), ("Admin", 201)],
)
def test_who_may_start_an_upload(role, expected):
    response = create(client_for(role), 1000)
    assert response.status_code == expected
    assert UploadSession.objects.count() == (1 if expected == 201 else 0)


def test_a_superuser_may_upload():
    assert create(client_for("superuser"), 1000).status_code == 201


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 401), ("Learner", 403), ("HR", 200), ("Trainer", 200), ("Admin", 200)],
)
def test_who_may_read_a_videos_status(role, expected):
    video = VideoFactory()
    response = client_for(role).get(reverse("media_api:video-detail", args=[video.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("role", [None, "Learner", "HR"])
def test_who_may_not_send_chunks_or_complete(role):
    owner = client_for("Trainer")
    session = create(owner, 4).json()
    client = client_for(role)
    refused = 401 if role is None else 403
    assert put_chunk(client, session["url"], b"abcd", 0, 4).status_code == refused
    assert client.post(session["complete_url"]).status_code == refused
    assert client.delete(session["url"]).status_code == refused
    assert UploadSession.objects.get().received == 0


# --- the whole way ------------------------------------------------------------------------


def test_a_clip_uploaded_in_chunks_becomes_a_processed_video(
    clips, django_capture_on_commit_callbacks
):
    data = clips("small").read_bytes()
    client = client_for("Trainer")
    session = create(client, len(data), "入职培训.mp4", title="入职第一课").json()
    assert session["offset"] == 0 and session["chunk_size"] > 0
    for start in range(0, len(data), 10_000):
        chunk = data[start : start + 10_000]
        assert put_chunk(client, session["url"], chunk, start, len(data)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(session["complete_url"])
    assert response.status_code == 201, response.content
    body = response.json()
    video = Video.objects.get(pk=body["id"])
    assert video.title == "入职第一课" and video.original_filename == "入职培训.mp4"
    assert video.created_by == client.user
    assert video.status == Video.Status.READY  # the immediate task backend ran it
    with video.source.open("rb") as stream:
        assert stream.read() == data
    assert not part_path(session["id"]).exists()
    status = client.get(response["Location"]).json()
    assert status["status"] == "ready" and status["progress"] == 100
    assert status["master_url"] == f"/media/videos/{video.pk}/hls/master.m3u8"
    assert status["renditions"] and status["finished"] is True


def test_completing_twice_returns_the_same_video_and_queues_once(
    django_capture_on_commit_callbacks,
):
    client = client_for("Trainer")
    session = upload_all(client, b"not really a video" * 10, 64)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(session["complete_url"])
        again = client.post(session["complete_url"])
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Video.objects.count() == 1
    assert len(callbacks) == 1  # one processing job


def test_the_file_is_moved_into_storage_not_copied(settings):
    client = client_for("Trainer")
    data = b"x" * 5000
    session = upload_all(client, data, 2000)
    inode = part_path(session["id"]).stat().st_ino
    video = Video.objects.get(pk=client.post(session["complete_url"]).json()["id"])
    assert Path(video.source.path).stat().st_ino == inode


# --- resuming -------------------------------------------------------------------------------


def test_a_dropped_connection_resumes_from_the_offset_the_server_reports():
    client = client_for("Trainer")
    data = bytes(range(256)) * 40  # 10240 bytes
    session = create(client, len(data)).json()
    assert put_chunk(client, session["url"], data[:4096], 0, len(data)).status_code == 200

    # The next chunk's connection drops half way: the server saw only part of the body.
    stored = UploadSession.objects.get()
    with pytest.raises(uploads.UploadError) as refused:
        uploads.upload_chunk_write(
            session=stored,
            content_range=uploads.ChunkRange(4096, 8191, len(data)),
            sha256=sha(data[4096:8192]),
            stream=io.BytesIO(data[4096:6000]),
            content_length=None,
        )
    assert refused.value.code == "incomplete" and refused.value.offset == 4096
    assert part_path(session["id"]).stat().st_size == 4096  # the half chunk is gone

    status = client.get(session["url"])
    assert status.status_code == 200 and status["Upload-Offset"] == "4096"
    head = client.head(session["url"])
    assert head.status_code == 200 and head["Upload-Offset"] == "4096"
    offset = status.json()["offset"]
    for start in range(offset, len(data), 4096):
        chunk = data[start : start + 4096]
        assert put_chunk(client, session["url"], chunk, start, len(data)).status_code == 200
    video = Video.objects.get(pk=client.post(session["complete_url"]).json()["id"])
    with video.source.open("rb") as stream:
        assert stream.read() == data


def test_a_chunk_sent_again_after_a_lost_response_is_refused_with_the_offset():
    client = client_for("Trainer")
    session = create(client, 8).json()
    assert put_chunk(client, session["url"], b"abcd", 0, 8).status_code == 200
    again = put_chunk(client, session["url"], b"abcd", 0, 8)
    assert again.status_code == 409
    assert again.json()["error"]["offset"] == 4 and again["Upload-Offset"] == "4"


# --- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"filename": "a.mp4", "size": 0}, None),
        ({"filename": "a.mp4", "size": -5}, None),
        ({"filename": "a.mp4", "size": "lots"}, None),
        ({"filename": "a.mp4", "size": 2**70}, None),
        ({"filename": "", "size": 10}, None),
        ({"filename": "../..", "size": 10}, "filename"),
        ({"size": 10}, None),
    ],
)
def test_bad_session_requests_are_400_and_store_nothing(payload, code):
    response = client_for("Trainer").post(CREATE_URL, payload, content_type="application/json")
    assert response.status_code == 400
    if code:
        assert response.json()["error"]["code"] == code
    assert not UploadSession.objects.exists()
    assert not uploads.upload_dir().exists() or not any(uploads.upload_dir().iterdir())


def test_a_declared_size_above_the_limit_is_413_with_a_translated_reason(settings):
    settings.VIDEO_MAX_UPLOAD_BYTES = 1000
    client = client_for("Trainer")
    response = client.post(
        CREATE_URL,
        {"filename": "a.mp4", "size": 1001},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_big"
    assert not UploadSession.objects.exists()
    zh = client.post(
        CREATE_URL,
        {"filename": "a.mp4", "size": 4 * 1024**4},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert (
        zh.status_code == 413
        and zh.json()["error"]["message"] != response.json()["error"]["message"]
    )


def test_a_path_in_the_file_name_is_dropped():
    session = create(client_for("Trainer"), 10, filename="../../etc/passwd").json()
    assert session["filename"] == "passwd"
    assert part_path(session["id"]).parent == uploads.upload_dir()


@pytest.fixture
def session_and_client():
    client = client_for("Trainer")
    session = create(client, 100).json()
    assert put_chunk(client, session["url"], b"a" * 10, 0, 100).status_code == 200
    return session, client


@pytest.mark.parametrize(
    ("content_range", "body", "status", "code"),
    [
        ("bytes 20-29/100", b"b" * 10, 409, "out_of_order"),  # a gap
        ("bytes 5-14/100", b"b" * 10, 409, "out_of_order"),  # overlaps what arrived
        ("bytes 0-9/100", b"b" * 10, 409, "out_of_order"),
        ("bytes -1-8/100", b"b" * 10, 400, "content_range"),  # negative
        ("bytes 19-10/100", b"b" * 10, 400, "content_range"),  # reversed
        ("bytes 10-19/5000", b"b" * 10, 400, "size_mismatch"),
        ("bytes 10-109/110", b"b" * 100, 400, "size_mismatch"),
        ("bytes 95-104/100", b"b" * 10, 400, "past_end"),
        ("bytes 10-19/100", b"b" * 5, 400, "length_mismatch"),
        ("10-19/100", b"b" * 10, 400, "content_range"),
        ("bytes 10-19/*", b"b" * 10, 400, "content_range"),
        ("", b"b" * 10, 400, "content_range"),
    ],
)
def test_bad_chunks_are_refused_and_nothing_is_stored(
    session_and_client, content_range, body, status, code
):
    session, client = session_and_client
    response = client.put(
        session["url"],
        data=body,
        content_type="application/octet-stream",
        headers={"Content-Range": content_range, "X-Chunk-SHA256": sha(body)},
    )
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert UploadSession.objects.get().received == 10
    assert part_path(session["id"]).stat().st_size == 10


@pytest.mark.parametrize(
    "checksum", [None, "", "abc", sha(b"something else"), "z" * 64, sha(b"b" * 10) + "00"]
)
def test_a_missing_or_wrong_checksum_is_refused(session_and_client, checksum):
    session, client = session_and_client
    headers = {"Content-Range": "bytes 10-19/100"}
    if checksum is not None:
        headers["X-Chunk-SHA256"] = checksum
    response = client.put(
        session["url"], data=b"b" * 10, content_type="application/octet-stream", headers=headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("checksum_missing", "checksum_mismatch")
    assert UploadSession.objects.get().received == 10
    assert part_path(session["id"]).read_bytes() == b"a" * 10


def test_an_uppercase_checksum_is_fine(session_and_client):
    session, client = session_and_client
    response = put_chunk(
        client, session["url"], b"b" * 10, 10, 100, **{"X-Chunk-SHA256": sha(b"b" * 10).upper()}
    )
    assert response.status_code == 200


def test_a_chunk_above_the_maximum_is_413_before_it_is_read(session_and_client, monkeypatch):
    session, client = session_and_client
    monkeypatch.setattr(uploads, "MAX_CHUNK_BYTES", 16)
    response = put_chunk(client, session["url"], b"b" * 20, 10, 100)
    assert response.status_code == 413 and response.json()["error"]["code"] == "chunk_too_big"


def test_a_second_connection_writing_at_once_is_told_to_wait(session_and_client):
    session, client = session_and_client
    with part_path(session["id"]).open("r+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        response = put_chunk(client, session["url"], b"b" * 10, 10, 100)
    assert response.status_code == 409 and response.json()["error"]["code"] == "busy"
    assert put_chunk(client, session["url"], b"b" * 10, 10, 100).status_code == 200


def test_chunks_are_streamed_in_small_blocks():
    client = client_for("Trainer")
    session = create(client, 300_000).json()
    reads: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    data = b"q" * 300_000
    uploads.upload_chunk_write(
        session=UploadSession.objects.get(),
        content_range=uploads.ChunkRange(0, len(data) - 1, len(data)),
        sha256=sha(data),
        stream=Recording(data),
        content_length=len(data),
    )
    assert max(reads) <= uploads.READ_BLOCK and -1 not in reads
    assert session["id"]


def test_someone_elses_upload_is_not_found():
    owner, other = client_for("Trainer"), client_for("Trainer")
    session = create(owner, 4).json()
    assert other.get(session["url"]).status_code == 404
    assert put_chunk(other, session["url"], b"abcd", 0, 4).status_code == 404
    assert other.post(session["complete_url"]).status_code == 404
    assert other.delete(session["url"]).status_code == 404
    assert owner.get(session["url"]).json()["offset"] == 0
    assert part_path(session["id"]).exists()


def test_unknown_and_malformed_upload_ids_are_not_found():
    client = client_for("Trainer")
    assert client.get(f"{CREATE_URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(f"{CREATE_URL}not-a-uuid/").status_code == 404
    assert client.get(f"{CREATE_URL}..%2F..%2F/").status_code == 404


def test_unsafe_requests_need_the_csrf_token():
    employee = EmployeeFactory(roles=["Trainer"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee.user)
    refused = client.post(
        CREATE_URL, {"filename": "a.mp4", "size": 4}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not UploadSession.objects.exists()

    client.get(reverse("wagtailadmin_home"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    session = client.post(
        CREATE_URL,
        {"filename": "a.mp4", "size": 4},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    ).json()
    assert put_chunk(client, session["url"], b"abcd", 0, 4).status_code == 403
    # As the uploader sends it (a form body would be refused as 415 before the CSRF check).
    assert client.post(session["complete_url"], content_type="application/json").status_code == 403
    assert client.delete(session["url"]).status_code == 403
    ok = put_chunk(client, session["url"], b"abcd", 0, 4, **{"X-CSRFToken": token})
    assert ok.status_code == 200


def test_completing_before_every_byte_arrived_is_409(session_and_client):
    session, client = session_and_client
    response = client.post(session["complete_url"])
    assert response.status_code == 409 and response.json()["error"]["offset"] == 10
    assert not Video.objects.exists()


def test_chunks_after_completion_are_refused():
    client = client_for("Trainer")
    session = upload_all(client, b"abcd", 4)
    assert client.post(session["complete_url"]).status_code == 201
    response = put_chunk(client, session["url"], b"abcd", 0, 4)
    assert response.status_code == 409 and response.json()["error"]["code"] == "complete"


def test_too_many_unfinished_uploads_is_429():
    client = client_for("Trainer")
    for _n in range(uploads.MAX_OPEN_PER_USER):
        assert create(client, 10).status_code == 201
    response = create(client, 10)
    assert response.status_code == 429 and response.json()["error"]["code"] == "too_many_uploads"


def test_not_enough_disk_space_is_507(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10, 10, 10))
    response = create(client_for("Trainer"), 1000)
    assert response.status_code == 507 and response.json()["error"]["code"] == "no_space"
    assert not UploadSession.objects.exists()


# --- cancel and clean up -----------------------------------------------------------------------


def test_cancel_removes_the_bytes_at_once(session_and_client):
    session, client = session_and_client
    response = client.delete(session["url"])
    assert response.status_code == 204
    assert not part_path(session["id"]).exists()
    assert not UploadSession.objects.exists()
    assert client.get(session["url"]).status_code == 404


def _age(session_id: str, hours: float) -> None:
    UploadSession.objects.filter(pk=session_id).update(
        updated_at=timezone.now() - timedelta(hours=hours)
    )


def test_idle_uploads_are_removed_when_the_next_upload_starts(settings):
    settings.VIDEO_UPLOAD_SESSION_HOURS = 24
    client = client_for("Trainer")
    stale, fresh = create(client, 100).json(), create(client, 100).json()
    _age(stale["id"], 25)
    _age(fresh["id"], 23)
    assert client.get(stale["url"]).status_code == 404  # expired, even before cleaning
    create(client, 100)
    assert not UploadSession.objects.filter(pk=stale["id"]).exists()
    assert not part_path(stale["id"]).exists()
    assert part_path(fresh["id"]).exists()


def test_the_cleaning_task_removes_idle_uploads_and_orphan_files():
    client = client_for("Trainer")
    stale = create(client, 100).json()
    _age(stale["id"], 48)
    orphan_old = uploads.upload_dir() / "leftover.part"
    orphan_new = uploads.upload_dir() / "just-created.part"
    orphan_old.write_bytes(b"x")
    orphan_new.write_bytes(b"x")
    old = (timezone.now() - timedelta(hours=1)).timestamp()
    import os

    os.utime(orphan_old, (old, old))
    result = clean_upload_sessions.enqueue()
    assert result.return_value == 1
    assert not part_path(stale["id"]).exists() and not orphan_old.exists()
    assert orphan_new.exists()  # might belong to a session being created right now


def test_a_completed_session_is_forgotten_later_but_its_video_stays():
    client = client_for("Trainer")
    session = upload_all(client, b"abcd", 4)
    video_id = client.post(session["complete_url"]).json()["id"]
    _age(session["id"], 48)
    assert uploads.upload_sessions_clean() == 1
    assert Video.objects.filter(pk=video_id).exists()


# --- status -------------------------------------------------------------------------------------


def test_the_status_of_a_video_being_transcoded():
    video = VideoFactory(
        status=Video.Status.TRANSCODING,
        progress=42.34,
        progress_eta=timezone.now() + timedelta(seconds=150),
        progress_updated_at=timezone.now(),
    )
    body = client_for("Trainer").get(reverse("media_api:video-detail", args=[video.pk])).json()
    assert body["status"] == "transcoding" and body["progress"] == 42.3
    assert 140 <= body["eta_seconds"] <= 150
    assert body["finished"] is False and body["master_url"] is None


def test_the_status_of_a_failed_video_says_why_in_the_readers_language():
    video = VideoFactory(status=Video.Status.FAILED, failure_code="no_video_stream")
    client = client_for("HR")
    url = reverse("media_api:video-detail", args=[video.pk])
    en = client.get(url, headers={"Accept-Language": "en"}).json()
    assert en["finished"] is True and en["failure_reason"]
    assert json.dumps(en)  # serialisable as is


def test_the_status_of_a_ready_video_lists_its_renditions(django_assert_max_num_queries):
    video = VideoFactory(status=Video.Status.READY, duration=3.0)
    RenditionFactory(video=video, name="360p")
    RenditionFactory(video=video, name="240p", width=426, height=240)
    client = client_for("Admin")
    with django_assert_max_num_queries(8):
        body = client.get(reverse("media_api:video-detail", args=[video.pk])).json()
    assert [r["name"] for r in body["renditions"]] == ["360p", "240p"]


def test_an_unknown_video_is_404():
    assert client_for("Trainer").get("/api/v1/videos/999999/").status_code == 404


def test_a_chunk_arriving_while_the_upload_is_cancelled_is_not_found():
    client = client_for("Trainer")
    session = create(client, 10).json()

    class CancelledMidway(io.BytesIO):
        def read(self, size=-1):
            UploadSession.objects.filter(pk=session["id"]).delete()
            return super().read(size)

    with pytest.raises(uploads.UploadError) as refused:
        uploads.upload_chunk_write(
            session=UploadSession.objects.get(),
            content_range=uploads.ChunkRange(0, 9, 10),
            sha256=sha(b"0123456789"),
            stream=CancelledMidway(b"0123456789"),
            content_length=10,
        )
    assert refused.value.status == 404
