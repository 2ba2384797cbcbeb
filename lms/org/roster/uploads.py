"""Roster import, step 4: rosters imported through the admin: upload, confirm, apply.

These wrap `roster_import` (read → plan → apply) with what an admin-driven import needs
on top: the stored file, a preview that HR confirms, and applying it exactly once in the
background. Confirming enqueues a task, so a front end confirms through
`lms.org.tasks.roster_upload_confirm`, which claims the import here and enqueues
`roster_import_apply` on commit; a module here never imports the tasks.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.org.models import RosterImport
from lms.org.roster.apply import roster_import
from lms.org.roster.plan import RosterPlan
from lms.org.roster.read import COLUMN_LABELS, RosterFileError

logger = logging.getLogger(__name__)

# An import still "applying" this long after it was confirmed has lost its worker
# (crashed, restarted): HR may start it again. Applying is atomic and re-checks the
# status under a lock, so a late original run and a retry cannot both write.
STALE_AFTER = dt.timedelta(minutes=15)

# Columns shown for a new person in the preview, in this order.
_NEW_PERSON_COLUMNS = ("department", "position", "level", "cohort", "start_date", "manager_no")


def _preview(plan: RosterPlan) -> dict[str, Any]:
    """The plan's report, plus what each new person will get (the report lists only names)."""
    report = plan.report()
    rows = {row.number: row for row in plan.rows}
    for entry in report["changes"]:
        if entry["action"] != "create":
            continue
        values = rows[entry["row"]].values
        entry["fields"] = {
            str(COLUMN_LABELS[column]): _display(values.get(column))
            for column in _NEW_PERSON_COLUMNS
            if values.get(column)
        }
    return report


def _display(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def roster_upload_create(
    *,
    file: IO[bytes],
    filename: str,
    uploaded_by: AbstractBaseUser | None,
    cohort_name: str = "",
    create_missing: bool = False,
) -> RosterImport:
    """Check an uploaded roster and store it with its preview; nothing is imported yet.

    Raises RosterFileError when the file cannot be read at all (wrong kind, encoding,
    no header): there is nothing to preview then, and nothing is stored.
    """
    plan, _applied = roster_import(
        stream=file,
        filename=filename,
        dry_run=True,
        cohort_name=cohort_name,
        create_missing=create_missing,
        max_rows=settings.ROSTER_IMPORT_MAX_ROWS,
    )
    if plan.file_error:
        raise RosterFileError(plan.file_error)
    report = _preview(plan)
    upload = RosterImport(
        original_filename=filename[:255],
        uploaded_by=uploaded_by,
        language=translation.get_language() or "",
        cohort_name=cohort_name,
        create_missing=create_missing,
        status=RosterImport.Status.READY if plan.is_valid else RosterImport.Status.INVALID,
        counts=report["counts"],
        report=report,
    )
    file.seek(0)
    upload.file.save(filename, file, save=False)  # type: ignore[arg-type]
    upload.save()
    return upload


def roster_upload_claim(
    *, roster_import: RosterImport, confirmed_by: AbstractBaseUser | None
) -> bool:
    """Mark a previewed import as being applied. False if it is not waiting to be applied.

    The status moves with a conditional UPDATE, so two clicks (or two people) confirming
    at once claim it once. The caller enqueues the task on commit when this is True.
    """
    now = timezone.now()
    claimed = (
        RosterImport.objects.filter(pk=roster_import.pk)
        .filter(
            Q(status__in=[RosterImport.Status.READY, RosterImport.Status.FAILED])
            | Q(status=RosterImport.Status.APPLYING, confirmed_at__lt=now - STALE_AFTER)
        )
        .update(
            status=RosterImport.Status.APPLYING,
            confirmed_by=confirmed_by,
            confirmed_at=now,
            started_at=None,
            finished_at=None,
            error="",
        )
    )
    return bool(claimed)


def roster_upload_can_confirm(roster_import: RosterImport) -> bool:
    """Whether the admin should offer to (re)start applying this import."""
    if roster_import.status in (RosterImport.Status.READY, RosterImport.Status.FAILED):
        return True
    return (
        roster_import.status == RosterImport.Status.APPLYING
        and roster_import.confirmed_at is not None
        and roster_import.confirmed_at < timezone.now() - STALE_AFTER
    )


def roster_upload_not_started(*, roster_import_id: int) -> None:
    """Record that an import's background task could not be started (a broken queue)."""
    RosterImport.objects.filter(pk=roster_import_id, status=RosterImport.Status.APPLYING).update(
        status=RosterImport.Status.FAILED,
        error=_("The background task could not be started. Nothing was imported."),
        finished_at=timezone.now(),
    )


def roster_upload_queued(*, roster_import_id: int, task_id: str) -> None:
    RosterImport.objects.filter(pk=roster_import_id).update(task_id=task_id[:64])


def roster_upload_apply(*, roster_import_id: int) -> str:
    """Apply a confirmed import: read the stored file again, re-check it and write it.

    Idempotent: an import that is not waiting to be applied (already applied, never
    confirmed, gone) is left alone, and writing is all-or-nothing. Returns the status.
    """
    current = RosterImport.objects.filter(pk=roster_import_id).first()
    if current is None:
        return "missing"
    if current.status != RosterImport.Status.APPLYING:
        return current.status
    RosterImport.objects.filter(pk=roster_import_id, status=RosterImport.Status.APPLYING).update(
        started_at=timezone.now()
    )

    with translation.override(current.language or settings.LANGUAGE_CODE):
        try:
            return _apply_locked(roster_import_id)
        except Exception as exc:
            logger.exception("roster import %s failed", roster_import_id)
            RosterImport.objects.filter(
                pk=roster_import_id, status=RosterImport.Status.APPLYING
            ).update(
                status=RosterImport.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
            return RosterImport.Status.FAILED


@transaction.atomic
def _apply_locked(roster_import_id: int) -> str:
    # The row lock (a database write lock on SQLite) makes a second run of this task
    # wait for the first and then find the import applied.
    upload = RosterImport.objects.select_for_update().get(pk=roster_import_id)
    if upload.status != RosterImport.Status.APPLYING:
        return upload.status
    with upload.file.open("rb") as stored:
        # Remote storages may not seek well; openpyxl needs to.
        data = io.BytesIO(stored.read())
    plan, applied = roster_import(
        stream=data,
        filename=upload.original_filename,
        cohort_name=upload.cohort_name,
        create_missing=upload.create_missing,
        max_rows=settings.ROSTER_IMPORT_MAX_ROWS,
    )
    upload.finished_at = timezone.now()
    if plan.file_error:
        upload.status = RosterImport.Status.FAILED
        upload.error = plan.file_error
    elif applied is None:
        # The organisation changed since the preview (a department was removed, a
        # number was taken): show the new problems; nothing was written.
        upload.status = RosterImport.Status.INVALID
        upload.report = _preview(plan)
        upload.counts = upload.report["counts"]
        upload.error = _(
            "The roster no longer passes the checks because Onramp changed after the "
            "preview. Nothing was imported."
        )
    else:
        upload.status = RosterImport.Status.APPLIED
        upload.report = _preview(plan)
        upload.counts = upload.report["counts"]
        upload.applied_counts = applied
        upload.error = ""
    upload.save()
    return upload.status
