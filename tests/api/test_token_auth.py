"""API tokens: the one-statement lookup must give the same person, types and refusals as DRF's."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def token_client(token: Token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_a_valid_token_loads_the_whole_person_with_their_types(rf):
    from lms.api.authentication import ApiTokenAuthentication

    employee = EmployeeFactory(employee_no="E100")
    user = employee.user
    user.last_login = timezone.make_aware(dt.datetime(2026, 11, 30, 8, 15, 30, 123456))
    user.is_staff = True
    user.save()
    token = Token.objects.create(user=user)
    request = rf.get("/", HTTP_AUTHORIZATION=f"Token {token.key}")

    found, auth = ApiTokenAuthentication().authenticate(request)

    assert found.pk == user.pk and found.get_username() == user.get_username()
    # The backend's converters ran: SQLite gives text and integers without them.
    assert found.last_login == user.last_login and found.last_login.tzinfo is not None
    assert found.date_joined == user.date_joined
    assert found.is_active is True and found.is_staff is True and found.is_superuser is False
    assert found.password == user.password
    assert not found._state.adding and found._state.db == "default"
    assert auth.key == token.key and auth.user is found and auth.created == token.created
    # Saving the loaded person writes back what was read, unchanged.
    found.save()
    user.refresh_from_db()
    assert user.last_login == found.last_login and user.is_staff


def test_the_lookup_is_one_query(django_assert_max_num_queries):
    token = Token.objects.create(user=EmployeeFactory().user)
    client = token_client(token)
    client.get("/api/v1/me/")  # the connection's first use
    with django_assert_max_num_queries(4):  # token + person with org + roles
        assert client.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    "header, message",
    [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        ("Token " + "0" * 40, "Invalid token."),
        ("Token ' OR '1'='1", "Invalid token header. Token string should not contain spaces."),
        ("Token '--", "Invalid token."),
        ("Token " + "x" * 5000, "Invalid token."),
    ],
)
def test_bad_tokens_are_refused_with_drfs_reason(header, message):
    Token.objects.create(user=EmployeeFactory().user)
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == message


def test_a_leavers_token_stops_working_and_says_why():
    employee = EmployeeFactory()
    token = Token.objects.create(user=employee.user)
    client = token_client(token)
    assert client.get("/api/v1/me/").status_code == 200
    employee.user.is_active = False
    employee.user.save()
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "User inactive or deleted."


def test_a_revoked_token_is_refused_at_once():
    token = Token.objects.create(user=EmployeeFactory().user)
    client = token_client(token)
    assert client.get("/api/v1/me/path/").status_code == 200
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get("/api/v1/me/path/").json()["error"]["message"] == "Invalid token."


def test_refusals_are_translated():
    response = APIClient().get(
        "/api/v1/me/", HTTP_AUTHORIZATION="Token " + "0" * 40, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["error"]["message"] == "认证令牌无效。"
