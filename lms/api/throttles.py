"""Sign-in through the API waits, as the sign-in page does, while its address or account must."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from lms.org.auth import sign_in_wait


class SignInThrottle(BaseThrottle):
    """A 429 with Retry-After before the password is checked, instead of "wrong password".

    The limits are the sign-in's own (lms.org.auth): failures of the account from this
    address, and failures from this address. This class counts nothing: a failure is
    counted when authentication fails, wherever it is attempted.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        self._wait = 0.0
        if request.method != "POST":
            return True
        data = request.data if isinstance(request.data, Mapping) else {}
        username = data.get("username")
        self._wait = sign_in_wait(request, username=username if isinstance(username, str) else "")
        return not self._wait

    def wait(self) -> float | None:
        return self._wait or None
