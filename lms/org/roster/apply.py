"""Roster import, step 3: write a checked plan, all rows or none; and the whole import.

`roster_apply` writes a valid `RosterPlan` (people, their accounts, what was missing);
`roster_import` reads a file, plans it and, unless asked for a dry run or the plan has
problems, applies it in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from lms.org.models import Cohort, Department, Employee, Level, Position
from lms.org.roles import ROLE_LEARNER
from lms.org.roster.plan import RosterPlan, chunked, roster_plan
from lms.org.roster.read import RosterFileError, read_roster
from lms.org.services import employees_changed

User = get_user_model()


@transaction.atomic
def roster_apply(*, plan: RosterPlan) -> dict[str, int]:
    """Write a valid plan: all rows or none. Returns the counts of what was done."""
    if not plan.is_valid:
        raise ValueError("roster_apply needs a plan without problems")

    created_entities = _create_missing_entities(plan)
    for planned in plan.rows:
        values = planned.values
        for kind in ("department", "level", "cohort"):
            if values.get(kind) and values.get(f"_{kind}") is None:
                values[f"_{kind}"] = created_entities[kind][values[kind]]
        if values.get("position") and values.get("_position") is None:
            values["_position"] = created_entities["position"][
                f"{values.get('department', '')} / {values['position']}"
            ]

    now = timezone.now()
    to_create = [p for p in plan.rows if p.action == "create"]
    to_update = [p for p in plan.rows if p.action == "update"]

    # Accounts: reuse a same-named account that has no person yet (e.g. made by hand).
    reusable: dict[str, AbstractUser] = {}
    create_numbers = [p.employee_no for p in to_create]
    for chunk in chunked(create_numbers):
        for user in User.objects.filter(username__in=chunk, employee__isnull=True):
            reusable[user.username] = user
    new_users = []
    for planned in to_create:
        if planned.employee_no in reusable:
            continue
        user = User(
            username=planned.employee_no,
            email=planned.values.get("email", ""),
            first_name=planned.values.get("name", "")[:150],
            date_joined=now,
        )
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=500)
    users = dict(reusable)
    for chunk in chunked(create_numbers):
        for user in User.objects.filter(username__in=chunk):
            users[user.username] = user
    learner = Group.objects.filter(name=ROLE_LEARNER).first()
    if learner is not None:
        memberships = [
            User.groups.through(user_id=users[p.employee_no].pk, group_id=learner.pk)
            for p in to_create
        ]
        User.groups.through.objects.bulk_create(memberships, batch_size=500, ignore_conflicts=True)

    new_employees = [
        Employee(
            user=users[p.employee_no],
            employee_no=p.employee_no,
            created_at=now,
            updated_at=now,
            **_employee_fields(p.values),
        )
        for p in to_create
    ]
    Employee.objects.bulk_create(new_employees, batch_size=500)

    changed: list[Employee] = []
    update_fields = {"updated_at"}
    for planned in to_update:
        employee = planned.employee
        assert employee is not None
        for column in planned.changes:
            if column == "manager_no":
                continue
            model_field = column
            new_value = planned.values.get(f"_{column}", planned.values.get(column))
            setattr(employee, model_field, new_value)
            update_fields.add(model_field)
        employee.updated_at = now
        changed.append(employee)
    if changed:
        Employee.objects.bulk_update(changed, sorted(update_fields), batch_size=500)
        emails = [e for e in changed if "email" in update_fields]
        for employee in emails:
            User.objects.filter(pk=employee.user_id).update(email=employee.email)

    _apply_managers(plan)
    changed_ids = [e.pk for e in new_employees] + [e.pk for e in changed]
    employees_changed(changed_ids)
    counts = plan.counts
    return {
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
    }


def _employee_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": values.get("name", ""),
        "phone": values.get("phone", "") or "",
        "email": values.get("email", "") or "",
        "department": values["_department"],
        "position": values.get("_position"),
        "level": values.get("_level"),
        "cohort": values.get("_cohort"),
        "start_date": values["start_date"],
    }


def _apply_managers(plan: RosterPlan) -> None:
    wanted = {
        p.employee_no: p.values.get("manager_no") or None
        for p in plan.rows
        if p.action == "create" or (p.action == "update" and "manager_no" in p.changes)
    }
    if not wanted:
        return
    numbers = sorted(set(wanted) | {m for m in wanted.values() if m})
    ids: dict[str, int] = {}
    for chunk in chunked(numbers):
        ids.update(Employee.objects.filter(employee_no__in=chunk).values_list("employee_no", "pk"))
    # One UPDATE per manager: a roster has far fewer managers than people, and a
    # CASE-per-row bulk_update is quadratic-ish on large batches.
    by_manager: dict[int | None, list[int]] = defaultdict(list)
    for number, manager in wanted.items():
        if number in ids:
            by_manager[ids.get(manager) if manager else None].append(ids[number])
    for manager_id, pks in by_manager.items():
        for chunk in chunked(pks):
            Employee.objects.filter(pk__in=chunk).update(manager_id=manager_id)


def _unique_code(name: str, taken: set[str]) -> str:
    base = slugify(name, allow_unicode=True)[:40] or "dept"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    taken.add(code)
    return code


def _create_missing_entities(plan: RosterPlan) -> dict[str, dict[str, Any]]:
    created: dict[str, dict[str, Any]] = {
        "department": {},
        "position": {},
        "level": {},
        "cohort": {},
    }
    taken = set(Department.objects.values_list("code", flat=True))
    for name in plan.to_create.get("department", []):
        created["department"][name] = Department.objects.create(
            name=name, code=_unique_code(name, taken)
        )
    departments = {d.name: d for d in Department.objects.all()} | created["department"]
    for key in plan.to_create.get("position", []):
        department_name, _sep, position_name = key.partition(" / ")
        created["position"][key] = Position.objects.get_or_create(
            department=departments.get(department_name), name=position_name
        )[0]
    top_rank = max(Level.objects.values_list("rank", flat=True), default=0)
    for offset, code in enumerate(plan.to_create.get("level", []), start=1):
        created["level"][code] = Level.objects.create(code=code, rank=top_rank + offset)
    for name in plan.to_create.get("cohort", []):
        created["cohort"][name] = Cohort.objects.get_or_create(name=name)[0]
    return created


def roster_import(
    *,
    stream: IO[bytes],
    filename: str = "",
    dry_run: bool = False,
    cohort_name: str = "",
    create_missing: bool = False,
    max_rows: int = 50_000,
) -> tuple[RosterPlan, dict[str, int] | None]:
    """Read, check and (unless dry_run or invalid) write a roster, all or nothing."""
    try:
        table = read_roster(stream, filename=filename, max_rows=max_rows)
    except RosterFileError as exc:
        return RosterPlan(file_error=str(exc.message)), None
    with transaction.atomic():
        plan = roster_plan(table=table, cohort_name=cohort_name, create_missing=create_missing)
        if dry_run or not plan.is_valid:
            return plan, None
        return plan, roster_apply(plan=plan)
