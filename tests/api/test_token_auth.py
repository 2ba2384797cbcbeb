"""Personal API tokens: hashed at rest, expiring, ended by a password change, looked up cheaply."""

import datetime as dt
import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time
from knox.models import AuthToken
from rest_framework.test import APIClient

from lms.org.models import Employee
from lms.org.services import api_token_create, employee_deactivate, employee_update
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def sign_in(username: str, password: str = PASSWORD, **extra):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, **extra
    )


@pytest.fixture
def person():
    employee = EmployeeFactory(employee_no="E100")
    employee.user.set_password(PASSWORD)
    employee.user.save()
    return employee


def test_signing_in_answers_as_before_with_a_token_the_phone_sends_back(person):
    # The phone's flow: form-encoded or JSON, the answer is {"token": "..."} and nothing else.
    for response in (sign_in("E100"), sign_in("E100", format="json")):
        assert response.status_code == 200
        assert set(response.json()) == {"token"}
        token = response.json()["token"]
        assert len(token) == 64
        assert token_client(token).get("/api/v1/me/").json()["employee_no"] == "E100"
    wrong = sign_in("E100", "nope", HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"]["non_field_errors"] == [
        "Unable to log in with provided credentials."
    ]


def test_each_device_gets_its_own_token_and_signing_out_ends_only_that_one(person):
    phone, tablet = sign_in("E100").json()["token"], sign_in("E100").json()["token"]
    assert phone != tablet
    assert token_client(phone).post("/api/v1/auth/token/revoke/").status_code == 204
    assert token_client(phone).get("/api/v1/me/").json()["error"]["message"] == "Invalid token."
    assert token_client(tablet).get("/api/v1/me/").status_code == 200


def test_only_a_digest_of_the_token_is_stored(person, rows_holding):
    token = sign_in("E100").json()["token"]
    assert rows_holding(token) == []
    stored = AuthToken.objects.get(user=person.user)
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    # knox keeps the first 15 characters to tell tokens apart; the other 196 bits are secret.
    assert len(stored.token_key) == 15 and token.startswith(stored.token_key)


def test_tokens_expire_unless_used_and_within_a_maximum_age(person, settings):
    with freeze_time("2026-12-01 09:00"):
        token = sign_in("E100").json()["token"]
        client = token_client(token)
        first_expiry = AuthToken.objects.get().expiry
        assert first_expiry == timezone.now() + dt.timedelta(days=30)
    with freeze_time("2026-12-20 09:00"):
        # Used after 19 days: the expiry moves to 30 days from now, once a day at most.
        assert client.get("/api/v1/me/").status_code == 200
        assert AuthToken.objects.get().expiry == timezone.now() + dt.timedelta(days=30)
    with freeze_time("2027-01-20 09:00"):
        # 31 days unused: refused, and the row is gone.
        response = client.get("/api/v1/me/")
        assert response.json()["error"]["message"] == "Invalid token."
        assert not AuthToken.objects.exists()


def test_a_token_in_daily_use_still_ends_at_its_maximum_age(person):
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    with freeze_time(start):
        client = token_client(sign_in("E100").json()["token"])
    for days in (20, 40, 60, 80, 100, 120, 140, 160, 175):
        with freeze_time(start + dt.timedelta(days=days)):
            assert client.get("/api/v1/me/").status_code == 200
    # Ten days after its last use, but 185 after the password was typed: sign in again.
    with freeze_time(start + dt.timedelta(days=185)):
        assert client.get("/api/v1/me/").json()["error"]["message"] == "Invalid token."


def test_a_valid_token_loads_the_whole_person_with_their_types(rf):
    from lms.api.authentication import ApiTokenAuthentication

    employee = EmployeeFactory(employee_no="E101")
    user = employee.user
    user.last_login = timezone.make_aware(dt.datetime(2026, 11, 30, 8, 15, 30, 123456))
    user.is_staff = True
    user.save()
    token = api_token_create(user=user)
    request = rf.get("/", HTTP_AUTHORIZATION=f"Token {token}")

    with CaptureQueriesContext(connection) as queries:
        found, auth = ApiTokenAuthentication().authenticate(request)
    assert len(queries) == 1

    assert found.pk == user.pk and found.get_username() == user.get_username()
    # The backend's converters ran: SQLite gives text and integers without them.
    assert found.last_login == user.last_login and found.last_login.tzinfo is not None
    assert found.date_joined == user.date_joined
    assert found.is_active is True and found.is_staff is True and found.is_superuser is False
    assert found.password == user.password
    assert not found._state.adding and found._state.db == "default"
    stored = AuthToken.objects.get(user=user)
    assert auth.digest == stored.digest and auth.user is found and auth.expiry == stored.expiry
    # Saving the loaded person writes back what was read, unchanged.
    found.save()
    user.refresh_from_db()
    assert user.last_login == found.last_login and user.is_staff


def test_an_account_without_an_employee_signs_in_too(rf):
    from lms.api.authentication import ApiTokenAuthentication
    from tests.factories import UserFactory

    user = UserFactory()
    request = rf.get("/", HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    found, _auth = ApiTokenAuthentication().authenticate(request)
    assert found.pk == user.pk


def test_an_authenticated_request_costs_one_query_for_the_token(django_assert_num_queries):
    client = token_client(api_token_create(user=EmployeeFactory().user))
    client.get("/api/v1/me/")  # the connection's first use
    # token + person (+ pending password) in one, then the view: employee with org, roles.
    with django_assert_num_queries(3):
        assert client.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    "header, message",
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        ("Token " + "0" * 40, "Invalid token."),
        ("Token " + "0" * 64, "Invalid token."),
        ("Token ' OR '1'='1", "Invalid token header. Token string should not contain spaces."),
        ("Token '--", "Invalid token."),
        ("Token " + "x" * 5000, "Invalid token."),
    ],
)
def test_bad_tokens_are_refused_with_drfs_reason(header, message):
    api_token_create(user=EmployeeFactory().user)
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == message


def test_an_inactive_accounts_token_is_refused_and_says_why():
    employee = EmployeeFactory()
    client = token_client(api_token_create(user=employee.user))
    assert client.get("/api/v1/me/").status_code == 200
    employee.user.is_active = False
    employee.user.save()
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "User inactive or deleted."


def test_leaving_deletes_the_persons_tokens():
    leaver, edited, stayer = EmployeeFactory(), EmployeeFactory(), EmployeeFactory()
    for employee in (leaver, edited, stayer):
        api_token_create(user=employee.user)
    employee_deactivate(employee=leaver)
    edited.status = Employee.Status.LEFT
    employee_update(employee=edited, previous_status=Employee.Status.ACTIVE)  # HR's edit form
    assert list(AuthToken.objects.values_list("user_id", flat=True)) == [stayer.user_id]


def test_a_revoked_token_is_refused_at_once():
    client = token_client(api_token_create(user=EmployeeFactory().user))
    assert client.get("/api/v1/me/path/").status_code == 200
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get("/api/v1/me/path/").json()["error"]["message"] == "Invalid token."


def test_refusals_are_translated():
    response = APIClient().get(
        "/api/v1/me/", HTTP_AUTHORIZATION="Token " + "0" * 40, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["error"]["message"] == "认证令牌无效。"


def test_old_drf_tokens_become_knox_tokens_and_phones_stay_signed_in(person, rows_holding):
    """The migration from DRF's clear-text tokens: same text still works, clear text is gone."""
    old_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's format: 40 hex characters
    table = connection.ops.quote_name("authtoken_token")
    with connection.cursor() as cursor:
        # The table as rest_framework.authtoken left it (that app is no longer installed).
        cursor.execute(
            f"CREATE TABLE {table} (key varchar(40) PRIMARY KEY, created timestamp NOT NULL,"
            " user_id integer NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {table} (key, created, user_id) VALUES (%s, %s, %s)",  # noqa: S608
            [old_key, timezone.now(), person.user_id],
        )
    migration = importlib.import_module("lms.org.migrations.0006_convert_drf_api_tokens_to_knox")
    migration.convert_drf_tokens(apps, SimpleNamespace(connection=connection))

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] == 0
        cursor.execute(f"DROP TABLE {table}")
    assert rows_holding(old_key) == []
    client = token_client(old_key)
    assert client.get("/api/v1/me/").json()["employee_no"] == "E100"
    assert AuthToken.objects.get().expiry > timezone.now() + dt.timedelta(days=29)
