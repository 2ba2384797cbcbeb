"""The guard every pipeline step runs in: fail as internal_error, always clean up."""

import pytest

from media.models import Video
from media.pipeline import runner
from tests.media.factories import VideoFactory

pytestmark = pytest.mark.django_db


def claimed() -> tuple[Video, str]:
    video = VideoFactory(status=Video.Status.TRANSCODING, job_id="run1")
    return video, "run1"


def test_an_unexpected_error_fails_the_run_with_its_traceback_and_is_raised(tmp_path):
    video, token = claimed()
    root = tmp_path / "videos" / str(video.pk)
    work = root / token
    (work / "hls").mkdir(parents=True)
    (work / "hls" / "seg_00000.ts").write_bytes(b"half a segment")

    with (
        pytest.raises(RuntimeError, match="disk on fire"),
        runner.guarded_step(video.pk, token, work=work, remove_if_empty=root),
    ):
        raise RuntimeError("disk on fire")

    video.refresh_from_db()
    assert video.status == Video.Status.FAILED and video.failure_code == "internal_error"
    assert "RuntimeError: disk on fire" in video.ffmpeg_log
    assert video.processing_finished_at is not None
    assert not root.exists()


def test_a_step_that_ends_leaves_the_video_alone_and_another_runs_folder_in_place(tmp_path):
    video, token = claimed()
    root = tmp_path / "videos" / str(video.pk)
    (root / token).mkdir(parents=True)
    (root / "nextrun").mkdir()  # another run is starting in the same root

    with runner.guarded_step(video.pk, token, work=root / token, remove_if_empty=root):
        pass

    video.refresh_from_db()
    assert video.status == Video.Status.TRANSCODING and video.failure_code == ""
    assert not (root / token).exists()
    assert (root / "nextrun").is_dir()


def test_a_superseded_run_does_not_mark_the_new_one_failed(tmp_path):
    video, token = claimed()
    Video.objects.filter(pk=video.pk).update(job_id="newer")

    with pytest.raises(ValueError), runner.guarded_step(video.pk, token, work=tmp_path / token):
        raise ValueError("late")

    video.refresh_from_db()
    assert video.status == Video.Status.TRANSCODING and video.job_id == "newer"
