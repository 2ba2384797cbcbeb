from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of each task worker, for /readyz/."""

    worker_id = models.CharField(_("worker"), max_length=200, unique=True)
    hostname = models.CharField(_("host"), max_length=200, blank=True)
    backend = models.CharField(_("task backend"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
