"""State changes of the organisation: people and their accounts.

Roster imports (read, plan, apply, uploads) live in `lms.org.roster`; the role names in
`lms.org.roles`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
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
from lms.org.roles import ROLE_LEARNER
from lms.org.selectors import account_label, service_key_digest, staff_account_ids

User = get_user_model()

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
