"""Django's changepassword, through Onramp's one password service.

Same prompts and checks as django.contrib.auth's command (this app comes first in
INSTALLED_APPS, so this one runs), but the password is set by
lms.org.services.password_set: the account's API tokens and sessions end, and the
change is in the credential log as set by an operator.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from lms.org.services import password_set

MAX_TRIES = 3


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str:
        User = get_user_model()
        username = options["username"] or changepassword.getpass.getuser()
        try:
            user = User._default_manager.using(options["database"]).get(
                **{User.USERNAME_FIELD: username}
            )
        except User.DoesNotExist:
            raise CommandError(f"user '{username}' does not exist") from None
        self.stdout.write(f"Changing password for user '{user}'")
        for _attempt in range(MAX_TRIES):
            first = self._get_pass()
            second = self._get_pass("Password (again): ")
            if first != second:
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(second, user)
            except ValidationError as err:
                self.stderr.write("\n".join(err.messages))
                continue
            password_set(user=user, password=second, issued_by_label="manage.py changepassword")
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after {MAX_TRIES} attempts")
