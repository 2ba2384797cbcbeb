import datetime as dt
import os
from collections.abc import Sequence

from django.utils import timezone

from lms.ops.models import WorkerHeartbeat

# The worker this process is, for the heartbeat and for the jobs it claims. An
# environment variable: media (below lms) reads it too, and RQ's forked job processes
# inherit it.
WORKER_ID_ENV = "ONRAMP_WORKER_ID"


def current_worker_id() -> str:
    return os.environ.get(WORKER_ID_ENV, "")


def worker_become(*, worker_id: str) -> None:
    os.environ[WORKER_ID_ENV] = worker_id


def worker_heartbeat(
    *,
    worker_id: str,
    hostname: str,
    backend: str,
    started_at: dt.datetime,
    queues: Sequence[str] = (),
) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": hostname,
            "backend": backend,
            "queues": ",".join(queues)[:200],
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_task_started(*, worker_id: str, task: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        task=task[:300], task_started_at=now, progress_at=now
    )


def worker_task_finished(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        task="", task_started_at=None, progress_at=None
    )


def worker_task_progress() -> None:
    """The running task moved forward (ONRAMP_TASK_PROGRESS_HOOK); nothing outside a worker."""
    worker_id = current_worker_id()
    if worker_id:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).exclude(task="").update(
            progress_at=timezone.now()
        )
