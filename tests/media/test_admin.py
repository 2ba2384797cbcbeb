"""The Video screens of the Wagtail admin, per role: list, upload page, edit page with the
live progress, retry, captions, delete, and the chooser lessons use."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.views.bulk_action.registry import bulk_action_registry

from media.blocks import VideoChooserBlock
from media.models import Caption, Video
from media.viewsets import VideoDeleteBulkAction
from tests.media.factories import CaptionFactory, RenditionFactory, VideoFactory
from tests.media.published import client_for, publish_fake_video

pytestmark = pytest.mark.django_db

NS = "wagtailsnippets_onramp_media_video"
SRT = "1\n00:00:00,500 --> 00:00:01,500\n欢迎加入公司\n"


def url(name: str, *args) -> str:
    return reverse(f"{NS}:{name}", args=args)


def denied(response) -> bool:
    """Wagtail sends people without admin access to the login page, and people without
    the permission back to the dashboard with a message."""
    return response.status_code in (302, 403)


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Trainer", "HR", "Admin"])
def test_staff_see_the_video_list(role):
    VideoFactory(title="第一课 公司介绍")
    response = client_for(role).get(url("list"))
    assert response.status_code == 200
    assert "第一课 公司介绍" in response.content.decode()


@pytest.mark.parametrize("role", [None, "Learner"])
def test_learners_and_anonymous_have_no_admin(role):
    video = VideoFactory()
    client = client_for(role)
    for path in (
        url("list"),
        url("add"),
        url("edit", video.pk),
        reverse("video_admin:status", args=[video.pk]),
        reverse("video_chooser:choose"),
    ):
        assert denied(client.get(path)), path


@pytest.mark.parametrize(("role", "allowed"), [("Trainer", True), ("Admin", True), ("HR", False)])
def test_only_uploaders_get_the_upload_page(role, allowed):
    response = client_for(role).get(url("add"))
    if allowed:
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-create-url="/api/v1/videos/uploads/"' in page
        assert "video-upload-messages" in page and "video-admin" in page
    else:
        assert denied(response)


def test_hr_may_look_but_not_change():
    video = VideoFactory(status=Video.Status.FAILED, failure_code="not_media")
    client = client_for("HR")
    assert client.get(url("edit", video.pk)).status_code in (200, 302, 403)
    assert denied(client.post(reverse("video_admin:retry", args=[video.pk])))
    assert denied(client.post(url("delete", video.pk)))
    assert Video.objects.filter(pk=video.pk, attempt=1).exists()


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_status_duration_and_renditions(django_assert_max_num_queries):
    ready = VideoFactory(title="已就绪", status=Video.Status.READY, duration=3725)
    RenditionFactory(video=ready, name="720p", width=1280, height=720)
    RenditionFactory(video=ready, name="360p")
    VideoFactory(title="转码中", status=Video.Status.TRANSCODING, progress=42.4)
    VideoFactory(title="失败了", status=Video.Status.FAILED)
    for n in range(10):
        VideoFactory(title=f"其他{n}")
    client = client_for("Trainer")
    with django_assert_max_num_queries(40):
        page = client.get(url("list")).content.decode()
    assert "1:02:05" in page and "720p · 360p" in page
    assert "onramp-video-status--transcoding" in page and "42%" in page
    assert "onramp-video-status--failed" in page and "onramp-video-status--ready" in page


def test_the_list_searches_and_filters_by_status():
    VideoFactory(title="反洗钱培训", status=Video.Status.READY)
    VideoFactory(title="催收合规", status=Video.Status.FAILED)
    client = client_for("Trainer")
    searched = client.get(url("list"), {"q": "洗钱"}).content.decode()
    assert "反洗钱培训" in searched and "催收合规" not in searched
    failed = client.get(url("list"), {"status": "failed"}).content.decode()
    assert "催收合规" in failed and "反洗钱培训" not in failed


# --- the edit page and its progress ------------------------------------------------------------


def test_a_video_being_transcoded_shows_a_live_progress_bar():
    video = VideoFactory(
        status=Video.Status.TRANSCODING,
        progress=37.5,
        progress_eta=timezone.now() + timedelta(minutes=3),
        progress_updated_at=timezone.now(),
    )
    client = client_for("Trainer")
    page = client.get(url("edit", video.pk), headers={"Accept-Language": "en"}).content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="38"' in page
    assert f'data-status-url="/admin/video-admin/{video.pk}/status/"' in page
    assert "width: 37.5%" in page
    assert "About 3 minutes left" in page

    status = client.get(reverse("video_admin:status", args=[video.pk])).json()
    assert status["status"] == "transcoding" and status["percent"] == 37.5
    assert status["finished"] is False and status["stale"] is False
    assert 170 <= status["eta_seconds"] <= 180


def test_the_status_says_when_the_worker_seems_gone():
    video = VideoFactory(
        status=Video.Status.TRANSCODING,
        progress=10,
        progress_updated_at=timezone.now() - timedelta(minutes=30),
    )
    status = client_for("HR").get(reverse("video_admin:status", args=[video.pk])).json()
    assert status["stale"] is True


def test_a_failed_video_shows_the_reason_the_log_tail_and_retry(django_capture_on_commit_callbacks):
    log = "\n".join(f"line {n}" for n in range(100)) + "\nInvalid data found when processing input"
    video = VideoFactory(status=Video.Status.FAILED, failure_code="not_media", ffmpeg_log=log)
    client = client_for("Trainer")
    page = client.get(url("edit", video.pk), headers={"Accept-Language": "en"}).content.decode()
    assert video.failure_reason in page
    assert "Invalid data found when processing input" in page
    assert "line 99" in page and "line 5\n" not in page  # only the tail
    assert reverse("video_admin:retry", args=[video.pk]) in page

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("video_admin:retry", args=[video.pk]))
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.attempt == 2 and video.status == Video.Status.UPLOADED
    assert len(callbacks) == 1


def test_a_ready_video_shows_its_renditions_and_poster():
    video = publish_fake_video()
    page = client_for("Trainer").get(url("edit", video.pk)).content.decode()
    assert f"/media/videos/{video.pk}/poster.jpg" in page
    assert f"/media/videos/{video.pk}/hls/master.m3u8" in page
    assert "360p (640×360" in page


def test_the_title_is_edited_in_the_form():
    video = VideoFactory(title="旧标题")
    client = client_for("Trainer")
    response = client.post(url("edit", video.pk), {"title": "新标题"})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.title == "新标题"


# --- delete -------------------------------------------------------------------------------------


def test_delete_in_the_admin_removes_the_files_too(django_capture_on_commit_callbacks):
    video = publish_fake_video()
    folder = Path(default_storage.path(f"videos/{video.pk}"))
    assert folder.exists()
    client = client_for("Trainer")
    assert client.get(url("delete", video.pk)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("delete", video.pk))
    assert response.status_code == 302
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not folder.exists()


def test_bulk_delete_of_videos_goes_through_the_service(django_capture_on_commit_callbacks):
    assert bulk_action_registry.get_bulk_action_class("onramp_media", "video", "delete") is (
        VideoDeleteBulkAction
    )
    videos = [publish_fake_video(), publish_fake_video()]
    folders = [Path(default_storage.path(f"videos/{v.pk}")) for v in videos]
    client = client_for("Admin")
    bulk_url = (
        reverse("wagtail_bulk_action", args=["onramp_media", "video", "delete"])
        + "?"
        + "&".join(f"id={v.pk}" for v in videos)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk_url)
    assert response.status_code == 302
    assert not Video.objects.exists()
    assert not any(folder.exists() for folder in folders)


# --- captions ----------------------------------------------------------------------------------


def test_captions_are_added_from_an_srt_in_gbk():
    video = publish_fake_video()
    Caption.objects.all().delete()
    client = client_for("Trainer")
    add_url = reverse("video_admin:caption_add", args=[video.pk])
    assert client.get(add_url).status_code == 200
    response = client.post(
        add_url,
        {
            "file": SimpleUploadedFile("zh.srt", SRT.encode("gbk")),
            "language": "zh-Hans",
            "label": "",
            "is_default": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    caption = Caption.objects.get(video=video)
    assert caption.language == "zh-Hans" and caption.is_default and caption.label == "简体中文"
    page = client.get(url("edit", video.pk)).content.decode()
    assert "简体中文" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"file": b"\x00\x01binary garbage\xff", "language": "en"}, "file"),
        ({"file": b"not captions at all", "language": "en"}, "file"),
        ({"file": SRT.encode(), "language": "../../etc"}, "language"),
        ({"file": None, "language": "en"}, "file"),
    ],
)
def test_bad_captions_are_explained_in_the_form_and_nothing_is_stored(data, field):
    video = VideoFactory()
    client = client_for("Trainer")
    post = {"language": data["language"], "label": ""}
    if data["file"] is not None:
        post["file"] = SimpleUploadedFile("c.srt", data["file"])
    response = client.post(
        reverse("video_admin:caption_add", args=[video.pk]),
        post,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    assert "error-message" in response.content.decode() or "w-field__errors" in (
        response.content.decode()
    )
    assert not Caption.objects.exists()


def test_captions_are_removed():
    video = publish_fake_video()
    caption = Caption.objects.get(video=video)
    client = client_for("Trainer")
    response = client.post(reverse("video_admin:caption_delete", args=[video.pk, caption.pk]))
    assert response.status_code == 302
    assert not Caption.objects.exists()


def test_hr_cannot_touch_captions():
    video = publish_fake_video()
    caption = Caption.objects.get(video=video)
    client = client_for("HR")
    assert denied(client.get(reverse("video_admin:caption_add", args=[video.pk])))
    assert denied(client.post(reverse("video_admin:caption_delete", args=[video.pk, caption.pk])))
    assert Caption.objects.filter(pk=caption.pk).exists()


# --- the chooser and the block --------------------------------------------------------------------


def test_the_chooser_offers_playable_videos_and_searches():
    VideoFactory(title="入职须知", status=Video.Status.READY, duration=60)
    VideoFactory(title="产品介绍", status=Video.Status.TRANSCODING)
    VideoFactory(title="坏文件", status=Video.Status.FAILED)
    client = client_for("Trainer")
    response = client.get(reverse("video_chooser:choose"))
    assert response.status_code == 200
    html = json.loads(response.content)["html"]
    assert "入职须知" in html and "产品介绍" in html and "坏文件" not in html
    results = client.get(reverse("video_chooser:choose_results"), {"q": "入职"}).content.decode()
    assert "入职须知" in results and "产品介绍" not in results


def test_choosing_a_video_returns_its_id_and_title():
    video = VideoFactory(title="入职须知")
    response = client_for("Trainer").get(reverse("video_chooser:chosen", args=[video.pk]))
    result = json.loads(response.content)["result"]
    assert result["id"] == str(video.pk) and result["title"] == "入职须知"


def test_the_block_holds_a_video_and_deconstructs_to_its_module():
    video = VideoFactory()
    block = VideoChooserBlock(required=True)
    assert block.to_python(video.pk) == video
    assert block.get_prep_value(video) == video.pk
    assert block.to_python(video.pk + 1000) is None
    path, _args, _kwargs = block.deconstruct()
    assert path == "media.blocks.VideoChooserBlock"
    assert "/admin/video-chooser/" in block.widget.render("video", None, attrs={"id": "id_video"})


def test_a_video_in_use_is_reported_before_delete():
    video = VideoFactory()
    CaptionFactory(video=video)
    response = client_for("Admin").get(url("delete", video.pk))
    assert response.status_code == 200
