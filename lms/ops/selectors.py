import datetime as dt
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from lms.ops.models import WorkerHeartbeat


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_storage() -> str:
    """Write, read back and delete a small file: proves the storage is writable."""
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned different content")
    finally:
        default_storage.delete(name)
    return "ok"


STORAGE_CHECK_CACHE_KEY = "ops:readyz:storage"


def check_storage_recently() -> str:
    """The storage round-trip's outcome, run at most every READYZ_STORAGE_CHECK_SECONDS.

    A probe asks every few seconds, from every load balancer: each call writing a file
    would be steady write traffic (and a bill, on S3) for nothing. A failure is kept as
    long as a success, so a slow or failing store is not hammered either.
    """
    outcome = cache.get(STORAGE_CHECK_CACHE_KEY)
    if outcome is None:
        try:
            outcome = check_storage()
        except Exception as exc:
            outcome = f"error: {exc}"
        cache.set(STORAGE_CHECK_CACHE_KEY, outcome, settings.READYZ_STORAGE_CHECK_SECONDS)
    if outcome != "ok":
        raise OSError(outcome.removeprefix("error: "))
    return outcome


class WorkerStuck(RuntimeError):
    """A worker beats, but its task has made no progress for WORKER_TASK_BUDGET seconds."""

    state = "stuck"


def _heartbeat_cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)


def live_worker_ids() -> set[str]:
    """Workers with a fresh heartbeat: the work they claimed is still being done."""
    return set(
        WorkerHeartbeat.objects.filter(seen_at__gte=_heartbeat_cutoff()).values_list(
            "worker_id", flat=True
        )
    )


def scheduler_worker_id() -> str | None:
    """The one worker that enqueues the periodic tasks: the longest-running live one."""
    return (
        WorkerHeartbeat.objects.filter(seen_at__gte=_heartbeat_cutoff())
        .order_by("started_at", "worker_id")
        .values_list("worker_id", flat=True)
        .first()
    )


def unserved_queues() -> list[str]:
    """Lanes of settings.TASK_QUEUES that no live worker serves: their tasks wait forever."""
    served: set[str] = set()
    for queues in WorkerHeartbeat.objects.filter(seen_at__gte=_heartbeat_cutoff()).values_list(
        "queues", flat=True
    ):
        served.update(queues.split(",") if queues else settings.TASK_QUEUES)
    return [name for name in settings.TASK_QUEUES if name not in served]


def check_worker() -> str:
    cutoff = _heartbeat_cutoff()
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if latest is None:
        raise RuntimeError("no task worker has reported")
    if latest < cutoff:
        age = int((timezone.now() - latest).total_seconds())
        raise RuntimeError(f"last task worker heartbeat {age}s ago")
    unserved = unserved_queues()
    if unserved:
        raise RuntimeError(f"no live task worker serves the queue {', '.join(unserved)}")
    budget = settings.WORKER_TASK_BUDGET
    silent_since = timezone.now() - dt.timedelta(seconds=budget)
    stuck = (
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff, progress_at__lt=silent_since)
        .exclude(task="")
        .order_by("progress_at")
        .first()
    )
    if stuck is not None:
        assert stuck.progress_at is not None
        silent = int((timezone.now() - stuck.progress_at).total_seconds())
        raise WorkerStuck(
            f"worker {stuck.worker_id} has run {stuck.task} for {silent}s without progress "
            f"(budget {budget}s)"
        )
    return "ok"
