"""State changes of the organisation: people, their accounts, and roster imports."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from knox.models import AuthToken

from lms.org.models import (
    Cohort,
    CredentialIssue,
    Department,
    Employee,
    Level,
    Position,
    ServiceClient,
    ServiceScope,
)
from lms.org.roster import COLUMN_LABELS, CellProblem, RosterFileError, RosterTable, read_roster
from lms.org.selectors import account_label, service_key_digest, staff_account_ids

User = get_user_model()

# Chunk size for IN (...) lookups; SQLite limits the number of bound parameters.
_CHUNK = 900

ROLE_LEARNER = "Learner"
ROLE_TRAINER = "Trainer"
ROLE_HR = "HR"
ROLE_ADMIN = "Admin"
ROLES = (ROLE_LEARNER, ROLE_TRAINER, ROLE_HR, ROLE_ADMIN)


# --- people -----------------------------------------------------------------


def employees_changed(employee_ids: Iterable[int]) -> None:
    """Tell the learning domain that these people were created or changed.

    The organisation does not import the learning domain: the receiver is named by
    the ONRAMP_ON_EMPLOYEES_CHANGED setting (it recomputes assigned paths).
    """
    receiver = getattr(settings, "ONRAMP_ON_EMPLOYEES_CHANGED", "")
    ids = list(employee_ids)
    if receiver and ids:
        import_string(receiver)(ids)


@transaction.atomic
def employee_create(
    *,
    employee_no: str,
    name: str,
    department: Department,
    start_date: dt.date,
    position: Position | None = None,
    level: Level | None = None,
    cohort: Cohort | None = None,
    manager: Employee | None = None,
    phone: str = "",
    email: str = "",
    username: str | None = None,
    password: str | None = None,
    roles: Iterable[str] = (ROLE_LEARNER,),
) -> Employee:
    """Create a person and their sign-in account (username defaults to the employee number)."""
    user = User(username=username or employee_no, email=email, first_name=name[:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    employee = Employee.objects.create(
        user=user,
        employee_no=employee_no,
        name=name,
        phone=phone,
        email=email,
        department=department,
        position=position,
        level=level,
        cohort=cohort,
        manager=manager,
        start_date=start_date,
    )
    employees_changed([employee.pk])
    return employee


@transaction.atomic
def employee_deactivate(*, employee: Employee, left_on: dt.date | None = None) -> Employee:
    """Mark a person as having left. Never deleted: their history stays for reports."""
    employee.status = Employee.Status.LEFT
    employee.left_on = left_on or timezone.localdate()
    employee.save(update_fields=["status", "left_on", "updated_at"])
    User.objects.filter(pk=employee.user_id).update(is_active=False)
    api_tokens_revoke(user=employee.user)
    employees_changed([employee.pk])
    return employee


@transaction.atomic
def employee_update(*, employee: Employee, previous_status: str | None = None) -> Employee:
    """Save HR's edits to a person and keep their account in step with them."""
    leaving = employee.status == Employee.Status.LEFT and previous_status != Employee.Status.LEFT
    returning = (
        employee.status == Employee.Status.ACTIVE and previous_status == Employee.Status.LEFT
    )
    if leaving and employee.left_on is None:
        employee.left_on = timezone.localdate()
    if returning:
        employee.left_on = None
    employee.save()
    User.objects.filter(pk=employee.user_id).update(
        username=employee.employee_no,
        email=employee.email,
        first_name=employee.name[:150],
        is_active=employee.status == Employee.Status.ACTIVE,
    )
    if employee.status != Employee.Status.ACTIVE:
        api_tokens_revoke(user=employee.user)
    employees_changed([employee.pk])
    return employee


@transaction.atomic
def employee_reactivate(*, employee: Employee) -> Employee:
    employee.status = Employee.Status.ACTIVE
    employee.left_on = None
    employee.save(update_fields=["status", "left_on", "updated_at"])
    User.objects.filter(pk=employee.user_id).update(is_active=True)
    employees_changed([employee.pk])
    return employee


# --- sign-in credentials ----------------------------------------------------

# Easy to read aloud and to type on a phone: no 0/O, 1/l/I.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def api_token_create(*, user: AbstractBaseUser) -> str:
    """A new personal API token (one per device); the text is returned once, never stored.

    The person's expired tokens go at the same time, so they do not pile up.
    """
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    _instance, token = AuthToken.objects.create(user=user)
    return token


def api_tokens_revoke(*, user: AbstractBaseUser, digest: str | None = None) -> int:
    """Delete one of a person's API tokens (by digest), or all of them. Returns how many."""
    tokens = AuthToken.objects.filter(user=user)
    if digest is not None:
        tokens = tokens.filter(digest=digest)
    deleted, _per_model = tokens.delete()
    return deleted


@transaction.atomic
def password_set(
    *,
    user: AbstractBaseUser,
    password: str,
    must_change: bool = False,
    issued_by: AbstractBaseUser | None = None,
    issued_by_label: str = "",
) -> None:
    """Give an account a new password: every password change and reset comes through here.

    The account is signed out everywhere: its API tokens are deleted, and its browser
    sessions end because Django ties each session to the password hash (a person changing
    their own password keeps the session they did it in; see update_session_auth_hash).
    When someone else chose the password (`issued_by`, or a label such as a command's
    name), the issue is recorded for admins. Checking the password's strength is the
    form's job; who may issue to whom is `employees_issue_initial_passwords`'s.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    Employee.objects.filter(user_id=user.pk).update(
        must_change_password=must_change, updated_at=timezone.now()
    )
    api_tokens_revoke(user=user)
    if issued_by is not None or issued_by_label:
        kind = CredentialIssue.Kind
        CredentialIssue.objects.create(
            kind=kind.ONE_TIME_PASSWORD if must_change else kind.PASSWORD,
            issued_by=issued_by,
            issued_by_label=issued_by_label or account_label(issued_by),
            account=user,
            issued_to_label=account_label(user),
        )


@dataclass
class PasswordsIssued:
    issued: list[tuple[Employee, str]] = field(default_factory=list)
    # Staff and admins an HR person may not give a password to, and people who left.
    refused: list[Employee] = field(default_factory=list)


def may_issue_credentials_to_staff(user: Any) -> bool:
    """Only an admin may give a sign-in credential to an account that can do more than learn."""
    return bool(user.is_authenticated and user.has_perm("org.issue_staff_credentials"))


@transaction.atomic
def employees_issue_initial_passwords(
    *, employees: Iterable[Employee], issued_by: AbstractBaseUser
) -> PasswordsIssued:
    """Give each person a one-time password to sign in with; they must change it.

    The codes are returned once (for HR to hand out) and stored only as hashes; each
    issue is logged, and the person's API tokens and sessions end. Whoever holds a
    password can act as its owner, so someone without `org.issue_staff_credentials`
    (HR) gets passwords for learners only: staff and admins are refused, not skipped
    silently.
    """
    from django.utils.crypto import get_random_string

    people = list(employees)
    staff = (
        set()
        if may_issue_credentials_to_staff(issued_by)
        else staff_account_ids([e.user_id for e in people])
    )
    result = PasswordsIssued()
    for employee in people:
        if employee.user_id in staff or not employee.is_active:
            result.refused.append(employee)
            continue
        code = get_random_string(10, _CODE_ALPHABET)
        password_set(user=employee.user, password=code, must_change=True, issued_by=issued_by)
        employee.must_change_password = True
        result.issued.append((employee, code))
    return result


# --- service clients (the HRIS and other systems) ---------------------------

_SERVICE_KEY_PREFIX = "onr"


def _service_key() -> tuple[str, str]:
    """A new key `onr_<key id>_<secret>` and its key id; the id finds the row, the digest proves it."""
    key_id = secrets.token_hex(6)
    return f"{_SERVICE_KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}", key_id


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(scopes))
    unknown = [s for s in wanted if s not in ServiceScope.values]
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    return wanted


def _log_service_key(client: ServiceClient, by: AbstractBaseUser, kind: str) -> None:
    CredentialIssue.objects.create(
        kind=kind,
        issued_by=by,
        issued_by_label=account_label(by),
        service_client=client,
        issued_to_label=client.name,
    )


@transaction.atomic
def service_client_create(
    *, name: str, scopes: Iterable[str], created_by: AbstractBaseUser
) -> tuple[ServiceClient, str]:
    """A new service client and its key, returned once (only its digest is kept)."""
    key, key_id = _service_key()
    client = ServiceClient.objects.create(
        name=name.strip(),
        scopes=_check_scopes(scopes),
        key_id=key_id,
        secret_digest=service_key_digest(key),
        created_by=created_by,
    )
    _log_service_key(client, created_by, CredentialIssue.Kind.SERVICE_KEY)
    return client, key


@transaction.atomic
def service_client_rotate(*, client: ServiceClient, rotated_by: AbstractBaseUser) -> str:
    """Replace a client's key: the old one stops working at once. Returns the new key."""
    if client.is_revoked:
        raise PermissionDenied("a revoked service client gets no new key")
    key, key_id = _service_key()
    client.key_id, client.secret_digest = key_id, service_key_digest(key)
    client.rotated_at = timezone.now()
    client.save(update_fields=["key_id", "secret_digest", "rotated_at"])
    _log_service_key(client, rotated_by, CredentialIssue.Kind.SERVICE_KEY_REPLACED)
    return key


def service_client_revoke(*, client: ServiceClient, revoked_by: AbstractBaseUser) -> None:
    """Stop a client for good; the row stays so the log keeps its name."""
    if client.is_revoked:
        return
    client.revoked_at = timezone.now()
    client.revoked_by = revoked_by  # type: ignore[assignment]
    client.save(update_fields=["revoked_at", "revoked_by"])


# How often a client's "last used" is written: once in a while is all an admin needs.
_LAST_USED_EVERY = dt.timedelta(minutes=5)


def service_client_used(*, client: ServiceClient) -> None:
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > _LAST_USED_EVERY:
        ServiceClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def employee_set_language(*, employee: Employee, language: str) -> None:
    Employee.objects.filter(pk=employee.pk).update(preferred_language=language)


# --- roster import ----------------------------------------------------------


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


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    for chunk in _chunks(numbers):
        for employee in Employee.objects.filter(employee_no__in=chunk).select_related(
            "department", "position", "level", "cohort", "manager"
        ):
            existing[employee.employee_no] = employee

    manager_numbers = {
        r.values["manager_no"] for r in plan.rows if r.values.get("manager_no")
    } - set(first_row_of)
    known_managers: set[str] = set()
    for chunk in _chunks(sorted(manager_numbers)):
        known_managers.update(
            Employee.objects.filter(employee_no__in=chunk).values_list("employee_no", flat=True)
        )

    taken_usernames: set[str] = set()
    new_numbers = [n for n in numbers if n not in existing]
    for chunk in _chunks(new_numbers):
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
    for chunk in _chunks(create_numbers):
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
    for chunk in _chunks(create_numbers):
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
    for chunk in _chunks(numbers):
        ids.update(Employee.objects.filter(employee_no__in=chunk).values_list("employee_no", "pk"))
    # One UPDATE per manager: a roster has far fewer managers than people, and a
    # CASE-per-row bulk_update is quadratic-ish on large batches.
    by_manager: dict[int | None, list[int]] = defaultdict(list)
    for number, manager in wanted.items():
        if number in ids:
            by_manager[ids.get(manager) if manager else None].append(ids[number])
    for manager_id, pks in by_manager.items():
        for chunk in _chunks(pks):
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
