"""What is worth a reminder today: a registry of sources, each yielding candidates.

A source is a function of the day that returns `ReminderCandidate`s; the reminder run
records each one once in the ledger (`ReminderEntry`) and batches what is waiting into
one message per person per day. Other apps add sources with `@reminder_source` (the
in-person sessions app adds "session tomorrow" and "survey due before the session")
and, for their own subject prefix, a check that drops reminders gone stale.

Rules (settings, all from the environment):
- due soon: once, when an item is due within REPORTS_DUE_SOON_DAYS days
- overdue: the day after the due date, then every REMINDERS_OVERDUE_EVERY_DAYS days,
  at most REMINDERS_OVERDUE_MAX times
- escalation: once, to the manager (or else the department head) when an item is
  REMINDERS_ESCALATE_AFTER_DAYS days overdue
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.org.models import Employee
from lms.paths.models import Enrolment, EnrolmentItem

KIND_DUE_SOON = "due_soon"
KIND_OVERDUE = "overdue"
KIND_ESCALATION = "escalation"
KIND_NUDGE = "nudge"


@dataclass(frozen=True)
class ReminderCandidate:
    recipient_id: int
    learner_id: int
    kind: str
    subject_key: str
    occurrence: int
    text: str
    url: str = ""


ReminderSource = Callable[[dt.date], Iterable[ReminderCandidate]]
REMINDER_SOURCES: list[ReminderSource] = []
# Subject prefix ("item") -> function(ids) returning the ids still worth a reminder.
SUBJECT_CHECKS: dict[str, Callable[[set[int]], set[int]]] = {}


def reminder_source(func: ReminderSource) -> ReminderSource:
    if func not in REMINDER_SOURCES:
        REMINDER_SOURCES.append(func)
    return func


def subject_check(prefix: str) -> Callable[[Callable[[set[int]], set[int]]], Callable]:
    def register(func: Callable[[set[int]], set[int]]) -> Callable[[set[int]], set[int]]:
        SUBJECT_CHECKS[prefix] = func
        return func

    return register


def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _language(code: str | None) -> str:
    return code or settings.LANGUAGE_CODE


def _open_items() -> Q:
    return Q(
        status=EnrolmentItem.Status.PENDING,
        enrolment__status=Enrolment.Status.ACTIVE,
        enrolment__employee__status=Employee.Status.ACTIVE,
    )


_ITEM_FIELDS = (
    "pk",
    "title",
    "due_date",
    "enrolment__employee_id",
    "enrolment__employee__name",
    "enrolment__employee__preferred_language",
)


@reminder_source
def items_due_soon(today: dt.date) -> Iterable[ReminderCandidate]:
    days = setting("REPORTS_DUE_SOON_DAYS", 3)
    rows = EnrolmentItem.objects.filter(
        _open_items(), due_date__gte=today, due_date__lte=today + dt.timedelta(days=days)
    ).values_list(*_ITEM_FIELDS)
    for pk, title, due, learner_id, _name, language in rows.iterator(chunk_size=2000):
        left = (due - today).days
        with translation.override(_language(language)):
            if left == 0:
                text = _("“%(title)s” is due today.") % {"title": title}
            else:
                text = ngettext(
                    "“%(title)s” is due in %(days)d day.",
                    "“%(title)s” is due in %(days)d days.",
                    left,
                ) % {"title": title, "days": left}
        yield ReminderCandidate(
            learner_id, learner_id, KIND_DUE_SOON, f"item:{pk}", 0, text, reverse("home")
        )


@reminder_source
def items_overdue(today: dt.date) -> Iterable[ReminderCandidate]:
    every = max(setting("REMINDERS_OVERDUE_EVERY_DAYS", 3), 1)
    most = setting("REMINDERS_OVERDUE_MAX", 3)
    if most <= 0:
        return
    # Only items still inside the window of reminders: older ones have had them all.
    oldest = today - dt.timedelta(days=every * most)
    rows = EnrolmentItem.objects.filter(
        _open_items(), due_date__lt=today, due_date__gte=oldest
    ).values_list(*_ITEM_FIELDS)
    for pk, title, due, learner_id, _name, language in rows.iterator(chunk_size=2000):
        late = (today - due).days
        occurrence = (late - 1) // every
        if occurrence >= most:
            continue
        with translation.override(_language(language)):
            text = ngettext(
                "“%(title)s” is %(days)d day overdue.",
                "“%(title)s” is %(days)d days overdue.",
                late,
            ) % {"title": title, "days": late}
        yield ReminderCandidate(
            learner_id, learner_id, KIND_OVERDUE, f"item:{pk}", occurrence, text, reverse("home")
        )


@reminder_source
def items_escalated(today: dt.date) -> Iterable[ReminderCandidate]:
    after = setting("REMINDERS_ESCALATE_AFTER_DAYS", 7)
    if after <= 0:
        return
    threshold = today - dt.timedelta(days=after)
    # A month to catch up (a worker that was down); older items are not escalated late.
    rows = EnrolmentItem.objects.filter(
        _open_items(), due_date__lte=threshold, due_date__gte=threshold - dt.timedelta(days=30)
    ).values_list(
        *_ITEM_FIELDS,
        "enrolment__employee__manager_id",
        "enrolment__employee__manager__status",
        "enrolment__employee__manager__preferred_language",
        "enrolment__employee__department__head_id",
        "enrolment__employee__department__head__status",
        "enrolment__employee__department__head__preferred_language",
    )
    active = Employee.Status.ACTIVE
    for row in rows.iterator(chunk_size=2000):
        pk, title, due, learner_id, name, _language_code = row[:6]
        manager_id, manager_status, manager_language, head_id, head_status, head_language = row[6:]
        if manager_id and manager_status == active:
            recipient, language = manager_id, manager_language
        elif head_id and head_status == active and head_id != learner_id:
            recipient, language = head_id, head_language
        else:
            continue
        late = (today - due).days
        with translation.override(_language(language)):
            text = ngettext(
                "%(name)s: “%(title)s” is %(days)d day overdue.",
                "%(name)s: “%(title)s” is %(days)d days overdue.",
                late,
            ) % {"name": name, "title": title, "days": late}
        yield ReminderCandidate(
            recipient,
            learner_id,
            KIND_ESCALATION,
            f"item:{pk}",
            0,
            text,
            reverse("reports:person", args=[learner_id]),
        )


@subject_check("item")
def items_still_open(ids: set[int]) -> set[int]:
    return set(
        EnrolmentItem.objects.filter(_open_items(), pk__in=sorted(ids)).values_list("pk", flat=True)
    )


def quiet_hours() -> tuple[dt.time, dt.time] | None:
    """REMINDERS_QUIET_HOURS like "21:00-08:00" (local time); empty means none."""
    text = str(getattr(settings, "REMINDERS_QUIET_HOURS", "") or "").strip()
    if not text:
        return None
    start, _sep, end = text.partition("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def is_quiet(moment: dt.datetime) -> bool:
    """Whether a local time falls in the quiet hours (which may span midnight)."""
    window = quiet_hours()
    if window is None:
        return False
    start, end = window
    now = moment.time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end
