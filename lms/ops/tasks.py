import datetime as dt

from django.utils import timezone
from django_tasks import task

from lms.ops.models import WorkerHeartbeat


@task()
def prune_worker_heartbeats(max_age_hours: int = 24) -> int:
    """Forget workers that stopped long ago without saying so (killed, host lost)."""
    cutoff = timezone.now() - dt.timedelta(hours=max_age_hours)
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
