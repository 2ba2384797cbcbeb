"""Reads of learning paths: who matches a path, and a person's path map."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from courses.translation import canonical_page
from lms.org.models import Department, Employee
from lms.org.selectors import department_descendant_ids, employee_for_user
from lms.paths.models import Enrolment, EnrolmentItem, LearningPath


def employees_matching_rules_of(*, path: LearningPath) -> QuerySet[Employee]:
    query = Q(pk__in=[])
    for rule in path.rules.all():
        condition = Q()
        if rule.department_id:
            department = Department(pk=rule.department_id)
            condition &= Q(department_id__in=department_descendant_ids(department))
        if rule.position_id:
            condition &= Q(position_id=rule.position_id)
        if rule.level_id:
            condition &= Q(level_id=rule.level_id)
        if rule.cohort_id:
            condition &= Q(cohort_id=rule.cohort_id)
        query |= condition
    return Employee.objects.active().filter(query)


@dataclass
class MapItem:
    item: EnrolmentItem
    state: str  # done | exempt | overdue | current | todo | locked
    days_left: int | None


@dataclass
class MapStage:
    name: str
    items: list[MapItem] = field(default_factory=list)

    @property
    def state(self) -> str:
        states = {i.state for i in self.items}
        if states <= {"done", "exempt"}:
            return "done"
        if "overdue" in states:
            return "overdue"
        if states <= {"locked"}:
            return "locked"
        return "current"


@dataclass
class PathMap:
    enrolment: Enrolment
    stages: list[MapStage]
    next_item: MapItem | None
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def path_map_versions_for(*, user: object) -> list[tuple[int, int]]:
    """(enrolment id, map version) of the person's current paths: what their map depends on.

    The API keys its cached copy and its ETag by this, on every start of every phone.
    Written as SQL because compiling the same ORM query costs ten times more than running
    it (0.9 ms against 0.09 ms here); the names come from the models, the values are
    parameters.
    """
    quote = connection.ops.quote_name
    enrolment, employee = Enrolment._meta, Employee._meta
    sql = (
        f"SELECT e.{quote('id')}, e.{quote('map_version')} FROM {quote(enrolment.db_table)} e"  # noqa: S608
        f" INNER JOIN {quote(employee.db_table)} p ON e.{quote('employee_id')} = p.{quote('id')}"
        f" WHERE p.{quote('user_id')} = %s AND e.{quote('status')} <> %s ORDER BY e.{quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [getattr(user, "pk", None), Enrolment.Status.REMOVED.value])
        return [(pk, version) for pk, version in cursor.fetchall()]


def path_maps_for(
    *,
    employee: Employee | None = None,
    user: object | None = None,
    today: dt.date | None = None,
    with_course_pages: bool = True,
) -> list[PathMap]:
    """The learner's paths as stages of items with their states, in a fixed number of queries.

    with_course_pages loads each course item's page (for links on the web page); the
    API only needs the course id and skips that weight on the phone's hottest request.
    """
    today = today or timezone.localdate()
    # By user, the API saves the query that would only look the person up.
    owner = {"employee": employee} if employee is not None else {"employee__user": user}
    enrolments = list(
        Enrolment.objects.current()
        .filter(**owner)
        .select_related("path")
        .order_by("assigned_at", "pk")
    )
    items = (
        EnrolmentItem.objects.filter(enrolment__in=enrolments)
        .exclude(status=EnrolmentItem.Status.REMOVED)
        .order_by("item__stage__sort_order", "item__stage_id", "item__sort_order", "pk")
    )
    if with_course_pages:
        items = items.select_related("item__stage", "item__course")
    else:
        items = items.select_related("item__stage").only(
            "enrolment_id",
            "title",
            "due_date",
            "status",
            "progress",
            "item__kind",
            "item__course_id",
            "item__requires_earlier",
            "item__stage__name",
        )
    by_enrolment: dict[int, list[EnrolmentItem]] = {e.pk: [] for e in enrolments}
    for item in items:
        by_enrolment[item.enrolment_id].append(item)
    return [_path_map(e, by_enrolment[e.pk], today) for e in enrolments]


def _path_map(enrolment: Enrolment, items: list[EnrolmentItem], today: dt.date) -> PathMap:
    stages: list[MapStage] = []
    all_earlier_done = True
    next_item: MapItem | None = None
    done = 0
    for item in items:
        stage_name = item.item.stage.name if item.item else ""
        if not stages or stages[-1].name != stage_name:
            stages.append(MapStage(name=stage_name))
        days_left = (item.due_date - today).days if item.due_date else None
        if item.status == EnrolmentItem.Status.COMPLETED:
            state = "done"
        elif item.status == EnrolmentItem.Status.EXEMPT:
            state = "exempt"
        elif item.item and item.item.requires_earlier and not all_earlier_done:
            state = "locked"
        elif item.is_overdue(today):
            state = "overdue"
        else:
            state = "todo"
        entry = MapItem(item=item, state=state, days_left=days_left)
        if state in ("done", "exempt"):
            done += 1
        else:
            all_earlier_done = False
            if next_item is None and state in ("todo", "overdue"):
                next_item = entry
        stages[-1].items.append(entry)
    if next_item is not None and next_item.state == "todo":
        next_item.state = "current"
    return PathMap(enrolment, stages, next_item, done, len(items))


def user_has_course_in_path(*, user: object, course_id: int) -> bool:
    """Whether a current (not removed) item of the person's paths is this course."""
    return (
        EnrolmentItem.objects.filter(
            enrolment__employee__user=user,
            enrolment__status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
            item__course_id=course_id,
        )
        .exclude(status=EnrolmentItem.Status.REMOVED)
        .exists()
    )


@dataclass(frozen=True)
class NextInPath:
    """The item of the learner's path that follows this course."""

    title: str
    path: str
    locked: bool  # locked until the earlier items (this course among them) are done
    course: Any  # the course page, or None for sessions, surveys and tasks


def next_in_path_for(*, user: Any, course: Any) -> list[NextInPath]:
    """What comes after this course in each of the learner's paths that include it."""
    employee = employee_for_user(user)
    if employee is None:
        return []
    course_id = canonical_page(course).pk
    found: list[NextInPath] = []
    for path_map in path_maps_for(employee=employee):
        entries = [entry for stage in path_map.stages for entry in stage.items]
        positions = [
            i
            for i, entry in enumerate(entries)
            if entry.item.item and entry.item.item.course_id == course_id
        ]
        if not positions or positions[-1] + 1 >= len(entries):
            continue
        following = entries[positions[-1] + 1]
        path_item = following.item.item
        found.append(
            NextInPath(
                title=following.item.title,
                path=path_map.enrolment.path.name,
                locked=following.state == "locked",
                course=path_item.course if path_item and path_item.course_id else None,
            )
        )
    return found
