"""Reminders that were sent, in-app notices, and report exports made in the background."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.org.models import Employee


class ReminderMessage(models.Model):
    """The one reminder a person gets on a day: every due reminder batched into it.

    The unique (recipient, day) pair is the throttle: a second run on the same day, or
    two workers at once, cannot send a second message.
    """

    recipient = models.ForeignKey(
        Employee,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="reminder_messages",
    )
    day = models.DateField(_("day"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    emailed = models.BooleanField(_("emailed"), default=False)
    email_error = models.CharField(_("email error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder message")
        verbose_name_plural = _("reminder messages")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint("recipient", "day", name="reports_message_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"


class ReminderEntry(models.Model):
    """One reason to remind someone (an item due soon, overdue the 2nd time, escalated…).

    The ledger: an entry is created once per (recipient, subject, kind, occurrence), so
    running the reminder task twice finds the entry and sends nothing twice. Entries
    wait (message empty) until the recipient's message of a day takes them.
    """

    recipient = models.ForeignKey(
        Employee,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="reminder_entries",
    )
    # Whose item it is: the recipient, or the learner a manager is told about.
    learner = models.ForeignKey(
        Employee, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    # What the reminder is about, e.g. "item:123"; sessions add "session:45".
    subject_key = models.CharField(_("about"), max_length=100)
    occurrence = models.PositiveSmallIntegerField(_("occurrence"), default=0)
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    message = models.ForeignKey(
        ReminderMessage,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
    )
    # Set when the reason went away before it was sent (the item was done meanwhile).
    skipped_at = models.DateTimeField(_("dropped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["created_at", "pk"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                "recipient",
                "subject_key",
                "kind",
                "occurrence",
                name="reports_reminder_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                name="reports_entry_waiting",
                condition=models.Q(message__isnull=True, skipped_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.text


class NoticeQuerySet(models.QuerySet["Notice"]):
    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """A message shown to a person inside Onramp (the in-app side of a reminder)."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="notices"
    )
    title = models.CharField(_("title"), max_length=200)
    lines = models.JSONField(_("lines"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    message = models.OneToOneField(
        ReminderMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notice",
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        indexes = [models.Index(fields=["employee", "-created_at"], name="reports_notice_recent")]

    def __str__(self) -> str:
        return self.title


def export_upload_to(instance: ReportExport, filename: str) -> str:
    # Opaque names under a private prefix: nothing serves them but the download view.
    suffix = filename.rsplit(".", 1)[-1][:5]
    return f"report_exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class ReportExport(models.Model):
    """A CSV/XLSX export written by a task, with its progress and the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("report"), max_length=30)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=255, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The task worker writing it, so a sweep can queue it again when that worker dies.
    worker_id = models.CharField(_("worker"), max_length=200, blank=True)
    requeues = models.PositiveSmallIntegerField(_("times re-queued"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        # The permissions of the reporting area (this model carries them).
        permissions = [
            ("view_reports", _("Can see everyone's learning reports")),
            ("view_team_reports", _("Can see the learning reports of their own people")),
            ("send_reminders", _("Can send reminders to learners")),
        ]

    def __str__(self) -> str:
        return self.filename or self.kind

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, round(100 * self.rows_done / self.rows_total))
