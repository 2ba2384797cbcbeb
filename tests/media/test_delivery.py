"""Protected delivery: who gets which file, how the bytes are handed over, and that no URL
leads outside a video's folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse

from media import delivery
from media.hls import parse_master_playlist, parse_media_playlist
from tests.media.published import RUN, SEGMENT, client_for, publish_fake_video

pytestmark = pytest.mark.django_db

GRANTED: list[tuple[int, int]] = []


def grant_all(user, video) -> bool:
    GRANTED.append((user.pk, video.pk))
    return True


def deny_all(user, video) -> bool:
    return False


def urls(video) -> dict[str, tuple[str, str]]:
    """Every kind of file → (URL, content type)."""
    hls = lambda path: reverse("media:hls", args=[video.pk, path])  # noqa: E731
    return {
        "master": (hls("master.m3u8"), "application/vnd.apple.mpegurl"),
        "media playlist": (hls("360p/index.m3u8"), "application/vnd.apple.mpegurl"),
        "segment": (hls(f"{RUN}/360p/seg_00000.ts"), "video/mp2t"),
        "subtitle playlist": (hls("subs/en.m3u8"), "application/vnd.apple.mpegurl"),
        "subtitle file": (hls("subs/en.vtt"), "text/vtt; charset=utf-8"),
        "poster": (reverse("media:poster", args=[video.pk]), "image/jpeg"),
        "thumbnail track": (
            reverse("media:thumbs", args=[video.pk, "thumbnails.vtt"]),
            "text/vtt; charset=utf-8",
        ),
        "sprite": (reverse("media:thumbs", args=[video.pk, "sprite_001.jpg"]), "image/jpeg"),
        "caption": (reverse("media:caption", args=[video.pk, "en.vtt"]), "text/vtt; charset=utf-8"),
    }


@pytest.fixture
def video():
    return publish_fake_video()


# --- who may fetch ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Trainer", "HR", "Admin", "superuser"])
def test_staff_get_every_kind_of_file_with_its_content_type(video, role, settings):
    settings.ONRAMP_VIDEO_ACCESS_CHECK = "tests.media.test_delivery.deny_all"
    client = client_for(role)
    for kind, (url, content_type) in urls(video).items():
        response = client.get(url)
        assert response.status_code == 200, kind
        assert response["Content-Type"] == content_type, kind
        assert response["Cache-Control"].startswith("private"), kind


def test_anonymous_gets_403_for_every_kind_even_for_ids_that_do_not_exist(video):
    client = client_for(None)
    for kind, (url, _type) in urls(video).items():
        assert client.get(url).status_code == 403, kind
    assert client.get(reverse("media:poster", args=[video.pk + 1000])).status_code == 403


def test_a_learner_without_access_gets_404_like_a_missing_video(video, settings):
    settings.ONRAMP_VIDEO_ACCESS_CHECK = "tests.media.test_delivery.deny_all"
    client = client_for("Learner")
    for kind, (url, _type) in urls(video).items():
        assert client.get(url).status_code == 404, kind


def test_the_default_check_lets_only_staff_in(video, settings):
    del settings.ONRAMP_VIDEO_ACCESS_CHECK  # media's own default applies
    url, _type = urls(video)["segment"]
    assert client_for("Learner").get(url).status_code == 404
    assert client_for("Trainer").get(url).status_code == 200


def test_a_learner_the_learning_domain_allows_gets_every_file(video, settings):
    settings.ONRAMP_VIDEO_ACCESS_CHECK = "tests.media.test_delivery.grant_all"
    GRANTED.clear()
    client = client_for("Learner")
    for kind, (url, content_type) in urls(video).items():
        response = client.get(url)
        assert response.status_code == 200, kind
        assert response["Content-Type"] == content_type
    assert set(GRANTED) == {(client.user.pk, video.pk)}


def test_the_check_decides_per_video(settings):
    allowed, other = publish_fake_video(), publish_fake_video()
    settings.ONRAMP_VIDEO_ACCESS_CHECK = "tests.media.test_delivery.only_first_video"
    only_first_video.allowed = allowed.pk
    client = client_for("Learner")
    assert client.get(urls(allowed)["segment"][0]).status_code == 200
    assert client.get(urls(other)["segment"][0]).status_code == 404


def only_first_video(user, video) -> bool:
    return video.pk == only_first_video.allowed


def test_an_inactive_staff_account_gets_nothing(video):
    client = client_for("Trainer")
    client.user.is_active = False
    client.user.save()
    url, _type = urls(video)["segment"]
    assert client.get(url).status_code in (403, 404)


def test_unknown_videos_and_files_are_404_for_staff(video):
    client = client_for("Trainer")
    assert client.get(reverse("media:poster", args=[video.pk + 1000])).status_code == 404
    assert client.get(reverse("media:hls", args=[video.pk, "360p/seg_09999.ts"])).status_code == 404
    assert client.get(reverse("media:caption", args=[video.pk, "fr.vtt"])).status_code == 404


def test_an_unpublished_video_has_no_files(settings):
    from tests.media.factories import VideoFactory

    video = VideoFactory()
    client = client_for("Trainer")
    assert client.get(reverse("media:hls", args=[video.pk, "master.m3u8"])).status_code == 404
    assert client.get(reverse("media:poster", args=[video.pk])).status_code == 404
    assert client.get(reverse("media:thumbs", args=[video.pk, "thumbnails.vtt"])).status_code == 404


def test_only_get_and_head(video):
    client = client_for("Trainer")
    url, _type = urls(video)["segment"]
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405


# --- playlists and caching ---------------------------------------------------------------


def test_the_master_points_into_the_run_folder_and_the_stream_follows(video):
    client = client_for("Trainer")
    master_url = reverse("media:hls", args=[video.pk, "master.m3u8"])
    master = parse_master_playlist(client.get(master_url).content.decode())
    assert master.variant_uris == [f"{RUN}/360p/index.m3u8"]
    assert [m["URI"] for m in master.media] == [f"{RUN}/subs/en.m3u8"]

    base = master_url.rsplit("/", 1)[0]
    media_url = f"{base}/{master.variant_uris[0]}"
    media = client.get(media_url)
    assert media.status_code == 200 and media["Cache-Control"] == "private, no-cache"
    playlist = parse_media_playlist(media.content.decode())
    for number, segment in enumerate(playlist.segments):
        response = client.get(f"{media_url.rsplit('/', 1)[0]}/{segment.uri}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == (SEGMENT if number == 0 else SEGMENT[::-1])
        assert response["Cache-Control"] == "private, max-age=31536000, immutable"


def test_cache_headers_per_kind(video):
    client = client_for("Trainer")
    expected = {
        "master": "private, no-cache",
        "media playlist": "private, no-cache",
        "subtitle playlist": "private, no-cache",
        "subtitle file": "private, no-cache",
        "segment": "private, max-age=31536000, immutable",
        "poster": "private, max-age=3600",
        "thumbnail track": "private, max-age=3600",
        "sprite": "private, max-age=3600",
        "caption": "private, no-cache",
    }
    for kind, (url, _type) in urls(video).items():
        assert client.get(url)["Cache-Control"] == expected[kind], kind
    # Outside the run folder the same segment may change with a new run: short cache.
    plain = client.get(reverse("media:hls", args=[video.pk, "360p/seg_00000.ts"]))
    assert plain["Cache-Control"] == "private, max-age=3600"


def test_an_old_run_folder_is_gone(video):
    client = client_for("Trainer")
    url = reverse("media:hls", args=[video.pk, "ffffffffffff/360p/seg_00000.ts"])
    assert client.get(url).status_code == 404


def test_etag_and_last_modified_give_304(video):
    client = client_for("Trainer")
    for kind in ("segment", "master", "poster"):
        url, _type = urls(video)[kind]
        first = client.get(url)
        assert first["ETag"]
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304, kind
        assert again["Cache-Control"] == first["Cache-Control"]
    segment = client.get(urls(video)["segment"][0])
    since = client.get(
        urls(video)["segment"][0], headers={"If-Modified-Since": segment["Last-Modified"]}
    )
    assert since.status_code == 304


# --- ranges ----------------------------------------------------------------------------------


def _get_range(client, url, value, **headers):
    response = client.get(url, headers={"Range": value, **headers})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 2047),
        ("bytes=-10", 2038, 2047),
        ("bytes=2000-5000", 2000, 2047),  # clipped to the file
        ("bytes=0-0", 0, 0),
        ("bytes=-5000", 0, 2047),
    ],
)
def test_a_range_gets_206_with_exactly_those_bytes(video, value, first, last):
    client = client_for("Trainer")
    response, body = _get_range(client, urls(video)["segment"][0], value)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/2048"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp2t"
    assert body == SEGMENT[first : last + 1]


@pytest.mark.parametrize(
    "value",
    [
        "bytes=2048-",
        "bytes=5000-6000",
        "bytes=10-5",
        "bytes=-0",
        "bytes=-",
        "bytes=abc",
        "bytes=-1-2",
    ],
)
def test_a_bad_range_gets_416(video, value):
    client = client_for("Trainer")
    response, _body = _get_range(client, urls(video)["segment"][0], value)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */2048"


@pytest.mark.parametrize("value", ["bytes=0-1,5-6", "items=0-5"])
def test_several_ranges_or_another_unit_get_the_whole_file(video, value):
    client = client_for("Trainer")
    response, body = _get_range(client, urls(video)["segment"][0], value)
    assert response.status_code == 200 and body == SEGMENT


def test_if_range_with_a_stale_etag_gets_the_whole_file(video):
    client = client_for("Trainer")
    url = urls(video)["segment"][0]
    etag = client.get(url)["ETag"]
    response, _body = _get_range(client, url, "bytes=0-9", **{"If-Range": etag})
    assert response.status_code == 206
    response, body = _get_range(client, url, "bytes=0-9", **{"If-Range": '"stale"'})
    assert response.status_code == 200 and body == SEGMENT


def test_ranges_work_on_posters_and_sprites_too(video):
    client = client_for("Trainer")
    response, body = _get_range(client, urls(video)["poster"][0], "bytes=0-3")
    assert response.status_code == 206 and body == b"\xff\xd8\xff\xe0"


# --- no way out ----------------------------------------------------------------------------

HOSTILE = [
    "../../../../etc/passwd",
    "../master.m3u8",
    "360p/../../images/" + RUN + "/poster.jpg",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%252e%252e/%252e%252e/x.ts",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "//etc/passwd.ts",
    "360p//seg_00000.ts",
    "./master.m3u8",
    "360p/./seg_00000.ts",
    "..\\..\\etc\\passwd.ts",
    "360p\\seg_00000.ts",
    "360p/seg_00000.ts%00.m3u8",
    "360p/seg_00000.ts\x00",
    "....//....//x.ts",
    "~/.ssh/id_rsa",
    "360p/seg_00000.py",
    "360p/index.m3u8.bak",
    "a/b/c/d/e/f.ts",
    "x" * 400 + ".ts",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_traversal_and_odd_paths_are_404(video, path, settings):
    client = client_for("Admin")
    base = f"/media/videos/{video.pk}"
    for url in (f"{base}/hls/{path}", f"{base}/thumbs/{path}", f"{base}/captions/{path}"):
        assert client.get(url).status_code == 404, url


def test_safe_parts_accepts_only_plain_names():
    suffixes = delivery.HLS_SUFFIXES
    assert delivery.safe_parts("360p/seg_00000.ts", suffixes) == ["360p", "seg_00000.ts"]
    for bad in ["", "..", "a/../b.ts", "/a.ts", "a//b.ts", ".hidden.ts", "a\\b.ts", "a.ts\x00"]:
        assert delivery.safe_parts(bad, suffixes) is None, bad


def test_a_symlink_planted_in_the_folder_is_not_followed_out(video, tmp_path):
    secret = tmp_path / "secret.ts"
    secret.write_bytes(b"not yours")
    link = Path(default_storage.path(f"videos/{video.pk}/hls/{RUN}/360p/evil.ts"))
    os.symlink(secret, link)
    client = client_for("Admin")
    assert client.get(reverse("media:hls", args=[video.pk, "360p/evil.ts"])).status_code == 404


# --- handing over to the web server or S3 ---------------------------------------------------


def test_x_accel_hands_the_file_to_nginx(video, settings):
    settings.VIDEO_DELIVERY = "x-accel"
    settings.VIDEO_X_ACCEL_PREFIX = "/internal-videos/"
    client = client_for("Trainer")
    response = client.get(urls(video)["segment"][0])
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == (
        f"/internal-videos/videos/{video.pk}/hls/{RUN}/360p/seg_00000.ts"
    )
    assert response["Content-Type"] == "video/mp2t"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    # Playlists stay with Django: the master is rewritten on the way out.
    master = client.get(urls(video)["master"][0])
    assert "X-Accel-Redirect" not in master and f"{RUN}/360p/index.m3u8" in master.content.decode()
    # A file that is not there is still a 404, not a hand-over nginx would 404 on.
    missing = client.get(reverse("media:hls", args=[video.pk, "360p/seg_09999.ts"]))
    assert missing.status_code == 404


def test_x_sendfile_names_the_absolute_path(video, settings):
    settings.VIDEO_DELIVERY = "x-sendfile"
    client = client_for("HR")
    response = client.get(urls(video)["poster"][0])
    assert response.status_code == 200 and response.content == b""
    path = Path(response["X-Sendfile"])
    assert path.is_absolute() and path.read_bytes() == b"\xff\xd8\xff\xe0poster"


class SigningStorage(FileSystemStorage):
    """Stands in for django-storages' S3Storage: same `url(name, expire=…)` signature,
    no network."""

    calls: list[tuple[str, int | None]] = []

    def url(self, name, parameters=None, expire=None, http_method=None):
        SigningStorage.calls.append((name, expire))
        return f"https://bucket.example.test/{name}?X-Amz-Expires={expire}&X-Amz-Signature=abc"


def test_s3_redirects_to_a_short_lived_signed_url(video, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.media.test_delivery.SigningStorage"},
    }
    settings.VIDEO_DELIVERY = "s3"
    settings.VIDEO_SIGNED_URL_SECONDS = 120
    SigningStorage.calls.clear()
    client = client_for("Trainer")
    response = client.get(urls(video)["segment"][0])
    assert response.status_code == 302
    name = f"videos/{video.pk}/hls/{RUN}/360p/seg_00000.ts"
    assert response["Location"].startswith(f"https://bucket.example.test/{name}?")
    assert SigningStorage.calls == [(name, 120)]
    assert response["Cache-Control"] == "private, max-age=60"
    # Playlists are answered by Django so their relative URIs resolve back here.
    master = client.get(urls(video)["master"][0])
    assert master.status_code == 200 and master["Content-Type"] == "application/vnd.apple.mpegurl"
    # And nobody without access is redirected anywhere.
    assert client_for(None).get(urls(video)["segment"][0]).status_code == 403


def test_s3_delivery_with_a_storage_that_cannot_sign_is_a_configuration_error(video, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.VIDEO_DELIVERY = "s3"
    with pytest.raises(ImproperlyConfigured):
        client_for("Trainer").get(urls(video)["segment"][0])


def test_an_unknown_delivery_mode_is_a_configuration_error(video, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.VIDEO_DELIVERY = "ftp"
    with pytest.raises(ImproperlyConfigured):
        client_for("Trainer").get(urls(video)["segment"][0])


# --- a real encode, end to end ---------------------------------------------------------------


def test_a_transcoded_clip_plays_through_the_protected_urls(ingest, settings):
    settings.ONRAMP_VIDEO_ACCESS_CHECK = "tests.media.test_delivery.deny_all"
    video = ingest("small")
    trainer, learner = client_for("Trainer"), client_for("Learner")
    master_url = reverse("media:hls", args=[video.pk, "master.m3u8"])
    master = parse_master_playlist(trainer.get(master_url).content.decode())
    media_url = f"{master_url.rsplit('/', 1)[0]}/{master.variant_uris[0]}"
    playlist = parse_media_playlist(trainer.get(media_url).content.decode())
    segment_url = f"{media_url.rsplit('/', 1)[0]}/{playlist.segments[0].uri}"
    segment = trainer.get(segment_url)
    assert segment.status_code == 200 and segment["Content-Type"] == "video/mp2t"
    assert b"".join(segment.streaming_content)[:1] == b"\x47"  # MPEG-TS sync byte
    poster = trainer.get(reverse("media:poster", args=[video.pk]))
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"
    thumbs = trainer.get(reverse("media:thumbs", args=[video.pk, "thumbnails.vtt"]))
    sprite = b"".join(thumbs.streaming_content).decode().split("\n")[3].split("#")[0]
    assert trainer.get(reverse("media:thumbs", args=[video.pk, sprite])).status_code == 200
    for url in (master_url, media_url, segment_url):
        assert learner.get(url).status_code == 404
        assert client_for(None).get(url).status_code == 403


# --- configuration is checked at start-up -----------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"VIDEO_DELIVERY": "ftp"}, "onramp_media.E001"),
        ({"VIDEO_DELIVERY": "s3"}, "onramp_media.E003"),
        ({"VIDEO_DELIVERY": "x-accel", "VIDEO_X_ACCEL_PREFIX": "protected"}, "onramp_media.E004"),
    ],
)
def test_a_delivery_setting_that_cannot_work_fails_the_checks(settings, overrides, error):
    from media.checks import check_video_delivery

    for name, value in overrides.items():
        setattr(settings, name, value)
    assert [message.id for message in check_video_delivery()] == [error]


@pytest.mark.parametrize("mode", ["django", "x-accel", "x-sendfile"])
def test_working_delivery_settings_pass_the_checks(settings, mode):
    from media.checks import check_video_delivery

    settings.VIDEO_DELIVERY = mode
    assert check_video_delivery() == []


def test_s3_with_a_signing_storage_passes_the_checks(settings):
    from media.checks import check_video_delivery

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.media.test_delivery.SigningStorage"},
    }
    settings.VIDEO_DELIVERY = "s3"
    assert check_video_delivery() == []
