from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of each task worker, for /readyz/."""

    worker_id = models.CharField(_("worker"), max_length=200, unique=True)
    hostname = models.CharField(_("host"), max_length=200, blank=True)
    backend = models.CharField(_("task backend"), max_length=200, blank=True)
    # The lanes it serves, comma-separated, as `run_worker --queues` gave them; "" from a
    # worker older than the lanes, which served them all.
    queues = models.CharField(_("queues"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)
    # The task it is running ("" when idle) and when that task last moved forward: a
    # worker can beat steadily while its one task hangs, and then nothing else runs.
    task = models.CharField(_("current task"), max_length=300, blank=True)
    task_started_at = models.DateTimeField(_("task started at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
