"""Assigning learning paths and keeping enrolments in step with people and paths.

Assignment is idempotent: running it again for the same people changes nothing.
Completed work is never undone; items and paths that no longer apply are marked
removed, not deleted, so a person's history survives reorganisations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from lms.org.models import Department, Employee
from lms.paths.models import (
    AssignmentRule,
    Enrolment,
    EnrolmentItem,
    LearningPath,
    PathItem,
    PathStage,
)

_CHUNK = 500


@dataclass
class AssignmentSummary:
    enrolled: int = 0
    removed: int = 0
    items_added: int = 0
    items_removed: int = 0

    def __iadd__(self, other: AssignmentSummary) -> AssignmentSummary:
        self.enrolled += other.enrolled
        self.removed += other.removed
        self.items_added += other.items_added
        self.items_removed += other.items_removed
        return self


class _Rules:
    """Every active rule, with department subtrees expanded once."""

    def __init__(self) -> None:
        parents = dict(Department.objects.values_list("pk", "parent_id"))
        self._ancestors: dict[int, set[int]] = {}
        for pk in parents:
            chain, current = {pk}, parents.get(pk)
            while current is not None and current not in chain:
                chain.add(current)
                current = parents.get(current)
            self._ancestors[pk] = chain
        self.rules = list(
            AssignmentRule.objects.filter(path__is_active=True).values(
                "path_id", "department_id", "position_id", "level_id", "cohort_id"
            )
        )

    def paths_for(self, employee: Employee) -> set[int]:
        departments = self._ancestors.get(employee.department_id, {employee.department_id})
        matched = set()
        for rule in self.rules:
            if rule["department_id"] and rule["department_id"] not in departments:
                continue
            if rule["position_id"] and rule["position_id"] != employee.position_id:
                continue
            if rule["level_id"] and rule["level_id"] != employee.level_id:
                continue
            if rule["cohort_id"] and rule["cohort_id"] != employee.cohort_id:
                continue
            matched.add(rule["path_id"])
        return matched


def _path_items(path_ids: Iterable[int] | None = None) -> dict[int, list[PathItem]]:
    """Items of every path (or of these paths), in stage and item order."""
    items: dict[int, list[PathItem]] = defaultdict(list)
    stages = PathStage.objects.order_by("path_id", "sort_order", "pk")
    if path_ids is not None:
        stages = stages.filter(path_id__in=list(path_ids))
    stages = stages.prefetch_related(
        Prefetch(
            "items",
            queryset=PathItem.objects.select_related("course").order_by("sort_order", "pk"),
        )
    )
    for stage in stages:
        items[stage.path_id].extend(stage.items.all())
    return items


def enrolments_mark_changed(
    *, enrolment_ids: Iterable[int] | None = None, path: LearningPath | None = None
) -> None:
    """Say that these path maps changed, so cached copies and ETags go stale.

    Every write to enrolments or their items calls this in its own transaction; a
    reader that cached an older map keeps it under the older version, never the new.
    """
    if path is not None:
        Enrolment.objects.filter(path=path).update(map_version=F("map_version") + 1)
    ids = sorted(set(enrolment_ids or ()))
    for start in range(0, len(ids), _CHUNK):
        Enrolment.objects.filter(pk__in=ids[start : start + _CHUNK]).update(
            map_version=F("map_version") + 1
        )


@transaction.atomic
def paths_assign_for(*, employees: Iterable[Employee]) -> AssignmentSummary:
    """Bring the enrolments of these people in line with the rules and the paths."""
    people = [e for e in employees]
    summary = AssignmentSummary()
    if not people:
        return summary
    rules = _Rules()
    path_items = _path_items()
    now = timezone.now()
    for start in range(0, len(people), _CHUNK):
        chunk = people[start : start + _CHUNK]
        summary += _assign_chunk(chunk, rules, path_items, now)
    return summary


def _assign_chunk(
    people: list[Employee],
    rules: _Rules,
    path_items: dict[int, list[PathItem]],
    now: dt.datetime,
) -> AssignmentSummary:
    summary = AssignmentSummary()
    existing: dict[tuple[int, int], Enrolment] = {
        (e.employee_id, e.path_id): e
        for e in Enrolment.objects.filter(employee__in=people).prefetch_related("items")
    }
    by_employee: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in existing.values():
        by_employee[enrolment.employee_id].append(enrolment)
    to_create: list[Enrolment] = []
    to_update: list[Enrolment] = []
    for employee in people:
        wanted = rules.paths_for(employee) if employee.is_active else set()
        for enrolment in by_employee[employee.pk]:
            if enrolment.path_id in wanted:
                continue
            # Hand-made enrolments stay while the person is on staff; rule-made ones
            # go when no rule matches any more.
            keep = enrolment.source == Enrolment.Source.MANUAL and employee.is_active
            if not keep and enrolment.status != Enrolment.Status.REMOVED:
                enrolment.status = Enrolment.Status.REMOVED
                enrolment.removed_at = now
                to_update.append(enrolment)
                summary.removed += 1
        for path_id in wanted:
            enrolment = existing.get((employee.pk, path_id))
            if enrolment is None:
                enrolment = Enrolment(
                    employee=employee,
                    path_id=path_id,
                    source=Enrolment.Source.RULE,
                    assigned_at=now,
                )
                to_create.append(enrolment)
                existing[(employee.pk, path_id)] = enrolment
                summary.enrolled += 1
            elif enrolment.status == Enrolment.Status.REMOVED:
                enrolment.status = Enrolment.Status.ACTIVE
                enrolment.source = Enrolment.Source.RULE
                enrolment.removed_at = None
                to_update.append(enrolment)
                summary.enrolled += 1
    Enrolment.objects.bulk_create(to_create, batch_size=_CHUNK)
    Enrolment.objects.bulk_update(to_update, ["status", "source", "removed_at"], batch_size=_CHUNK)

    new_items: list[EnrolmentItem] = []
    changed_items: list[EnrolmentItem] = []
    start_dates = {e.pk: e.start_date for e in people}
    created = {id(e) for e in to_create}
    for (employee_id, _path_id), enrolment in existing.items():
        items_added, items_removed = _sync_items(
            enrolment,
            start_dates[employee_id],
            [] if id(enrolment) in created else list(enrolment.items.all()),
            path_items,
            new_items,
            changed_items,
        )
        summary.items_added += items_added
        summary.items_removed += items_removed
    EnrolmentItem.objects.bulk_create(new_items, batch_size=_CHUNK)
    EnrolmentItem.objects.bulk_update(
        changed_items, ["status", "due_date", "title"], batch_size=_CHUNK
    )
    # A new enrolment changes the person's map key by itself; only older ones need a bump.
    fresh = {e.pk for e in to_create}
    enrolments_mark_changed(
        enrolment_ids=[e.pk for e in to_update]
        + [i.enrolment_id for i in changed_items]
        + [i.enrolment_id for i in new_items if i.enrolment_id not in fresh]
    )
    return summary


def _sync_items(
    enrolment: Enrolment,
    start_date: dt.date,
    mine_now: list[EnrolmentItem],
    path_items: dict[int, list[PathItem]],
    new_items: list[EnrolmentItem],
    changed_items: list[EnrolmentItem],
) -> tuple[int, int]:
    """Add the path's new items, mark dropped ones removed; completed work stays."""
    current: dict[int | None, EnrolmentItem] = {}
    for mine in mine_now:
        # Items whose path item was deleted all have item_id None; keep each of them.
        current[mine.item_id if mine.item_id is not None else -mine.pk] = mine
    wanted = {item.pk: item for item in path_items.get(enrolment.path_id, [])}
    active = enrolment.status != Enrolment.Status.REMOVED
    added = removed = 0
    for item_id, item in wanted.items():
        mine = current.get(item_id)
        due = item.due_date_for(start_date)
        if mine is None:
            if active:
                new_items.append(
                    EnrolmentItem(
                        enrolment=enrolment, item=item, title=item.display_title, due_date=due
                    )
                )
                added += 1
        elif active and mine.status == EnrolmentItem.Status.REMOVED:
            mine.status = EnrolmentItem.Status.PENDING
            mine.due_date = due
            changed_items.append(mine)
            added += 1
        elif mine.status == EnrolmentItem.Status.PENDING and (
            mine.due_date != due or mine.title != item.display_title
        ):
            mine.due_date = due
            mine.title = item.display_title
            changed_items.append(mine)
    for item_id, mine in current.items():
        dropped = item_id not in wanted or not active
        if dropped and mine.status == EnrolmentItem.Status.PENDING:
            mine.status = EnrolmentItem.Status.REMOVED
            changed_items.append(mine)
            removed += 1
    return added, removed


@transaction.atomic
def enrolment_assign_manually(*, employee: Employee, path: LearningPath) -> Enrolment:
    """HR assigns a path by hand, whatever the rules say."""
    enrolment, _created = Enrolment.objects.get_or_create(
        employee=employee, path=path, defaults={"source": Enrolment.Source.MANUAL}
    )
    if enrolment.status == Enrolment.Status.REMOVED or enrolment.source != Enrolment.Source.MANUAL:
        enrolment.status = Enrolment.Status.ACTIVE
        enrolment.source = Enrolment.Source.MANUAL
        enrolment.removed_at = None
        enrolment.save(update_fields=["status", "source", "removed_at"])
    new_items: list[EnrolmentItem] = []
    changed: list[EnrolmentItem] = []
    _sync_items(
        enrolment,
        employee.start_date,
        list(enrolment.items.all()),
        _path_items([path.pk]),
        new_items,
        changed,
    )
    EnrolmentItem.objects.bulk_create(new_items)
    EnrolmentItem.objects.bulk_update(changed, ["status", "due_date", "title"])
    enrolments_mark_changed(enrolment_ids=[enrolment.pk])
    return enrolment


@transaction.atomic
def enrolment_item_exempt(*, item: EnrolmentItem, by, note: str = "") -> EnrolmentItem:  # type: ignore[no-untyped-def]
    """Excuse a person from one item (e.g. an experienced hire); it counts as not required."""
    if item.status == EnrolmentItem.Status.COMPLETED:
        return item
    item.status = EnrolmentItem.Status.EXEMPT
    item.exempted_by = by
    item.note = note[:500]
    item.save(update_fields=["status", "exempted_by", "note"])
    enrolments_mark_changed(enrolment_ids=[item.enrolment_id])
    _enrolments_roll_up({item.enrolment_id})
    return item


@transaction.atomic
def path_copy(*, path: LearningPath, name: str) -> LearningPath:
    """A new, inactive path with the same stages and items (rules are not copied)."""
    copy = LearningPath.objects.create(name=name, description=path.description, is_active=False)
    for stage in path.stages.order_by("sort_order", "pk"):
        new_stage = PathStage.objects.create(
            path=copy, name=stage.name, description=stage.description, sort_order=stage.sort_order
        )
        PathItem.objects.bulk_create(
            [
                PathItem(
                    stage=new_stage,
                    kind=item.kind,
                    title=item.title,
                    course_id=item.course_id,
                    sign_off=item.sign_off,
                    due_days=item.due_days,
                    requires_earlier=item.requires_earlier,
                    sort_order=item.sort_order,
                )
                for item in stage.items.order_by("sort_order", "pk")
            ]
        )
    return copy


def path_members(*, path: LearningPath) -> list[Employee]:
    """Everyone whose enrolment in this path may need re-syncing after it changed."""
    return list(
        Employee.objects.filter(enrolments__path=path).select_related("department").distinct()
    )


def _enrolments_roll_up(enrolment_ids: set[int]) -> None:
    """An enrolment is completed when every item still required is done or exempt."""
    now = timezone.now()
    for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids, status=Enrolment.Status.ACTIVE):
        open_items = enrolment.items.filter(status=EnrolmentItem.Status.PENDING).exists()
        if (
            not open_items
            and enrolment.items.filter(status=EnrolmentItem.Status.COMPLETED).exists()
        ):
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.completed_at = now
            enrolment.map_version = F("map_version") + 1
            enrolment.save(update_fields=["status", "completed_at", "map_version"])


@transaction.atomic
def course_progress_record(
    *, user: object, course_id: int, done: int, total: int, complete: bool
) -> None:
    """Carry a course's completion to the path items that ask for it. Never undone."""
    items = list(
        EnrolmentItem.objects.select_for_update().filter(
            enrolment__employee__user=user,
            item__course_id=course_id,
            status=EnrolmentItem.Status.PENDING,
        )
    )
    now = timezone.now()
    percent = 100 if complete else (round(100 * done / total) if total else 0)
    for item in items:
        item.progress = max(item.progress, percent)
        if complete:
            item.status = EnrolmentItem.Status.COMPLETED
            item.completed_at = now
    EnrolmentItem.objects.bulk_update(items, ["progress", "status", "completed_at"])
    enrolments_mark_changed(enrolment_ids=[item.enrolment_id for item in items])
    if complete:
        _enrolments_roll_up({item.enrolment_id for item in items})


@transaction.atomic
def checklist_items_tick(*, user: object, item_ids: list[int]) -> set[int]:
    """The learner ticks their own checklist tasks; returns the ids that were theirs to tick."""
    items = list(
        EnrolmentItem.objects.select_for_update().filter(
            pk__in=item_ids,
            enrolment__employee__user=user,
            item__kind=PathItem.Kind.CHECKLIST,
            item__sign_off=PathItem.SignOff.LEARNER,
        )
    )
    now = timezone.now()
    for item in items:
        if item.status == EnrolmentItem.Status.PENDING:
            item.status = EnrolmentItem.Status.COMPLETED
            item.completed_at = now
            item.progress = 100
    EnrolmentItem.objects.bulk_update(items, ["status", "completed_at", "progress"])
    enrolments_mark_changed(enrolment_ids=[item.enrolment_id for item in items])
    _enrolments_roll_up({item.enrolment_id for item in items})
    return {item.pk for item in items}


@transaction.atomic
def path_items_complete(*, user: object, item_ids: Iterable[int]) -> int:
    """Complete this person's pending items of these path items (an attended session, a
    submitted survey). Never undone; returns how many items were completed."""
    items = list(
        EnrolmentItem.objects.select_for_update().filter(
            enrolment__employee__user=user,
            item_id__in=list(item_ids),
            status=EnrolmentItem.Status.PENDING,
        )
    )
    now = timezone.now()
    for item in items:
        item.status = EnrolmentItem.Status.COMPLETED
        item.completed_at = now
        item.progress = 100
    EnrolmentItem.objects.bulk_update(items, ["status", "completed_at", "progress"])
    enrolments_mark_changed(enrolment_ids=[item.enrolment_id for item in items])
    _enrolments_roll_up({item.enrolment_id for item in items})
    return len(items)
