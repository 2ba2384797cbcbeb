"""What the worker is running, whether it moves, and what a dead worker leaves behind."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override
from django_tasks.signals import task_finished, task_started

from lms.ops.management.commands.run_worker import Command as RunWorker
from lms.ops.models import WorkerHeartbeat
from lms.ops.services import worker_heartbeat, worker_task_started
from lms.ops.tasks import prune_worker_heartbeats, requeue_orphaned_videos
from media.models import Video
from media.services import video_create

pytestmark = pytest.mark.django_db


def beating(worker_id: str = "host:1:aaaaaa") -> WorkerHeartbeat:
    worker_heartbeat(worker_id=worker_id, hostname="host", backend="db", started_at=timezone.now())
    return WorkerHeartbeat.objects.get(worker_id=worker_id)


def test_readyz_says_stuck_when_the_running_task_makes_no_progress(client, settings):
    settings.WORKER_TASK_BUDGET = 600
    beating()
    worker_task_started(worker_id="host:1:aaaaaa", task="media.tasks.process_video 17")
    WorkerHeartbeat.objects.update(progress_at=timezone.now() - dt.timedelta(seconds=601))
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    worker = response.json()["checks"]["worker"]
    assert worker.startswith("stuck: worker host:1:aaaaaa has run media.tasks.process_video 17")
    assert worker.endswith("without progress (budget 600s)")


def test_a_task_within_its_budget_or_an_idle_worker_is_ok(client, settings):
    settings.WORKER_TASK_BUDGET = 600
    beating()
    worker_task_started(worker_id="host:1:aaaaaa", task="lms.reports.tasks.report_export_run 3")
    WorkerHeartbeat.objects.update(progress_at=timezone.now() - dt.timedelta(seconds=590))
    assert client.get("/readyz/").json()["checks"]["worker"] == "ok"
    # Idle since long ago: nothing to be stuck on.
    WorkerHeartbeat.objects.update(task="", task_started_at=None, progress_at=None)
    assert client.get("/readyz/").status_code == 200


def test_the_worker_records_the_task_it_runs_and_forgets_it_after():
    beating()
    seen = []

    def look(sender, task_result, **kwargs):
        seen.append(WorkerHeartbeat.objects.values_list("task", "progress_at").get())

    RunWorker()._track_tasks("host:1:aaaaaa")
    task_started.connect(look, dispatch_uid="test-look")
    try:
        result = prune_worker_heartbeats.enqueue()
    finally:
        uid = "onramp-worker-host:1:aaaaaa"
        for signal in (task_started, task_finished):
            signal.disconnect(dispatch_uid=uid)
        task_started.disconnect(dispatch_uid="test-look")
    assert seen[0][0] == f"lms.ops.tasks.prune_worker_heartbeats {result.id}"
    assert seen[0][1] is not None
    beat = WorkerHeartbeat.objects.get()
    assert (beat.task, beat.task_started_at, beat.progress_at) == ("", None, None)


# --- a worker that died ---------------------------------------------------------------


def left_behind(clips, *, worker_id: str, requeues: int = 0) -> Video:
    """A video whose worker was killed mid-transcode: the status says it is running."""
    path = clips("small")
    with path.open("rb") as stream:
        video = video_create(title="small", file=stream, filename=path.name)
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.TRANSCODING,
        job_id="deadjob",
        worker_id=worker_id,
        requeues=requeues,
        progress=40,
        progress_updated_at=timezone.now() - dt.timedelta(seconds=30),
    )
    return Video.objects.get(pk=video.pk)


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    from tests.media.conftest import Clips

    return Clips(tmp_path_factory.mktemp("ops-clips"))


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_a_dead_workers_video_is_requeued_and_a_worker_run_completes_it(clips, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    WorkerHeartbeat.objects.create(
        worker_id="host:1:dead00",
        started_at=timezone.now() - dt.timedelta(hours=1),
        seen_at=timezone.now() - dt.timedelta(minutes=10),
    )
    video = left_behind(clips, worker_id="host:1:dead00")
    assert requeue_orphaned_videos.call() == {"requeued": 1, "failed": 0}
    video.refresh_from_db()
    assert (video.status, video.attempt, video.requeues) == (Video.Status.UPLOADED, 2, 1)
    # The long lane has the new attempt's job; a worker run serving it takes it.
    call_command(
        "db_worker",
        "--queue-name",
        "long",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0",
    )
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.renditions.count() == 1


def test_a_live_workers_video_is_left_alone(clips, django_capture_on_commit_callbacks):
    beating("host:2:alive0")
    video = left_behind(clips, worker_id="host:2:alive0")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert requeue_orphaned_videos.call() == {"requeued": 0, "failed": 0}
    assert callbacks == []
    video.refresh_from_db()
    assert (video.status, video.attempt, video.job_id) == (Video.Status.TRANSCODING, 1, "deadjob")


def test_after_the_maximum_the_video_fails_with_a_reason(
    clips, settings, django_capture_on_commit_callbacks
):
    settings.WORKER_MAX_REQUEUES = 2
    video = left_behind(clips, worker_id="host:1:dead00", requeues=2)  # no heartbeat at all
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert requeue_orphaned_videos.call() == {"requeued": 0, "failed": 1}
    assert callbacks == []
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED and video.failure_code == "worker_lost"
    with override("en"):
        assert video.failure_reason.startswith(
            "Processing was interrupted 3 times because the background worker stopped"
        )
