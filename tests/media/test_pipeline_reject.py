"""Files that cannot become a lesson video fail with a plain reason, before any transcode."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation

from media import services
from media.models import Video
from media.pipeline import runner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_transcode(monkeypatch):
    """A rejected file must never reach the transcode."""

    def forbidden(*args, **kwargs):
        raise AssertionError("transcode started for a rejected file")

    monkeypatch.setattr(runner, "run_transcode_process", forbidden)


@pytest.mark.parametrize(
    ("clip", "code", "english"),
    [
        ("text_as_mp4", "not_media", "This file is not a video Onramp can read."),
        ("still_image", "still_image", "This file is a still picture, not a video."),
        ("audio_as_mp4", "audio_only", "This file has sound but no picture."),
        ("truncated", "truncated", "This video file is incomplete or damaged"),
        ("truncated_no_index", "truncated", "This video file is incomplete or damaged"),
        ("one_frame", "zero_duration", "This video has no playable length."),
        (
            "undecodable",
            "undecodable",
            "This video uses a format (QQQQ) that Onramp cannot decode.",
        ),
    ],
)
def test_rejected(ingest, clip, code, english):
    video = ingest(clip)
    assert video.status == Video.Status.FAILED
    assert video.failure_code == code
    with translation.override("en"):
        assert video.failure_reason.startswith(english)
    assert video.renditions.count() == 0
    assert not video.master_playlist
    assert not default_storage.exists(f"videos/{video.pk}/hls")


def test_longer_than_the_limit(ingest, settings):
    settings.VIDEO_MAX_DURATION = 1
    video = ingest("small")
    assert video.failure_code == "too_long"
    with translation.override("en"):
        assert video.failure_reason == "This video is 0:00:02 long; the limit is 0:00:01."


def test_larger_than_the_limit(ingest, settings):
    settings.VIDEO_MAX_SIDE = 640
    video = ingest("landscape")
    assert video.failure_code == "too_large"
    assert video.failure_params == {"width": 854, "height": 480, "limit": 640}
    with translation.override("en"):
        assert (
            video.failure_reason
            == "This video is 854×480 pixels; the limit is 640 pixels on a side."
        )
    # Probe facts are kept for the admin even when rejected.
    assert video.width == 854 and video.probe["video"]["codec"] == "h264"


def test_reason_follows_the_readers_language(ingest):
    video = ingest("audio_as_mp4")
    with translation.override("en"):
        english = video.failure_reason
    assert english.startswith("This file has sound")
    with translation.override("zh-hans"):
        assert video.failure_reason  # Chinese once the catalogue is merged


def test_upload_over_the_size_limit_is_refused(settings):
    settings.VIDEO_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.video_create(title="big", file=ContentFile(b"x" * 11, name="big.mp4"))
    assert error.value.code == "file_too_big"
    assert Video.objects.count() == 0
