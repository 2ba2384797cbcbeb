from functools import partial

from django.db import transaction
from django_tasks import task

from lms.ops import lanes
from lms.org.models import Employee
from lms.paths.models import LearningPath
from lms.paths.selectors import employees_matching_rules_of
from lms.paths.services import enrolments_mark_changed, path_members, paths_assign_for


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def assign_paths(employee_ids: list[int]) -> dict[str, int]:
    employees = Employee.objects.filter(pk__in=employee_ids).order_by("pk")
    summary = paths_assign_for(employees=employees)
    return summary.__dict__


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def sync_path(path_id: int) -> dict[str, int]:
    """After HR edits a path: everyone in it or matching its rules now."""
    path = LearningPath.objects.filter(pk=path_id).first()
    if path is None:
        return {}
    people = {e.pk: e for e in path_members(path=path)}
    people.update({e.pk: e for e in employees_matching_rules_of(path=path)})
    summary = paths_assign_for(employees=people.values())
    # Names of the path and its stages are read live into every member's map.
    enrolments_mark_changed(path=path)
    return summary.__dict__


def paths_assign_later(employee_ids: list[int]) -> None:
    """Called by the organisation (ONRAMP_ON_EMPLOYEES_CHANGED) when people change."""
    if employee_ids:
        transaction.on_commit(partial(assign_paths.enqueue, employee_ids=sorted(employee_ids)))


def path_sync_later(path_id: int) -> None:
    transaction.on_commit(partial(sync_path.enqueue, path_id=path_id))
