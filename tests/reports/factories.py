"""Paths with items and people on them, for the reports tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lms.paths.models import Enrolment, EnrolmentItem, LearningPath, PathItem, PathStage
from tests.factories import EmployeeFactory


def path_with_items(name: str, stages: list[tuple[str, list[tuple[str, int | None]]]]):
    """A path of stages, each a list of (title, due days); returns (path, [items])."""
    path = LearningPath.objects.create(name=name)
    items = []
    for order, (stage_name, entries) in enumerate(stages):
        stage = PathStage.objects.create(path=path, name=stage_name, sort_order=order)
        for item_order, (title, due) in enumerate(entries):
            items.append(
                PathItem.objects.create(
                    stage=stage,
                    kind=PathItem.Kind.CHECKLIST,
                    title=title,
                    due_days=due,
                    sort_order=item_order,
                )
            )
    return path, items


def enrol(employee, path, items, done=(), exempt=(), completed_at=None):
    """Enrol a person by hand; titles in `done` are completed, in `exempt` exempt."""
    enrolment = Enrolment.objects.create(
        employee=employee, path=path, source=Enrolment.Source.MANUAL
    )
    when = completed_at or timezone.now()
    for item in items:
        status = EnrolmentItem.Status.PENDING
        if item.title in done:
            status = EnrolmentItem.Status.COMPLETED
        elif item.title in exempt:
            status = EnrolmentItem.Status.EXEMPT
        EnrolmentItem.objects.create(
            enrolment=enrolment,
            item=item,
            title=item.title,
            due_date=item.due_date_for(employee.start_date),
            status=status,
            progress=100 if status == EnrolmentItem.Status.COMPLETED else 0,
            completed_at=when if status == EnrolmentItem.Status.COMPLETED else None,
        )
    return enrolment


def people_on_path(count, path, items, department=None, start_date=dt.date(2026, 11, 1), **kwargs):
    people = []
    for _n in range(count):
        extra = {"department": department} if department is not None else {}
        employee = EmployeeFactory(start_date=start_date, **extra)
        enrol(employee, path, items, **kwargs)
        people.append(employee)
    return people
