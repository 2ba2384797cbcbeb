import datetime as dt

from django.utils import timezone

from lms.ops.models import WorkerHeartbeat


def worker_heartbeat(
    *, worker_id: str, hostname: str, backend: str, started_at: dt.datetime
) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": hostname,
            "backend": backend,
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
