"""Learning paths, their stages and items, and people enrolled on them."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from lms.paths.models import (
    AssignmentRule,
    Enrolment,
    EnrolmentItem,
    LearningPath,
    PathItem,
    PathStage,
)
from tests.factories import EmployeeFactory


class LearningPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningPath

    name = factory.Sequence(lambda n: f"学习路径{n}")


class PathStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathStage

    path = factory.SubFactory(LearningPathFactory)
    name = factory.Sequence(lambda n: f"阶段{n}")


class PathItemFactory(factory.django.DjangoModelFactory):
    """A checklist task by default; `kind="course", course=…` for a course (no title of its own)."""

    class Meta:
        model = PathItem

    stage = factory.SubFactory(PathStageFactory)
    kind = PathItem.Kind.CHECKLIST
    title = factory.LazyAttributeSequence(
        lambda o, n: f"任务{n}" if o.kind == PathItem.Kind.CHECKLIST else ""
    )


class AssignmentRuleFactory(factory.django.DjangoModelFactory):
    """Who gets a path: pass at least one of department, position, level or cohort."""

    class Meta:
        model = AssignmentRule

    path = factory.SubFactory(LearningPathFactory)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A person put on a path by hand, with no items (see `enrol` for one with its items)."""

    class Meta:
        model = Enrolment

    employee = factory.SubFactory(EmployeeFactory)
    path = factory.SubFactory(LearningPathFactory)
    source = Enrolment.Source.MANUAL


class EnrolmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnrolmentItem

    enrolment = factory.SubFactory(EnrolmentFactory)
    item = factory.SubFactory(
        PathItemFactory, stage__path=factory.SelfAttribute("...enrolment.path")
    )
    title = factory.LazyAttribute(lambda o: o.item.title)
    due_date = factory.LazyAttribute(lambda o: o.item.due_date_for(o.enrolment.employee.start_date))


def path_with_items(name: str, stages: list[tuple[str, list[tuple[str, int | None]]]]):
    """A path of stages, each a list of (title, due days); returns (path, [items])."""
    path = LearningPathFactory(name=name)
    items = []
    for order, (stage_name, entries) in enumerate(stages):
        stage = PathStageFactory(path=path, name=stage_name, sort_order=order)
        for item_order, (title, due) in enumerate(entries):
            items.append(
                PathItemFactory(stage=stage, title=title, due_days=due, sort_order=item_order)
            )
    return path, items


def enrol(employee, path, items, done=(), exempt=(), completed_at=None):
    """Enrol a person by hand; titles in `done` are completed, in `exempt` exempt."""
    enrolment = EnrolmentFactory(employee=employee, path=path)
    when = completed_at or timezone.now()
    for item in items:
        status = EnrolmentItem.Status.PENDING
        if item.title in done:
            status = EnrolmentItem.Status.COMPLETED
        elif item.title in exempt:
            status = EnrolmentItem.Status.EXEMPT
        completed = status == EnrolmentItem.Status.COMPLETED
        EnrolmentItemFactory(
            enrolment=enrolment,
            item=item,
            status=status,
            progress=100 if completed else 0,
            completed_at=when if completed else None,
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
