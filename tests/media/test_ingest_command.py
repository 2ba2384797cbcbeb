"""python manage.py ingest_video: one JSON object last on stdout, exit code for rejects."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import resolve, reverse

from media.models import Video

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[dict, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    error = None
    try:
        call_command("ingest_video", *args, "--language", "en", stdout=out, stderr=err)
    except CommandError as exc:
        error = exc
    last = out.getvalue().strip().splitlines()[-1]
    return json.loads(last), err.getvalue(), error


def test_ingest_prints_the_result(clips):
    result, stderr, error = run(str(clips("landscape")), "--title", "入职第一课")
    assert error is None
    video = Video.objects.get()
    assert video.title == "入职第一课"
    assert result == {
        "id": video.pk,
        "status": "ready",
        "duration": pytest.approx(5.0, abs=0.1),
        "width": 854,
        "height": 480,
        "renditions": [
            {"height": 480, "bandwidth": video.renditions.get(name="480p").bandwidth},
            {"height": 360, "bandwidth": video.renditions.get(name="360p").bandwidth},
        ],
        "master": reverse("media:hls", kwargs={"video_id": video.pk, "path": "master.m3u8"}),
    }
    assert result["master"] == f"/media/videos/{video.pk}/hls/master.m3u8"
    assert "100%" in stderr


def test_rejected_file_fails_with_a_reason_and_exit_code(clips):
    result, _, error = run(str(clips("audio_as_mp4")))
    assert error is not None and error.returncode == 1
    assert result["status"] == "failed"
    assert result["reason"].startswith("This file has sound but no picture")
    assert result["id"] == Video.objects.get().pk


def test_unexpected_error_still_ends_with_json(clips, monkeypatch, settings):
    from media.pipeline import transcode

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(transcode, "_transcode", explode)
    result, _, error = run(str(clips("small")))
    assert error is not None and error.returncode == 1
    video = Video.objects.get()
    assert result["status"] == "failed" and result["id"] == video.pk
    assert result["reason"].startswith("Something went wrong while processing this video.")
    assert video.failure_code == "internal_error"
    assert "RuntimeError: disk on fire" in video.ffmpeg_log
    assert not (settings.DATA_DIR / "tmp" / "videos" / str(video.pk)).exists()


def test_missing_file(tmp_path):
    result, _, error = run(str(tmp_path / "nope.mp4"))
    assert error is not None
    assert result == {
        "id": None,
        "status": "failed",
        "reason": f"File not found: {tmp_path / 'nope.mp4'}",
    }


def test_the_printed_master_url_is_the_protected_delivery(client):
    # Served only to signed-in people allowed to see the video (tests/media/test_delivery.py).
    assert resolve("/media/videos/1/hls/master.m3u8").view_name == "media:hls"
    assert client.get("/media/videos/1/hls/master.m3u8").status_code == 403
