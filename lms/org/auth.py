"""Signing in with an employee number (工号) or a mobile number, and who may try.

Failed sign-ins lock an account for a while from the address they came from (django-axes,
in the database), and too many failures from one address refuse that address for a
while (counted in the shared cache). The address is the proxy's X-Forwarded-For only when
the connection comes from a trusted proxy.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import time
from typing import Any, TypeAlias

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from lms.org.models import Employee
from lms.org.roster import normalise_phone

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
logger = logging.getLogger(__name__)


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


# --- who is knocking: the client's address ---------------------------------------------


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    # settings.py has already refused an entry that is not an address or a network.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxy_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request: HttpRequest) -> str | None:
    """The address a request comes from, as django-axes and the failure throttle count it.

    X-Forwarded-For is anyone's to write, so it counts only when the connection itself
    comes from a trusted proxy (settings.TRUSTED_PROXIES). Then the header is read from
    the right, past the trusted proxies, to the first address no trusted proxy would
    write: the client. What a client wrote further left is never believed.
    """
    peer = _address(request.META.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return None  # e.g. a Unix socket: connect the proxy to gunicorn over TCP
    networks = trusted_proxy_networks()
    if not networks or not any(peer in network for network in networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") or ""
    client = peer
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy of ours: stop at the last hop that was
        client = address
        if not any(address in network for network in networks):
            break
    return str(client)


# --- failures per address, counted in the shared cache ---------------------------------
#
# Every failed sign-in from an address counts, whichever account it named; successes do
# not. The limit is high, because a training room of 300 shares one NAT address, and low
# enough that one address cannot try thousands of passwords. The count lives in Django's
# cache (Redis when CACHE_URL is set), so every server counts the same failures. A cache
# that is down counts nothing and refuses no one: sign-in must keep working, and the
# per-account lockout (in the database) still holds.

_FAILURES_KEY = "sign-in-failures:{address}:{window}"


def _failure_window(now: float) -> tuple[int, int]:
    """(this window's number, seconds until it ends)."""
    length = settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    number = int(now // length)
    return number, max(int((number + 1) * length - now), 1)


def address_failure_record(address: str | None, *, now: float | None = None) -> int:
    """Count one failure; the address's failures in this window, 0 when not counted."""
    window, left = _failure_window(time.time() if now is None else now)
    key = _FAILURES_KEY.format(address=address, window=window)
    try:
        cache.add(key, 0, timeout=left + 60)
        return int(cache.incr(key))
    except Exception:  # any cache backend's way of being down; see above
        logger.warning("Sign-in failures of %s not counted: the cache is unavailable.", address)
        return 0


def address_failures(address: str | None, *, now: float | None = None) -> int:
    window, _left = _failure_window(time.time() if now is None else now)
    try:
        return int(cache.get(_FAILURES_KEY.format(address=address, window=window)) or 0)
    except Exception:  # any cache backend's way of being down; see above
        logger.warning("Sign-in failures of %s not checked: the cache is unavailable.", address)
        return 0


def address_refused_for(
    address: str | None, *, now: float | None = None, failures: int | None = None
) -> int:
    """Seconds until this address may try again; 0 when it may now."""
    now = time.time() if now is None else now
    if failures is None:
        failures = address_failures(address, now=now)
    if failures < settings.SIGN_IN_FAILURES_PER_ADDRESS:
        return 0
    return _failure_window(now)[1]


class SignInAttemptsHandler(AxesDatabaseHandler):
    """django-axes' database lockout (per account and address), plus the per-address limit."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        wait = address_refused_for(request.axes_ip_address)
        if wait:
            request.sign_in_refused_for = wait
            return True
        return super().is_locked(request, credentials)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        failures = address_failure_record(request.axes_ip_address)
        wait = address_refused_for(request.axes_ip_address, failures=failures)
        if wait:
            # The lockout page instead of "wrong password", however few tries this
            # account had: the address is what is refused.
            request.sign_in_refused_for = wait
            request.axes_locked_out = True
            request.axes_credentials = credentials


def _wait_seconds(request: Any) -> float:
    address_wait = getattr(request, "sign_in_refused_for", 0)
    if address_wait:
        return float(address_wait)
    cool_off = get_cool_off(request)
    return cool_off.total_seconds() if cool_off else 0.0


def sign_in_wait(request: Any, *, username: str) -> float:
    """Seconds before this request may try to sign in as `username`; 0 when it may now.

    For front ends that answer before checking a password (the API's token endpoint).
    """
    from axes.handlers.proxy import AxesProxyHandler

    if AxesProxyHandler.is_allowed(request, {"username": username}):
        return 0.0
    return max(_wait_seconds(request), 1.0)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The lockout page (429): the account from this address, or the whole address."""
    from django.shortcuts import render

    seconds = max(_wait_seconds(request), 1.0)
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "minutes": math.ceil(seconds / 60),
            "whole_address": bool(getattr(request, "sign_in_refused_for", 0)),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(math.ceil(seconds))
    return response
