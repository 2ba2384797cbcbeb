"""State changes of the reports: reminders (ledger, batching, delivery), nudges, exports."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.ops.selectors import live_worker_ids
from lms.ops.services import current_worker_id, worker_task_progress
from lms.org.models import Employee
from lms.reports.exports import ExportRequest, export_table, write_csv, write_xlsx
from lms.reports.models import Notice, ReminderEntry, ReminderMessage, ReportExport
from lms.reports.reminders import (
    KIND_ESCALATION,
    KIND_NUDGE,
    REMINDER_SOURCES,
    SUBJECT_CHECKS,
    ReminderCandidate,
    is_quiet,
)
from lms.reports.scope import ReportScope
from lms.reports.selectors import ReportFilters

logger = logging.getLogger(__name__)

_CHUNK = 500


# --- reminders -----------------------------------------------------------------


@dataclass
class ReminderRun:
    quiet: bool = False
    queued: int = 0
    messages: int = 0
    emails: int = 0
    skipped: int = 0


def reminders_queue(*, candidates: Iterable[ReminderCandidate], now: dt.datetime) -> int:
    """Record candidates in the ledger; one already there is left alone. Returns new ones."""
    entries = [
        ReminderEntry(
            recipient_id=c.recipient_id,
            learner_id=c.learner_id,
            kind=c.kind,
            subject_key=c.subject_key[:100],
            occurrence=c.occurrence,
            text=c.text[:500],
            url=c.url[:500],
            created_at=now,
        )
        for c in candidates
    ]
    before = ReminderEntry.objects.count()
    for start in range(0, len(entries), _CHUNK):
        ReminderEntry.objects.bulk_create(entries[start : start + _CHUNK], ignore_conflicts=True)
    return ReminderEntry.objects.count() - before


def reminders_run(*, now: dt.datetime | None = None) -> ReminderRun:
    """The periodic run: find what is due, record it, deliver today's messages.

    Safe to run as often as wanted and from several workers at once: the ledger's
    unique constraints make a second run find everything recorded and sent.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    result = ReminderRun()
    if is_quiet(local):
        result.quiet = True
        return result
    today = local.date()
    candidates: list[ReminderCandidate] = []
    for source in REMINDER_SOURCES:
        candidates.extend(source(today))
    result.queued = reminders_queue(candidates=candidates, now=now)
    delivered = reminders_deliver(now=now)
    result.messages, result.emails, result.skipped = delivered
    return result


def _drop_stale(entries: list[ReminderEntry], now: dt.datetime) -> list[ReminderEntry]:
    """Entries whose reason went away (item done, person left) are marked, not sent."""
    by_prefix: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        prefix, _sep, key = entry.subject_key.partition(":")
        if prefix in SUBJECT_CHECKS and key.isdigit():
            by_prefix[prefix].add(int(key))
    still: dict[str, set[int]] = {
        prefix: SUBJECT_CHECKS[prefix](ids) for prefix, ids in by_prefix.items()
    }
    keep, stale = [], []
    for entry in entries:
        prefix, _sep, key = entry.subject_key.partition(":")
        gone = prefix in still and key.isdigit() and int(key) not in still[prefix]
        if gone or entry.learner.status != Employee.Status.ACTIVE:
            stale.append(entry.pk)
        else:
            keep.append(entry)
    if stale:
        ReminderEntry.objects.filter(pk__in=stale).update(skipped_at=now)
    return keep


def reminders_deliver(
    *, now: dt.datetime | None = None, recipient_ids: Iterable[int] | None = None
) -> tuple[int, int, int]:
    """Batch each person's waiting reminders into today's one message, and send it.

    Returns (messages, emails, entries dropped as stale). Nobody who left gets anything;
    nobody gets a second message on a day; nothing is sent in the quiet hours.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if is_quiet(local):
        return 0, 0, 0
    today = local.date()
    waiting = ReminderEntry.objects.filter(
        message__isnull=True,
        skipped_at__isnull=True,
        recipient__status=Employee.Status.ACTIVE,
    ).exclude(recipient__reminder_messages__day=today)
    if recipient_ids is not None:
        waiting = waiting.filter(recipient_id__in=list(recipient_ids))
    entries = list(
        waiting.select_related("recipient__user", "learner").order_by(
            "recipient_id", "created_at", "pk"
        )
    )
    dropped_before = len(entries)
    entries = _drop_stale(entries, now)
    dropped = dropped_before - len(entries)
    by_recipient: dict[int, list[ReminderEntry]] = defaultdict(list)
    for entry in entries:
        by_recipient[entry.recipient_id].append(entry)

    emails: list[EmailMessage] = []
    messages = 0
    for recipient_entries in by_recipient.values():
        message = _message_create(recipient_entries, today=today, now=now)
        if message is None:
            continue
        messages += 1
        email = _email_for(message, recipient_entries[0].recipient)
        if email is not None:
            emails.append(email)
    sent = _send_emails(emails)
    return messages, sent, dropped


def _latest_per_subject(entries: list[ReminderEntry]) -> list[ReminderEntry]:
    """Two waiting reminders about one item (overdue twice while throttled): keep the last."""
    latest: dict[tuple[str, str, int], ReminderEntry] = {}
    for entry in entries:
        latest[(entry.subject_key, entry.kind, entry.learner_id)] = entry
    return list(latest.values())


def _message_create(
    entries: list[ReminderEntry], *, today: dt.date, now: dt.datetime
) -> ReminderMessage | None:
    recipient = entries[0].recipient
    language = recipient.preferred_language or settings.LANGUAGE_CODE
    shown = _latest_per_subject(entries)
    with translation.override(language):
        own = [e for e in shown if e.kind != KIND_ESCALATION]
        team = [e for e in shown if e.kind == KIND_ESCALATION]
        lines = [{"text": e.text, "url": e.url} for e in own + team]
        subject = ngettext(
            "Onramp: %(count)d thing to do",
            "Onramp: %(count)d things to do",
            len(own),
        ) % {"count": len(own)}
        if team and not own:
            subject = _("Onramp: your people have overdue items")
        body_lines = [_("Hello %(name)s,") % {"name": recipient.name}, ""]
        if own:
            body_lines.append(_("These are waiting for you in Onramp:"))
            body_lines += [f"- {e.text}" for e in own]
            body_lines.append("")
        if team:
            body_lines.append(_("Overdue in your team:"))
            body_lines += [f"- {e.text}" for e in team]
            body_lines.append("")
        body_lines.append(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/")
    try:
        with transaction.atomic():
            message = ReminderMessage.objects.create(
                recipient=recipient,
                day=today,
                subject=subject[:200],
                body="\n".join(body_lines),
                created_at=now,
            )
            ReminderEntry.objects.filter(pk__in=[e.pk for e in entries]).update(message=message)
            Notice.objects.create(
                employee=recipient,
                title=subject[:200],
                lines=lines,
                created_at=now,
                message=message,
            )
    except IntegrityError:
        # Another run sent this person's message for today a moment ago.
        return None
    return message


def _email_for(message: ReminderMessage, recipient: Employee) -> EmailMessage | None:
    address = recipient.email or recipient.user.email
    if not address:
        return None
    email = EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [address])
    email.onramp_message_id = message.pk  # type: ignore[attr-defined]
    return email


def _send_emails(emails: list[EmailMessage]) -> int:
    if not emails:
        return 0
    sent_ids, failed = [], []
    try:
        connection = get_connection()
        connection.open()
    except Exception as exc:
        logger.exception("could not open the mail connection")
        ReminderMessage.objects.filter(
            pk__in=[e.onramp_message_id for e in emails]  # type: ignore[attr-defined]
        ).update(email_error=str(exc)[:500])
        return 0
    try:
        for email in emails:
            try:
                connection.send_messages([email])
                sent_ids.append(email.onramp_message_id)  # type: ignore[attr-defined]
            except Exception as exc:  # one bad address must not stop the others
                logger.warning("reminder email failed: %s", exc)
                failed.append((email.onramp_message_id, str(exc)[:500]))  # type: ignore[attr-defined]
    finally:
        connection.close()
    ReminderMessage.objects.filter(pk__in=sent_ids).update(emailed=True)
    for pk, error in failed:
        ReminderMessage.objects.filter(pk=pk).update(email_error=error)
    return len(sent_ids)


@dataclass
class NudgeResult:
    people: int = 0
    sent: int = 0
    waiting: int = 0  # got a reminder today already, or quiet hours: sent on the next run


def reminders_nudge(
    *,
    people: QuerySet[Employee],
    note: str = "",
    now: dt.datetime | None = None,
) -> NudgeResult:
    """HR reminds a list of people of their open items, now (within the daily limit)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    note = " ".join(note.split())[:300]
    rows = list(
        people.filter(status=Employee.Status.ACTIVE, open_count__gt=0).values_list(
            "pk", "preferred_language", "open_count", "overdue_count"
        )
    )
    candidates = []
    for pk, language, open_count, overdue in rows:
        with translation.override(language or settings.LANGUAGE_CODE):
            text = ngettext(
                "HR reminds you: %(count)d item is open",
                "HR reminds you: %(count)d items are open",
                open_count,
            ) % {"count": open_count}
            if overdue:
                text += ngettext(
                    ", %(count)d of them overdue.", ", %(count)d of them overdue.", overdue
                ) % {"count": overdue}
            else:
                text += "."
            if note:
                text += " " + note
        candidates.append(
            ReminderCandidate(pk, pk, KIND_NUDGE, f"nudge:{today.isoformat()}", 0, text, "/")
        )
    reminders_queue(candidates=candidates, now=now)
    ids = [c.recipient_id for c in candidates]
    messages, _emails, _dropped = reminders_deliver(now=now, recipient_ids=ids)
    return NudgeResult(people=len(ids), sent=messages, waiting=len(ids) - messages)


def notice_mark_read(*, employee: Employee, notice_ids: Iterable[int]) -> int:
    return Notice.objects.filter(
        employee=employee, pk__in=list(notice_ids), read_at__isnull=True
    ).update(read_at=timezone.now())


# --- exports -------------------------------------------------------------------


def report_export_create(
    *,
    requested_by: AbstractBaseUser,
    kind: str,
    format: str,
    params: dict[str, Any],
    rows_total: int,
) -> ReportExport:
    """Record an export to be written in the background. Front ends call
    `lms.reports.tasks.report_export_start`, which also enqueues the task that writes it."""
    return ReportExport.objects.create(
        requested_by=requested_by,
        kind=kind,
        format=format,
        params=params,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        time_zone=timezone.get_current_timezone_name(),
        rows_total=rows_total,
    )


def report_export_fail(*, export_id: int, error: str) -> None:
    """Mark an export failed, with the reason its requester reads."""
    ReportExport.objects.filter(pk=export_id).update(
        status=ReportExport.Status.FAILED, error=error, finished_at=timezone.now()
    )


def export_request_from(params: dict[str, Any], scope: ReportScope) -> ExportRequest:
    def number(name: str) -> int | None:
        value = str(params.get(name, ""))
        return int(value) if value.isdigit() else None

    return ExportRequest(
        kind=str(params.get("kind", "transcript")),
        scope=scope,
        filters=ReportFilters.from_params(params.get("filters", {})),
        state=str(params.get("state", "")),
        search=str(params.get("search", "")),
        employee_id=number("employee_id"),
        course_id=number("course_id"),
        session_id=number("session_id"),
    )


def export_filename(kind: str, format: str, now: dt.datetime | None = None) -> str:
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"onramp-{kind}-{stamp}.{format}"


def report_export_write(*, export_id: int) -> str:
    """Write a queued export (idempotent: a finished or running one is left alone)."""
    from lms.reports.scope import report_scope_for

    claimed = ReportExport.objects.filter(
        pk=export_id, status__in=[ReportExport.Status.QUEUED, ReportExport.Status.FAILED]
    ).update(
        status=ReportExport.Status.RUNNING, rows_done=0, error="", worker_id=current_worker_id()
    )
    export = ReportExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        return "missing"
    if not claimed:
        return export.status
    try:
        zone = zoneinfo.ZoneInfo(export.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    # The scope is the requester's at the time of writing: a manager who lost the
    # role in between gets nothing.
    scope = report_scope_for(export.requested_by)
    try:
        with (
            translation.override(export.language or settings.LANGUAGE_CODE),
            timezone.override(zone),
        ):
            if scope.is_empty:
                raise PermissionError(_("You may no longer see these reports."))
            table = export_table(export_request_from(export.params, scope))

            def progress(done: int) -> None:
                ReportExport.objects.filter(pk=export_id).update(rows_done=done)
                worker_task_progress()

            with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as handle:
                if export.format == ReportExport.Format.XLSX:
                    rows = write_xlsx(table, handle, title=str(export.kind), progress=progress)
                else:
                    rows = write_csv(table, handle, progress=progress)
                handle.seek(0)
                name = export_filename(export.kind, export.format)
                export.file.save(name, File(handle), save=False)
            export.filename = name
            export.rows_done = rows
            export.rows_total = rows
            export.status = ReportExport.Status.DONE
            export.finished_at = timezone.now()
            export.save(
                update_fields=[
                    "file",
                    "filename",
                    "rows_done",
                    "rows_total",
                    "status",
                    "finished_at",
                ]
            )
    except Exception as exc:
        logger.exception("report export %s failed", export_id)
        ReportExport.objects.filter(pk=export_id).update(
            status=ReportExport.Status.FAILED,
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        return ReportExport.Status.FAILED
    return ReportExport.Status.DONE


@dataclass(frozen=True)
class ExportRequeueResult:
    requeued: list[int]  # ids of the exports queued again: the caller enqueues their task
    failed: int


def report_exports_requeue_orphaned() -> ExportRequeueResult:
    """Queue again the exports left "running" by a worker that died (no fresh heartbeat);
    after WORKER_MAX_REQUEUES such restarts the export fails with a reason instead.

    An export written outside a worker (no worker id) is left alone: nothing tells
    whether its process is still at work.
    """
    running = ReportExport.objects.filter(status=ReportExport.Status.RUNNING).exclude(worker_id="")
    requeued: list[int] = []
    failed = 0
    for export in running.exclude(worker_id__in=live_worker_ids()).order_by("pk"):
        with transaction.atomic():
            locked = (
                ReportExport.objects.select_for_update()
                .filter(
                    pk=export.pk, status=ReportExport.Status.RUNNING, worker_id=export.worker_id
                )
                .first()
            )
            if locked is None:
                continue
            logger.warning("report export %s: worker %r is gone", locked.pk, locked.worker_id)
            locked.worker_id = ""
            if locked.requeues >= settings.WORKER_MAX_REQUEUES:
                with translation.override(locked.language or settings.LANGUAGE_CODE):
                    locked.error = _(
                        "Writing this export was interrupted %(count)d times because the "
                        "background worker stopped. Ask for a smaller export (fewer rows), "
                        "or ask the administrator to look at the worker."
                    ) % {"count": locked.requeues + 1}
                locked.status = ReportExport.Status.FAILED
                locked.finished_at = timezone.now()
                failed += 1
            else:
                locked.status = ReportExport.Status.QUEUED
                locked.requeues += 1
                locked.rows_done = 0
                requeued.append(locked.pk)
            locked.save()
    return ExportRequeueResult(requeued=requeued, failed=failed)
