"""Signing in with an employee number (工号) or a mobile number, and lockout keys."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from lms.org.models import Employee
from lms.org.roster import normalise_phone


def account_for_identifier(identifier: str) -> AbstractBaseUser | None:
    """The account an identifier names: a username/工号 (any case) or a unique phone."""
    User = get_user_model()
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    users = list(User.objects.filter(username__iexact=identifier)[:2])
    if len(users) == 1:
        return users[0]
    phone = normalise_phone(identifier)
    if phone:
        owners = list(Employee.objects.filter(phone=phone).select_related("user")[:2])
        if len(owners) == 1:  # a shared phone number identifies no one
            return owners[0].user
    return None


class EmployeeNumberOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None or password is None:
            return None
        user = account_for_identifier(username)
        if user is None:
            # Spend the same time as a real check, so timing does not reveal accounts.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Count failures per account, however the person typed it (工号 or phone)."""
    typed = ""
    if credentials:
        typed = credentials.get("username", "") or ""
    elif request is not None:
        typed = request.POST.get("username", "")
    user = account_for_identifier(typed)
    return user.get_username() if user is not None else typed.strip().lower()
