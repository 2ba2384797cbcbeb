"""Demo progress for HR's dashboard, for seed_demo: some people ahead, some late.

Each new hire gets a diligence drawn from their employee number (the same on every
machine). Items already past due are done with that probability, a few items ahead of
time too, so the dashboard shows every state: completed, on track, due soon, overdue.
Idempotent: an enrolment that already has anything done (by a person or by an earlier
run) is left as it is, and the demo learner keeps the state the paths seed gives them.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.demo.org import SeedReport
from lms.org.models import Department, Employee
from lms.org.roles import ROLE_MANAGER
from lms.paths.models import Enrolment, EnrolmentItem
from lms.paths.services import enrolments_mark_changed

DEMO_LEARNER_USERNAME = "demo.learner"


def _share(*parts: str) -> float:
    """A stable number in [0, 1) from the given text."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@transaction.atomic
def demo_reports_seed() -> SeedReport:
    report = SeedReport(_("Learning reports"))
    _seed_heads(report)
    _seed_progress(report)
    return report


def _seed_heads(report: SeedReport) -> None:
    counts = report.add(_("department heads"))
    manager_group = Group.objects.filter(name=ROLE_MANAGER).first()
    for department in Department.objects.filter(parent__isnull=True, head__isnull=True):
        head = (
            Employee.objects.active()
            .filter(department=department, position__name="部门经理")
            .order_by("employee_no")
            .first()
        )
        if head is None:
            continue
        department.head = head
        department.save(update_fields=["head"])
        counts.created += 1
    heads = Employee.objects.filter(headed_departments__isnull=False).select_related("user")
    for head in heads.distinct():
        if manager_group is not None and not head.user.groups.filter(pk=manager_group.pk).exists():
            head.user.groups.add(manager_group)
            counts.updated += 1
        else:
            counts.unchanged += 1


def _seed_progress(report: SeedReport) -> None:
    counts = report.add(_("demo progress"))
    today = timezone.localdate()
    started = set(
        EnrolmentItem.objects.filter(
            status__in=[EnrolmentItem.Status.COMPLETED, EnrolmentItem.Status.EXEMPT]
        ).values_list("enrolment_id", flat=True)
    )
    items = (
        EnrolmentItem.objects.filter(
            enrolment__status=Enrolment.Status.ACTIVE,
            enrolment__employee__status=Employee.Status.ACTIVE,
        )
        .exclude(status=EnrolmentItem.Status.REMOVED)
        .exclude(enrolment__employee__user__username=DEMO_LEARNER_USERNAME)
        .exclude(enrolment_id__in=started)
        .select_related("enrolment__employee", "item")
        .order_by("enrolment_id", "item__stage__sort_order", "item__sort_order", "pk")
    )
    changed = []
    earlier_open: dict[int, bool] = {}
    for item in items:
        employee = item.enrolment.employee
        diligence = 0.55 + 0.45 * _share(employee.employee_no)
        roll = _share(employee.employee_no, item.title)
        due = item.due_date
        # What is locked behind an open item stays open, as on the learner's path map.
        locked = bool(item.item and item.item.requires_earlier) and earlier_open.get(
            item.enrolment_id, False
        )
        if due is None or locked:
            done = False
        elif due < today:
            done = roll < diligence
        else:
            done = due - today <= dt.timedelta(days=10) and roll < diligence * 0.3
        if not done:
            earlier_open[item.enrolment_id] = True
            counts.unchanged += 1
            continue
        early = int(_share(item.title, employee.employee_no) * 5)
        day = min(
            max(due - dt.timedelta(days=early), employee.start_date - dt.timedelta(days=10)),
            today,
        )
        item.status = EnrolmentItem.Status.COMPLETED
        item.progress = 100
        item.completed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))
        changed.append(item)
    EnrolmentItem.objects.bulk_update(
        changed, ["status", "progress", "completed_at"], batch_size=500
    )
    counts.updated += len(changed)
    enrolments_mark_changed(enrolment_ids={item.enrolment_id for item in changed})
    # Paths whose every item is now done count as completed, as the roll-up would do.
    finished = (
        Enrolment.objects.filter(
            status=Enrolment.Status.ACTIVE, items__status=EnrolmentItem.Status.COMPLETED
        )
        .exclude(items__status=EnrolmentItem.Status.PENDING)
        .distinct()
    )
    for enrolment in finished:
        last = (
            enrolment.items.order_by("-completed_at").values_list("completed_at", flat=True).first()
        )
        enrolment.status = Enrolment.Status.COMPLETED
        enrolment.completed_at = last or timezone.now()
        enrolment.save(update_fields=["status", "completed_at"])
        enrolments_mark_changed(enrolment_ids=[enrolment.pk])
