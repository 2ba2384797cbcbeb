"""Captions uploaded per language become subtitle renditions of the master playlist."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from media.hls import parse_master_playlist, parse_media_playlist
from media.models import Caption
from media.pipeline.captions import caption_add, caption_delete
from media.pipeline.transcode import video_transcode
from media.services import video_create
from tests.media.factories import VideoFactory
from tests.media.hls_checks import check_ladder, storage_path

pytestmark = pytest.mark.django_db

SRT = "1\n00:00:00,500 --> 00:00:01,500\n欢迎加入公司\n\n2\n00:00:02,000 --> 00:00:03,000\n请先完成必修课\n"


def read(name: str) -> str:
    with default_storage.open(name, "rb") as stream:
        return stream.read().decode("utf-8")


def test_srt_in_utf8_and_gbk_become_subtitles_in_the_master(ingest):
    video = ingest("landscape")
    zh = caption_add(
        video=video, language="zh-Hans", file=io.BytesIO(SRT.encode("gbk")), is_default=True
    )
    en = caption_add(
        video=video,
        language="en",
        file=io.BytesIO(SRT.replace("欢迎加入公司", "Welcome").encode("utf-8")),
    )
    assert zh.label == "简体中文" and en.label == "English"
    assert read(zh.file.name).startswith("WEBVTT\n\n00:00:00.500 --> 00:00:01.500\n欢迎加入公司")

    video.refresh_from_db()
    check_ladder(video)
    master_path = storage_path(video.master_playlist.name)
    master = parse_master_playlist(master_path.read_text())
    assert [(m["TYPE"], m["GROUP-ID"], m["LANGUAGE"], m["DEFAULT"]) for m in master.media] == [
        ("SUBTITLES", "subs", "zh-Hans", "YES"),
        ("SUBTITLES", "subs", "en", "NO"),
    ]
    assert all(v["SUBTITLES"] == "subs" for v in master.variants)
    for media in master.media:
        playlist = parse_media_playlist((master_path.parent / media["URI"]).read_text())
        (segment,) = playlist.segments
        assert abs(segment.duration - video.duration) < 0.01
        vtt = (master_path.parent / media["URI"]).parent.joinpath(segment.uri).read_text()
        assert (
            vtt.splitlines()[1]
            == f"X-TIMESTAMP-MAP=MPEGTS:{video.hls_ts_offset},LOCAL:00:00:00.000"
        )
    assert video.hls_ts_offset > 0  # ffmpeg's MPEG-TS output does not start at zero


def test_captions_added_before_the_transcode_are_published_with_it(clips):
    path = clips("small")
    with path.open("rb") as stream:
        video = video_create(title="t", file=stream, filename=path.name)
    caption_add(video=video, language="en", file=io.BytesIO(SRT.encode()))
    video = video_transcode(video=video)
    master = parse_master_playlist(storage_path(video.master_playlist.name).read_text())
    assert [m["LANGUAGE"] for m in master.media] == ["en"]


def test_replacing_and_deleting_a_language(ingest, django_capture_on_commit_callbacks):
    video = ingest("small")
    first = caption_add(video=video, language="en", file=io.BytesIO(SRT.encode()))
    with django_capture_on_commit_callbacks(execute=True):
        second = caption_add(
            video=video,
            language="en",
            file=io.BytesIO(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"),
            label="English (edited)",
        )
    assert Caption.objects.filter(video=video).count() == 1
    assert not default_storage.exists(first.file.name)
    master_path = storage_path(video.master_playlist.name)
    assert 'NAME="English (edited)"' in master_path.read_text()

    with django_capture_on_commit_callbacks(execute=True):
        caption_delete(caption=second)
    assert "SUBTITLES" not in master_path.read_text()
    assert not default_storage.exists(second.file.name)
    assert not list((master_path.parent / "subs").glob("*"))


@pytest.mark.parametrize(
    ("data", "language", "code"),
    [
        (b"not captions at all", "en", "format"),
        (b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n", "en", "timing"),
        (SRT.encode(), "english please", "language"),
    ],
)
def test_invalid_caption_is_refused_and_leaves_no_file(data, language, code):
    video = VideoFactory()
    with pytest.raises(ValidationError) as error:
        caption_add(video=video, language=language, file=io.BytesIO(data))
    assert error.value.code == code
    assert Caption.objects.count() == 0
    assert (
        not default_storage.exists(f"videos/{video.pk}/captions")
        or not default_storage.listdir(f"videos/{video.pk}/captions")[1]
    )
