"""Reads of the organisation used in more than one place."""

from __future__ import annotations

from collections import defaultdict

from lms.org.models import Department, Employee, EmployeeQuerySet


def department_descendant_ids(department: Department) -> set[int]:
    """The department and every department below it (the tree is small: load it once)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found = {department.pk}
    frontier = [department.pk]
    while frontier:
        current = frontier.pop()
        for child in children[current]:
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def employees_in_department_tree(
    department: Department, *, people: EmployeeQuerySet | None = None
) -> EmployeeQuerySet:
    """The people (of `people`, default everyone) in the department or any department below it."""
    people = Employee.objects.all() if people is None else people
    return people.filter(department_id__in=department_descendant_ids(department))


def employee_for_user(user) -> Employee | None:  # type: ignore[no-untyped-def]
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def employee_profile_for(user) -> Employee | None:  # type: ignore[no-untyped-def]
    """The signed-in person with everything a profile shows, in one query."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Employee.objects.select_related("department", "position", "level", "cohort")
        .filter(user_id=user.pk)
        .first()
    )
