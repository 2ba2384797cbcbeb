"""Reads of the organisation used in more than one place."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from lms.org.models import Department, Employee, EmployeeQuerySet, ServiceClient


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


def account_label(user: Any) -> str:
    """How a log names an account: the person and their 工号, or the username."""
    if user is None:
        return ""
    employee = employee_for_user(user)
    if employee is not None:
        return f"{employee.name} ({employee.employee_no})"
    return user.get_full_name().strip() or user.get_username()


def staff_account_ids(user_ids: Iterable[int]) -> set[int]:
    """Of these accounts, those that can do more than learn (one query).

    Staff means any permission at all, through a role or directly, or the staff and
    superuser flags: trainers, HR, managers and admins. Learners have none.
    """
    ids = list(user_ids)
    if not ids:
        return set()
    return set(
        get_user_model()
        .objects.filter(pk__in=ids)
        .filter(
            Q(is_superuser=True)
            | Q(is_staff=True)
            | Q(groups__permissions__isnull=False)
            | Q(user_permissions__isnull=False)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def password_change_pending(user: Any) -> bool:
    """Signed in with a password someone else chose, and not yet replaced it."""
    employee = employee_for_user(user)
    return bool(employee is not None and employee.must_change_password)


def service_key_digest(key: str) -> str:
    # The key holds 256 random bits: a fast hash is enough (no password stretching needed).
    return hashlib.sha256(key.encode()).hexdigest()


def service_client_for_key(key: str) -> ServiceClient | None:
    """The usable client whose key this is, or None (wrong, malformed, replaced or revoked)."""
    prefix, _sep, rest = key.partition("_")
    key_id, _sep, secret = rest.partition("_")
    if prefix != "onr" or not key_id or not secret or len(key) > 200:
        return None
    client = ServiceClient.objects.usable().filter(key_id=key_id).first()
    if client is None or not hmac.compare_digest(client.secret_digest, service_key_digest(key)):
        return None
    return client
