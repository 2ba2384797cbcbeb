import datetime as dt

from django.utils import timezone
from django_tasks import task

from lms.ops import lanes
from lms.ops.models import WorkerHeartbeat
from lms.ops.selectors import live_worker_ids
from media.tasks import videos_requeue_orphaned_and_process


@task(queue_name=lanes.DEFAULT)
def prune_worker_heartbeats(max_age_hours: int = 24) -> int:
    """Forget workers that stopped long ago without saying so (killed, host lost)."""
    cutoff = timezone.now() - dt.timedelta(hours=max_age_hours)
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    return deleted


@task(queue_name=lanes.DEFAULT)
def requeue_orphaned_videos() -> dict[str, int]:
    """Videos whose worker died mid-job go back in the queue (or fail after the maximum).

    Here rather than in media, which does not know the workers' heartbeats.
    """
    result = videos_requeue_orphaned_and_process(live_worker_ids=live_worker_ids())
    return {"requeued": result.requeued, "failed": result.failed}
