"""The first time a person is sent a video's playlist is recorded, once, cheaply, in
every delivery mode: the learning domain credits watched time against it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from media.models import VideoDelivery
from tests.media.published import RUN, client_for, publish_fake_video
from tests.media.test_delivery import SigningStorage, urls

pytestmark = pytest.mark.django_db

GRANT_ALL = "tests.media.test_delivery.grant_all"
DENY_ALL = "tests.media.test_delivery.deny_all"


@pytest.fixture
def video(settings):
    settings.ONRAMP_VIDEO_ACCESS_CHECK = GRANT_ALL
    return publish_fake_video()


def deliveries() -> list[tuple[int, int, dt.datetime]]:
    return list(
        VideoDelivery.objects.order_by("pk").values_list(
            "user_id", "video_id", "first_delivered_at"
        )
    )


def inserts(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("INSERT")
    ]


def test_the_first_playlist_sent_is_recorded_and_never_moves(video):
    learner = client_for("Learner")
    with freeze_time("2026-12-01 09:00:00+00:00") as clock:
        first = dt.datetime.now(dt.UTC)
        assert learner.get(urls(video)["master"][0]).status_code == 200
        clock.tick(dt.timedelta(hours=2))
        for kind in ("master", "media playlist", "segment", "subtitle playlist"):
            assert learner.get(urls(video)[kind][0]).status_code == 200, kind
    assert deliveries() == [(learner.user.pk, video.pk, first)]


def test_each_person_and_video_has_its_own_first_delivery(video):
    other_video = publish_fake_video()
    one, two = client_for("Learner"), client_for("Learner")
    one.get(urls(video)["master"][0])
    two.get(urls(video)["master"][0])
    one.get(urls(other_video)["master"][0])
    assert {(user, vid) for user, vid, _at in deliveries()} == {
        (one.user.pk, video.pk),
        (two.user.pk, video.pk),
        (one.user.pk, other_video.pk),
    }


def test_a_rungs_playlist_fetched_first_records_too(video):
    # A player that skipped the master (or a native one that cached it) still asked for a
    # playlist before any segment.
    learner = client_for("Learner")
    response = learner.get(reverse("media:hls", args=[video.pk, f"{RUN}/360p/index.m3u8"]))
    assert response.status_code == 200
    assert [(u, v) for u, v, _at in deliveries()] == [(learner.user.pk, video.pk)]


def test_segments_images_and_captions_record_nothing_and_write_nothing(video):
    learner = client_for("Learner")
    for kind in ("segment", "subtitle file", "poster", "thumbnail track", "sprite", "caption"):
        with CaptureQueriesContext(connection) as captured:
            assert learner.get(urls(video)[kind][0]).status_code == 200, kind
        assert inserts(captured) == [], kind
    assert deliveries() == []
    # The playlist is what records.
    with CaptureQueriesContext(connection) as captured:
        learner.get(urls(video)["master"][0])
    assert len(inserts(captured)) == 1
    assert [(u, v) for u, v, _at in deliveries()] == [(learner.user.pk, video.pk)]


def test_once_recorded_a_playlist_costs_no_database_write(video):
    learner = client_for("Learner")
    with CaptureQueriesContext(connection) as first:
        learner.get(urls(video)["master"][0])
    assert len(inserts(first)) == 1
    for kind in ("master", "media playlist", "master"):
        with CaptureQueriesContext(connection) as again:
            learner.get(urls(video)[kind][0])
        assert inserts(again) == [], kind


def test_a_lost_cache_does_not_move_the_first_delivery(video):
    from django.core.cache import cache

    learner = client_for("Learner")
    with freeze_time("2026-12-01 09:00:00+00:00") as clock:
        first = dt.datetime.now(dt.UTC)
        learner.get(urls(video)["master"][0])
        cache.clear()  # another process, or a restart
        clock.tick(dt.timedelta(days=1))
        assert learner.get(urls(video)["master"][0]).status_code == 200
    assert deliveries() == [(learner.user.pk, video.pk, first)]


@pytest.mark.parametrize("mode", ["django", "x-accel", "x-sendfile", "s3"])
def test_recorded_in_every_delivery_mode(video, settings, mode):
    settings.VIDEO_DELIVERY = mode
    if mode == "s3":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "tests.media.test_delivery.SigningStorage"},
        }
        SigningStorage.calls.clear()
    learner = client_for("Learner")
    assert learner.get(urls(video)["master"][0]).status_code == 200
    assert [(u, v) for u, v, _at in deliveries()] == [(learner.user.pk, video.pk)]


def test_refused_and_missing_playlists_record_nothing(video, settings):
    assert client_for(None).get(urls(video)["master"][0]).status_code == 403
    learner = client_for("Learner")
    missing = reverse("media:hls", args=[video.pk, "720p/index.m3u8"])
    assert learner.get(missing).status_code == 404
    assert (
        learner.get(reverse("media:hls", args=[video.pk + 1000, "master.m3u8"])).status_code == 404
    )
    settings.ONRAMP_VIDEO_ACCESS_CHECK = DENY_ALL
    assert learner.get(urls(video)["master"][0]).status_code == 404
    assert deliveries() == []
    # Refusals were not remembered as recorded: once allowed, the first fetch records.
    settings.ONRAMP_VIDEO_ACCESS_CHECK = GRANT_ALL
    assert learner.get(urls(video)["master"][0]).status_code == 200
    assert [(u, v) for u, v, _at in deliveries()] == [(learner.user.pk, video.pk)]
