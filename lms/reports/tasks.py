"""Background work of the reports: the reminder run and exports."""

from __future__ import annotations

from django_tasks import task

from lms.reports.services import (
    reminders_run,
    report_export_write,
    report_exports_requeue_orphaned,
)


@task()
def reminders_send() -> dict[str, int]:
    """The periodic reminder run (idempotent: a second run the same day sends nothing)."""
    result = reminders_run()
    return {
        "quiet": int(result.quiet),
        "queued": result.queued,
        "messages": result.messages,
        "emails": result.emails,
    }


@task()
def report_export_run(*, export_id: int) -> str:
    """Write a queued CSV/XLSX export (idempotent: a finished export is left alone)."""
    return report_export_write(export_id=export_id)


@task()
def requeue_orphaned_exports() -> dict[str, int]:
    """Exports left "running" by a dead worker are queued again (or fail after the maximum)."""
    result = report_exports_requeue_orphaned()
    return {"requeued": result.requeued, "failed": result.failed}
