"""Background work of the reports: the reminder run and exports.

A task calls a service; a service never enqueues a task. A front end that starts an
export calls `report_export_start`, which records it and enqueues its task on commit.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from lms.ops import lanes
from lms.reports.models import ReportExport
from lms.reports.services import (
    reminders_run,
    report_export_create,
    report_export_fail,
    report_export_write,
    report_exports_requeue_orphaned,
)

logger = logging.getLogger(__name__)


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def reminders_send() -> dict[str, int]:
    """The periodic reminder run (idempotent: a second run the same day sends nothing)."""
    result = reminders_run()
    return {
        "quiet": int(result.quiet),
        "queued": result.queued,
        "messages": result.messages,
        "emails": result.emails,
    }


# A big export takes minutes: `_enqueue_export` moves it to the long lane.
@task(queue_name=lanes.DEFAULT)
def report_export_run(*, export_id: int) -> str:
    """Write a queued CSV/XLSX export (idempotent: a finished export is left alone)."""
    return report_export_write(export_id=export_id)


@task(queue_name=lanes.DEFAULT)
def requeue_orphaned_exports() -> dict[str, int]:
    """Exports left "running" by a dead worker are queued again (or fail after the maximum)."""
    result = report_exports_requeue_orphaned()
    for export_id in result.requeued:  # each one's requeue has committed
        _enqueue_export(export_id)
    return {"requeued": len(result.requeued), "failed": result.failed}


def report_export_start(
    *,
    requested_by: AbstractBaseUser,
    kind: str,
    format: str,
    params: dict[str, Any],
    rows_total: int,
) -> ReportExport:
    """Queue an export to be written by `report_export_run`; the task is enqueued once this
    transaction commits, so a rolled-back request starts nothing."""
    export = report_export_create(
        requested_by=requested_by, kind=kind, format=format, params=params, rows_total=rows_total
    )
    transaction.on_commit(partial(_enqueue_export, export.pk))
    return export


def _enqueue_export(export_id: int) -> None:
    rows = ReportExport.objects.filter(pk=export_id).values_list("rows_total", flat=True).first()
    task = report_export_run
    if (rows or 0) >= settings.EXPORT_LONG_ROWS:
        task = task.using(queue_name=lanes.LONG)
    try:
        task.enqueue(export_id=export_id)
    except Exception:
        logger.exception("could not enqueue report export %s", export_id)
        report_export_fail(
            export_id=export_id, error=_("The background task could not be started.")
        )
