"""Who may try to sign in: lockout per account and address, failures per address, proxies.

The addresses are documentation ranges (RFC 5737, RFC 3849). The test client's
connection address is set with REMOTE_ADDR, as gunicorn would set it.
"""

import os
import subprocess
import sys
import uuid

import pytest
from django.test import Client, RequestFactory, override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from lms.org import auth
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # every factory-made account's password
ATTACKER = "198.51.100.66"
OFFICE = "203.0.113.10"
ROOM = "192.0.2.200"  # a training room behind one NAT address
PROXY = "10.0.0.5"
DEAD_REDIS = "redis://127.0.0.1:1/"  # nothing listens on port 1


def person(number=None):
    return EmployeeFactory(**({"employee_no": number} if number else {})).user


def sign_in(client, username, password=PASSWORD, *, address=OFFICE, **extra):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def token(client, username, password=PASSWORD, *, address=OFFICE):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- the lockout is per account and address ------------------------------------------


def test_failures_from_elsewhere_do_not_lock_the_employee_out(client):
    employee = person("E2026001")
    for _ in range(5):  # employee numbers are sequential: anyone can type one
        sign_in(client, "E2026001", "wrong-password", address=ATTACKER)
    locked = sign_in(client, "E2026001", address=ATTACKER, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.content.decode()
    assert "无法从这里登录" in locked.content.decode()
    assert signed_in_as(client) is None

    at_the_office = Client()
    assert sign_in(at_the_office, "E2026001", address=OFFICE).status_code == 302
    assert signed_in_as(at_the_office) == str(employee.pk)


def test_a_made_up_x_forwarded_for_is_ignored_without_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = []
    person("E2026001")
    for n in range(5):
        sign_in(
            client,
            "E2026001",
            "wrong-password",
            address=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    again = sign_in(client, "E2026001", address=ATTACKER, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert again.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_address(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    employee = person("E2026001")
    for _ in range(5):
        sign_in(client, "E2026001", "wrong-password", address=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    # What the attacker writes to the left of the proxy's entry changes nothing.
    forged = sign_in(
        client, "E2026001", address=PROXY, HTTP_X_FORWARDED_FOR=f"{OFFICE}, {ATTACKER}"
    )
    assert forged.status_code == 429
    # The employee, another client of the same proxy, signs in.
    colleague = Client()
    assert (
        sign_in(colleague, "E2026001", address=PROXY, HTTP_X_FORWARDED_FOR=OFFICE).status_code
        == 302
    )
    assert signed_in_as(colleague) == str(employee.pk)


# --- failures per address -------------------------------------------------------------


def test_many_failures_from_one_address_refuse_that_address_for_a_while(client, settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 10
    people = [person() for _ in range(11)]
    # One guess per account, so the per-account lockout never fires; the 10th failure
    # from the address already answers with the lockout page.
    statuses = [
        sign_in(client, user.username, "Password1", address=ATTACKER).status_code
        for user in people[:10]
    ]
    assert statuses == [200] * 9 + [429]
    refused = sign_in(
        Client(), people[10].username, address=ATTACKER, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert refused.status_code == 429
    assert "这个网络" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    # Elsewhere, the same person signs in.
    elsewhere = Client()
    assert sign_in(elsewhere, people[10].username, address=OFFICE).status_code == 302
    assert signed_in_as(elsewhere) == str(people[10].pk)


def test_the_token_endpoint_shares_the_limits(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 3
    people = [person() for _ in range(4)]
    api = APIClient()
    for user in people[:3]:  # wrong passwords, a 400 each: the limit is reached after
        assert token(api, user.username, "Password1", address=ATTACKER).status_code == 400
    refused = token(api, people[3].username, address=ATTACKER)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    # The sign-in page counts the same failures …
    assert sign_in(Client(), people[3].username, address=ATTACKER).status_code == 429
    # … and another address is not concerned.
    assert token(APIClient(), people[3].username, address=OFFICE).status_code == 200


def test_a_locked_account_gets_a_429_from_the_token_endpoint_not_wrong_password(settings):
    user = person("E2026001")
    api = APIClient()
    for _ in range(5):
        assert token(api, "E2026001", "wrong-password", address=ATTACKER).status_code == 400
    refused = token(api, "E2026001", address=ATTACKER)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert token(APIClient(), "E2026001", address=OFFICE).json()["token"]
    assert AuthToken.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("body", [["E1"], "E1", {"username": ["E1"], "password": "x"}])
def test_odd_token_requests_are_a_400_not_an_error(body):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400


def test_the_count_ends_with_its_window(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 2
    settings.SIGN_IN_FAILURE_WINDOW_SECONDS = 900
    start = 1_800_000_000.0  # the start of a window (a multiple of 900)
    auth.address_failure_record(ATTACKER, now=start + 1)
    auth.address_failure_record(ATTACKER, now=start + 2)
    assert auth.address_refused_for(ATTACKER, now=start + 3) == 897
    assert auth.address_refused_for(ATTACKER, now=start + 900) == 0
    assert auth.address_failures(OFFICE, now=start + 3) == 0


@pytest.mark.slow
def test_a_training_room_of_300_behind_one_address_all_sign_in():
    """With the default limit: 300 people, each with two typos, then the right password."""
    people = [person() for _ in range(300)]
    for user in people:
        phone = Client()
        for typo in ("pw-for-test-1", "pw-for-tests-l"):
            assert sign_in(phone, user.username, typo, address=ROOM).status_code == 200
        assert sign_in(phone, user.username, address=ROOM).status_code == 302
        assert signed_in_as(phone) == str(user.pk)
    # The failures were counted, and are still below the limit.
    assert auth.address_failures(ROOM) == 600


# --- the cache: shared between processes, and sign-in without it ----------------------


@pytest.fixture
def redis_cache():
    """The real Redis on this machine. Restored before the suite's cache.clear() runs, so
    that never flushes a database other processes use."""
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/13",
            }
        }
    ):
        yield


def test_failures_are_counted_in_the_shared_cache_not_per_process(redis_cache, settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 3
    # One window for the whole test in both processes, however slow the machine is.
    settings.SIGN_IN_FAILURE_WINDOW_SECONDS = 60 * 100_000
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    other_process = (
        "import django; django.setup()\n"
        "from lms.org.auth import address_failure_record\n"
        f"for _ in range(3): address_failure_record({address!r})\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "CACHE_URL": "redis://127.0.0.1:6379/13",
        "SIGN_IN_FAILURE_WINDOW_MINUTES": "100000",
    }
    done = subprocess.run(
        [sys.executable, "-c", other_process], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert auth.address_failures(address) == 3
    user = person()
    assert sign_in(Client(), user.username, address=address).status_code == 429


@pytest.fixture
def dead_cache():
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": DEAD_REDIS,
            }
        }
    ):
        yield


def test_sign_in_works_while_the_cache_is_down(client, dead_cache):
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisDown

    with pytest.raises(RedisDown):
        cache.get("anything")  # really down, not pretending
    user = person("E2026001")
    assert sign_in(client, "E2026001", "wrong-password").status_code == 200
    assert sign_in(client, "E2026001").status_code == 302
    assert signed_in_as(client) == str(user.pk)
    assert token(APIClient(), "E2026001").status_code == 200
    # The per-account lockout, in the database, still holds.
    for _ in range(5):
        sign_in(Client(), "E2026001", "wrong-password", address=ATTACKER)
    assert sign_in(Client(), "E2026001", address=ATTACKER).status_code == 429


# --- the client's address, from a request ----------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], ATTACKER, OFFICE, ATTACKER),  # no proxy trusted: the header is anyone's
        ([PROXY], ATTACKER, OFFICE, ATTACKER),  # not from the proxy: ignored
        ([PROXY], PROXY, OFFICE, OFFICE),
        ([PROXY], PROXY, f"{OFFICE}, {ATTACKER}", ATTACKER),  # the left part is the client's
        ([PROXY, "10.0.1.0/28"], PROXY, f"{OFFICE}, {ATTACKER}, 10.0.1.3", ATTACKER),
        ([PROXY], PROXY, "", PROXY),  # the proxy sent no header
        ([PROXY], PROXY, "not-an-address", PROXY),
        ([PROXY], PROXY, f"{OFFICE}, 2001:db8::1", "2001:db8::1"),
        ([], "::ffff:198.51.100.66", "", ATTACKER),  # IPv4 through an IPv6 socket
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    assert auth.client_address(request) == expected
