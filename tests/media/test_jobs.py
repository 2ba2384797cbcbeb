"""Background processing: idempotent, crash-safe, cancellable."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from media import services
from media.ffmpeg import encode
from media.models import Rendition, Video
from media.pipeline import runner
from media.pipeline.probe import video_probe
from media.pipeline.transcode import video_transcode
from media.services import video_create, video_delete
from media.tasks import process_video, video_create_and_process, video_retry_and_process
from tests.media.hls_checks import check_ladder

pytestmark = pytest.mark.django_db


def upload(clips, name: str = "small", *, process: bool = True) -> Video:
    """Upload a clip; with `process`, as a front end does: its processing queued on commit."""
    create = video_create_and_process if process else video_create
    path = clips(name)
    with path.open("rb") as stream:
        return create(title=name, file=stream, filename=path.name)


def test_upload_enqueues_after_commit_and_the_task_processes(
    clips, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        video = upload(clips)
    assert len(callbacks) == 1
    assert Video.objects.get(pk=video.pk).status == Video.Status.UPLOADED  # nothing ran yet
    callbacks[0]()  # the commit happens: the (immediate) backend runs the job
    video.refresh_from_db()
    check_ladder(video)
    assert video.attempt == 1 and video.job_id


def test_a_rolled_back_upload_starts_no_job(clips, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                upload(clips)
                raise RuntimeError("request failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Video.objects.count() == 0


def test_retry_after_a_killed_worker_starts_clean(clips, django_capture_on_commit_callbacks):
    video = upload(clips, process=False)
    video = video_probe(video=video)
    # The worker died mid-transcode: status stuck, heartbeat old, half a temp dir and
    # half a published folder left behind.
    stale_work = settings.DATA_DIR / "tmp" / "videos" / str(video.pk) / "deadjob"
    (stale_work / "hls" / "180p").mkdir(parents=True)
    (stale_work / "hls" / "180p" / "seg_00000.ts").write_bytes(b"half a segment")
    default_storage.save(f"videos/{video.pk}/hls/deadjob/180p/seg_00000.ts", ContentFile(b"x"))
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.TRANSCODING,
        job_id="deadjob",
        progress=42,
        progress_updated_at=timezone.now() - timedelta(minutes=10),
    )
    video.refresh_from_db()
    assert services.video_is_stale(video)

    with django_capture_on_commit_callbacks(execute=True):
        video = video_retry_and_process(video=video)
    video.refresh_from_db()
    check_ladder(video)
    assert video.attempt == 2
    assert not stale_work.exists()
    assert default_storage.listdir(f"videos/{video.pk}/hls")[0] == [video.job_id[:12]]
    assert Rendition.objects.filter(video=video).count() == 1


def test_the_dead_attempts_job_does_nothing_when_it_finally_runs(
    clips, django_capture_on_commit_callbacks
):
    video = upload(clips, process=False)
    with django_capture_on_commit_callbacks(execute=True):
        video = video_retry_and_process(video=video)  # attempt 2 runs to ready
    video.refresh_from_db()
    master = video.master_playlist.name
    assert process_video.call(video.pk, 1) == Video.Status.READY
    video.refresh_from_db()
    assert video.master_playlist.name == master and video.attempt == 2


def test_retry_of_a_ready_video_does_nothing(ingest, django_capture_on_commit_callbacks):
    video = ingest("small")
    before = (video.attempt, video.job_id, video.master_playlist.name)
    with django_capture_on_commit_callbacks() as callbacks:
        again = video_retry_and_process(video=video)
    assert callbacks == []
    assert (again.attempt, again.job_id, again.master_playlist.name) == before
    # Re-running the task of a ready video changes nothing either.
    assert process_video.call(video.pk, video.attempt) == Video.Status.READY
    video.refresh_from_db()
    assert video.master_playlist.name == before[2]


def test_retry_leaves_a_live_job_alone_unless_forced(clips, django_capture_on_commit_callbacks):
    video = upload(clips, process=False)
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.TRANSCODING, job_id="alive", progress_updated_at=timezone.now()
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert video_retry_and_process(video=video).attempt == 1
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        assert video_retry_and_process(video=video, force=True).attempt == 2
    assert len(callbacks) == 1


def test_retry_of_a_failed_video(ingest, django_capture_on_commit_callbacks):
    video = ingest("audio_as_mp4")
    assert video.status == Video.Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        video = video_retry_and_process(video=video)
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED and video.attempt == 2


def test_delete_removes_rows_and_files(ingest, django_capture_on_commit_callbacks):
    video = ingest("small")
    folder = Path(default_storage.path(f"videos/{video.pk}"))
    assert folder.is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        video_delete(video=video)
    assert not Video.objects.filter(pk=video.pk).exists()
    assert Rendition.objects.count() == 0
    assert not folder.exists()


def test_deleting_during_the_transcode_stops_the_job(
    clips, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(runner, "PROGRESS_WRITE_INTERVAL", 0)
    video = upload(clips, "long", process=False)

    def delete_now(percent, remaining):
        with django_capture_on_commit_callbacks(execute=True):
            video_delete(video=Video(pk=video.pk))

    result = video_transcode(video=video, on_progress=delete_now)
    assert not Video.objects.filter(pk=result.pk).exists()
    assert not Path(default_storage.path(f"videos/{video.pk}")).exists()
    assert not (settings.DATA_DIR / "tmp" / "videos" / str(video.pk)).exists()


def test_a_retry_during_the_transcode_supersedes_the_running_job(clips, monkeypatch):
    monkeypatch.setattr(runner, "PROGRESS_WRITE_INTERVAL", 0)
    video = upload(clips, "long", process=False)

    def retry_now(percent, remaining):
        Video.objects.filter(pk=video.pk).update(attempt=2, job_id="", status=Video.Status.UPLOADED)

    video = video_transcode(video=video, on_progress=retry_now)
    assert video.status == Video.Status.UPLOADED and video.attempt == 2
    assert Rendition.objects.count() == 0
    assert not default_storage.exists(f"videos/{video.pk}/hls")


FAKE_FFMPEG = """
import sys, time
for i in range(1, 6):
    print(f"out_time_us={i * 300_000}\\nspeed=1.0x\\nprogress=continue", flush=True)
    time.sleep(float(sys.argv[1]))
for n in range(100):
    print(f"warning line {n}", file=sys.stderr)
sys.exit(int(sys.argv[2]))
"""


@pytest.fixture
def fake_ffmpeg(monkeypatch):
    """Replace the transcode command by a script printing progress, then failing or not."""

    def install(*, pause: float, exit_code: int) -> None:
        monkeypatch.setattr(
            encode,
            "transcode_args",
            lambda **kwargs: [sys.executable, "-c", FAKE_FFMPEG, str(pause), str(exit_code)],
        )

    return install


def test_failure_keeps_the_last_lines_of_ffmpeg_and_a_plain_reason(clips, fake_ffmpeg):
    fake_ffmpeg(pause=0, exit_code=1)
    video = video_transcode(video=upload(clips, process=False))
    assert video.status == Video.Status.FAILED
    assert video.failure_code == "transcode_failed"
    lines = video.ffmpeg_log.splitlines()
    assert len(lines) == 30 and lines[-1] == "warning line 99"
    assert not (settings.DATA_DIR / "tmp" / "videos" / str(video.pk)).exists()


def test_progress_is_written_at_most_every_second_with_an_eta(clips, fake_ffmpeg, monkeypatch):
    video = upload(clips, process=False)
    video = video_probe(video=video)  # 2 s: the fake's 0.3 s steps are 15 % each
    fake_ffmpeg(pause=0, exit_code=1)
    with CaptureQueriesContext(connection) as queries:
        video_transcode(video=video)
    progress_writes = [
        q for q in queries if "progress_eta" in q["sql"] and q["sql"].startswith("UPDATE")
    ]
    # claim + failure only: five blocks in well under a second make no progress write
    assert len(progress_writes) <= 3

    seen = []
    monkeypatch.setattr(runner, "PROGRESS_WRITE_INTERVAL", 0.25)
    fake_ffmpeg(pause=0.3, exit_code=1)
    Video.objects.filter(pk=video.pk).update(status=Video.Status.PROBING)
    original = runner.update_if_current

    def spy(video_id, token, **fields):
        if "progress_eta" in fields and fields.get("progress", 0) > 0:
            seen.append((fields["progress"], fields["progress_eta"]))
        return original(video_id, token, **fields)

    monkeypatch.setattr(runner, "update_if_current", spy)
    video_transcode(video=video)
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and 15 <= percents[0] < percents[-1] <= 75
    assert all(eta is not None and eta > timezone.now() - timedelta(seconds=5) for _, eta in seen)
