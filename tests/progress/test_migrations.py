"""Progress recorded before deliveries were: the migration that adds them gives every
existing watch a first delivery consistent with what it has credited."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory
from tests.media.factories import VideoFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("progress", "0002_progress_events")]
AFTER = [("progress", "0003_videowatch_uncredited_ranges")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_watches_get_a_first_delivery_early_enough_for_their_credit():
    user, other = UserFactory(), UserFactory()
    video, gone = VideoFactory(duration=300), VideoFactory(duration=60)
    try:
        old = migrate(BEFORE)
        VideoWatch = old.get_model("progress", "VideoWatch")
        half = VideoWatch.objects.create(
            user_id=user.pk,
            video_id=video.pk,
            duration=300,
            ranges=[[0, 120]],
            watched_seconds=120,
        )
        # Another watch of the same video (another lesson): the earlier bound wins.
        VideoWatch.objects.create(
            user_id=user.pk,
            lesson_id=None,
            video_id=video.pk,
            duration=300,
            ranges=[[0, 300]],
            watched_seconds=300,
        )
        VideoWatch.objects.create(user_id=other.pk, video_id=video.pk, duration=300)
        VideoWatch.objects.create(user_id=user.pk, video_id=gone.pk + 1000, duration=60)
        whole = VideoWatch.objects.get(user_id=user.pk, watched_seconds=300)
        new = migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    VideoDelivery = new.get_model("onramp_media", "VideoDelivery")
    found = {(d.user_id, d.video_id): d.first_delivered_at for d in VideoDelivery.objects.all()}
    # 300 s credited at 2× needs the video sent at least 150 s before the last update.
    assert found[(user.pk, video.pk)] == whole.updated_at - dt.timedelta(seconds=150)
    assert found[(user.pk, video.pk)] < half.updated_at - dt.timedelta(seconds=60)
    assert (other.pk, video.pk) in found  # nothing credited yet: its last update will do
    # A watch of a video that no longer exists gets nothing.
    assert len(found) == 2
