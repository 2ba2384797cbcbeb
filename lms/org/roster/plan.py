"""Roster import, step 2: check the rows read from a file against the organisation.

`roster_plan` decides, row by row, whether a person is created, updated, left unchanged
or rejected, and what is missing (departments, positions, levels, cohorts). It reads
the database and writes nothing; `lms.org.roster.apply` writes a valid plan.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from lms.org.models import Cohort, Department, Employee, Level, Position
from lms.org.roster.read import COLUMN_LABELS, CellProblem, RosterTable

User = get_user_model()

# Chunk size for IN (...) lookups; SQLite limits the number of bound parameters.
CHUNK = 900


def chunked(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    """`items` in slices small enough for one IN (...) lookup."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class PlannedRow:
    number: int
    employee_no: str
    values: dict[str, Any]
    action: str = "create"  # create | update | unchanged | reject
    employee: Employee | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class RosterPlan:
    """What an import would do: every row's action, and every problem found."""

    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    file_error: str = ""
    ignored_headers: list[str] = field(default_factory=list)
    to_create: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.file_error and not self.problems

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {
            "create": counted["create"],
            "update": counted["update"],
            "unchanged": counted["unchanged"],
            "reject": len({p.row for p in self.problems}),
            "total": len(self.rows),
        }

    def report(self) -> dict[str, Any]:
        """A JSON-able summary in the active language, for the admin and the CLI."""
        return {
            "valid": self.is_valid,
            "file_error": self.file_error,
            "counts": self.counts,
            "ignored_headers": self.ignored_headers,
            "to_create": self.to_create,
            "problems": [
                {"row": p.row, "column": p.column_label, "message": str(p.message)}
                for p in sorted(self.problems, key=lambda p: (p.row, p.column))
            ],
            "changes": [
                {
                    "row": r.number,
                    "employee_no": r.employee_no,
                    "name": r.values.get("name", ""),
                    "action": r.action,
                    "changes": {
                        str(COLUMN_LABELS.get(k, k)): list(v) for k, v in r.changes.items()
                    },
                }
                for r in self.rows
                if r.action in ("create", "update")
            ],
        }


@dataclass
class _Lookups:
    departments_by_code: dict[str, Department]
    departments_by_pk: dict[int | None, Department]
    departments_by_name: dict[str, list[Department]]
    positions: dict[tuple[int | None, str], Position]
    levels: dict[str, Level]
    cohorts: dict[str, Cohort]

    @classmethod
    def load(cls) -> _Lookups:
        by_name: dict[str, list[Department]] = {}
        departments = list(Department.objects.all())
        for department in departments:
            by_name.setdefault(department.name, []).append(department)
        levels: dict[str, Level] = {}
        for level in Level.objects.all():
            levels[level.code.lower()] = level
            if level.name:
                levels.setdefault(level.name.lower(), level)
        return cls(
            departments_by_code={d.code: d for d in departments},
            departments_by_pk={d.pk: d for d in departments},
            departments_by_name=by_name,
            positions={(p.department_id, p.name): p for p in Position.objects.all()},
            levels=levels,
            cohorts={c.name: c for c in Cohort.objects.all()},
        )


def roster_plan(
    *, table: RosterTable, cohort_name: str = "", create_missing: bool = False
) -> RosterPlan:
    """Check every row against the organisation; decide create/update/unchanged."""
    plan = RosterPlan(ignored_headers=table.ignored_headers)
    lookups = _Lookups.load()
    problems = plan.problems
    missing: dict[str, set[str]] = {
        "department": set(),
        "position": set(),
        "level": set(),
        "cohort": set(),
    }
    columns = set(table.columns)

    first_row_of: dict[str, int] = {}
    for row in table.rows:
        problems.extend(row.problems)
        employee_no = row.values.get("employee_no", "")
        if employee_no:
            if employee_no in first_row_of:
                problems.append(
                    CellProblem(
                        row.number,
                        "employee_no",
                        _("Employee number %(no)s already appears in row %(row)d.")
                        % {"no": employee_no, "row": first_row_of[employee_no]},
                    )
                )
            else:
                first_row_of[employee_no] = row.number
        plan.rows.append(PlannedRow(row.number, employee_no, dict(row.values)))

    existing: dict[str, Employee] = {}
    numbers = list(first_row_of)
    for chunk in chunked(numbers):
        for employee in Employee.objects.filter(employee_no__in=chunk).select_related(
            "department", "position", "level", "cohort", "manager"
        ):
            existing[employee.employee_no] = employee

    manager_numbers = {
        r.values["manager_no"] for r in plan.rows if r.values.get("manager_no")
    } - set(first_row_of)
    known_managers: set[str] = set()
    for chunk in chunked(sorted(manager_numbers)):
        known_managers.update(
            Employee.objects.filter(employee_no__in=chunk).values_list("employee_no", flat=True)
        )

    taken_usernames: set[str] = set()
    new_numbers = [n for n in numbers if n not in existing]
    for chunk in chunked(new_numbers):
        taken_usernames.update(
            User.objects.filter(username__in=chunk, employee__isnull=False).values_list(
                "username", flat=True
            )
        )

    for planned in plan.rows:
        values = planned.values
        number = planned.number
        if cohort_name and not values.get("cohort"):
            values["cohort"] = cohort_name

        department_name = values.get("department", "")
        department: Department | None = None
        if department_name:
            department = lookups.departments_by_code.get(department_name)
            candidates = lookups.departments_by_name.get(department_name, [])
            if department is None and len(candidates) == 1:
                department = candidates[0]
            elif department is None and len(candidates) > 1:
                problems.append(
                    CellProblem(
                        number,
                        "department",
                        _(
                            "Several departments are called “%(name)s”; use the department code instead."
                        )
                        % {"name": department_name},
                    )
                )
            elif department is None:
                if create_missing:
                    missing["department"].add(department_name)
                else:
                    problems.append(
                        CellProblem(
                            number,
                            "department",
                            _(
                                "Unknown department “%(name)s”. Create it first or import with “create missing”."
                            )
                            % {"name": department_name},
                        )
                    )
        values["_department"] = department

        position_name = values.get("position", "")
        position: Position | None = None
        if position_name:
            # A department's positions are open to its sub-departments too (a 客户经理
            # of 市场拓展部 works in 华东区), then company-wide ones.
            owner: Department | None = department
            while position is None and owner is not None:
                position = lookups.positions.get((owner.pk, position_name))
                owner = lookups.departments_by_pk.get(owner.parent_id)
            position = position or lookups.positions.get((None, position_name))
            if position is None:
                if create_missing:
                    missing["position"].add(f"{department_name} / {position_name}")
                else:
                    problems.append(
                        CellProblem(
                            number,
                            "position",
                            _("Unknown position “%(name)s” in department “%(department)s”.")
                            % {"name": position_name, "department": department_name},
                        )
                    )
        values["_position"] = position

        for kind, lookup, key in (
            ("level", lookups.levels, (values.get("level") or "").lower()),
            ("cohort", lookups.cohorts, values.get("cohort") or ""),
        ):
            found = lookup.get(key) if key else None
            if key and found is None:
                # An explicitly named --cohort is created on request, like --create-missing.
                if create_missing or (kind == "cohort" and key == cohort_name):
                    missing[kind].add(values[kind])
                else:
                    problems.append(
                        CellProblem(
                            number,
                            kind,
                            _("Unknown level “%(name)s”.") % {"name": values[kind]}
                            if kind == "level"
                            else _("Unknown cohort “%(name)s”.") % {"name": values[kind]},
                        )
                    )
            values[f"_{kind}"] = found

        manager_no = values.get("manager_no", "")
        if manager_no and manager_no not in first_row_of and manager_no not in known_managers:
            problems.append(
                CellProblem(
                    number,
                    "manager_no",
                    _("No employee has the number %(no)s, neither in this file nor in Onramp.")
                    % {"no": manager_no},
                )
            )

        employee = existing.get(planned.employee_no)
        planned.employee = employee
        if employee is None:
            planned.action = "create"
            if planned.employee_no in taken_usernames:
                problems.append(
                    CellProblem(
                        number,
                        "employee_no",
                        _("The account name %(no)s belongs to another person already.")
                        % {"no": planned.employee_no},
                    )
                )
        else:
            planned.changes = _changes(employee, values, columns, cohort_name)
            planned.action = "update" if planned.changes else "unchanged"

    rejected_rows = {p.row for p in problems}
    for planned in plan.rows:
        if planned.number in rejected_rows:
            planned.action = "reject"
    plan.to_create = {kind: sorted(names) for kind, names in missing.items() if names}
    return plan


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _entity_label(entity: Department | Position | Level | Cohort | None) -> str:
    if entity is None:
        return ""
    return entity.code if isinstance(entity, Level) else entity.name


def _changes(
    employee: Employee, values: dict[str, Any], columns: set[str], cohort_name: str
) -> dict[str, tuple[str, str]]:
    """Field-by-field differences. A column absent from the file changes nothing."""
    changes: dict[str, tuple[str, str]] = {}
    for column in ("name", "phone", "email", "start_date"):
        if column in columns and getattr(employee, column) != values.get(column):
            changes[column] = (_display(getattr(employee, column)), _display(values.get(column)))
    for column in ("department", "position", "level", "cohort"):
        if column not in columns and not (column == "cohort" and cohort_name):
            continue
        current = getattr(employee, column)
        new = values.get(f"_{column}")
        new_name = values.get(column) or ""
        if (current.pk if current else None) != (new.pk if new else None) or (
            new is None and new_name
        ):
            changes[column] = (_entity_label(current), new_name)
    if "manager_no" in columns:
        current_no = employee.manager.employee_no if employee.manager else ""
        if current_no != (values.get("manager_no") or ""):
            changes["manager_no"] = (current_no, values.get("manager_no") or "")
    return changes
