"""How API callers prove who they are: a person's token, or a service client's key.

A person's token (`Authorization: Token <token>`) is a django-rest-knox token: only its
SHA-512 digest is stored, it expires, and a password change deletes it. Phones send one
on every request, so its lookup is one plain SQL statement (see ApiTokenAuthentication).

A service client (`Authorization: Bearer onr_…`) is a system such as the HRIS: it is no
person, so `request.user` stays anonymous and `request.auth` is the ServiceClient;
only views whose permissions name one of its scopes let it in (lms.api.v1.hr).
"""

from __future__ import annotations

import binascii
import functools
from collections.abc import Callable
from typing import Any, TypeAlias

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from lms.org.models import Employee, ServiceClient
from lms.org.selectors import service_client_for_key
from lms.org.services import service_client_used

Converter: TypeAlias = Callable[[Any, Any, Any], Any]


class PasswordChangeRequired(exceptions.APIException):
    """The person still has the password someone else gave them: nothing else until it changes."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _(
        "Choose your own password first: sign in on the web and change the password you "
        "were given. Then sign in here again."
    )
    default_code = "password_change_required"


class _Loader:
    """Turns a slice of a raw row into a model instance, as the ORM would.

    The database adapter's values go through the same converters the ORM applies
    (SQLite hands back datetimes as text and booleans as integers).
    """

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.fields: list[Field] = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f"{alias}.{connection.ops.quote_name(f.column)}" for f in self.fields]
        self.converters: list[tuple[int, Any, list[Converter]]] = []
        for n, field in enumerate(self.fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                self.converters.append((n, column, found))

    def load(self, values: tuple[Any, ...] | list[Any]) -> Model:
        row = list(values)
        for n, column, converters in self.converters:
            for convert in converters:
                row[n] = convert(row[n], column, connection)
        return self.model.from_db(connection.alias, self.attnames, row)


@functools.cache
def _statement(vendor: str) -> tuple[str, _Loader, _Loader]:
    quote = connection.ops.quote_name
    User = get_user_model()
    users, tokens = _Loader(User, "u"), _Loader(AuthToken, "t")
    token_meta, user_meta, employee_meta = AuthToken._meta, User._meta, Employee._meta
    user_pk = f"u.{quote(user_meta.pk.column)}"
    pending = f"e.{quote(employee_meta.get_field('must_change_password').column)}"
    sql = (
        f"SELECT {', '.join(users.columns + tokens.columns)}, {pending}"  # noqa: S608
        f" FROM {quote(token_meta.db_table)} t"
        f" INNER JOIN {quote(user_meta.db_table)} u"
        f" ON t.{quote(token_meta.get_field('user').column)} = {user_pk}"
        f" LEFT OUTER JOIN {quote(employee_meta.db_table)} e"
        f" ON e.{quote(employee_meta.get_field('user').column)} = {user_pk}"
        f" WHERE t.{quote(token_meta.pk.column)} = %s"
    )
    return sql, users, tokens


def _invalid_token() -> exceptions.AuthenticationFailed:
    # Made only when refusing: a translated message costs more than the lookup itself.
    return exceptions.AuthenticationFailed(_("Invalid token."))


class ApiTokenAuthentication(KnoxTokenAuthentication):
    """A person's knox token, found by its digest in one SQL statement with the person.

    Knox's own lookup takes a query for the token and one more for the person's other
    tokens (to sweep expired ones); compiling ORM lookups cost more than running them,
    and was most of a cached path map's time. Here the digest is the primary key, so one
    indexed row gives the token, the account and whether the person must still replace
    a password someone gave them. Expired tokens are deleted when they are met and when
    the person gets a new one.
    """

    def authenticate(self, request: Request) -> tuple[Any, AuthToken] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.authenticate_header(request).lower().encode():
            return None
        if len(auth) == 1:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. No credentials provided.")
            )
        if len(auth) > 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        try:
            token = auth[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            ) from None
        return self.authenticate_credentials(token)

    def authenticate_credentials(self, token: str | bytes) -> tuple[Any, AuthToken]:
        if isinstance(token, bytes):
            token = token.decode()
        try:
            digest = hash_token(token)
        except (TypeError, ValueError, binascii.Error):
            raise _invalid_token() from None
        sql, users, tokens = _statement(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [digest])
            row = cursor.fetchone()
        if row is None:
            raise _invalid_token()
        split = len(users.fields)
        user = users.load(row[:split])
        auth_token = tokens.load(row[split:-1])
        auth_token.user = user
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            raise _invalid_token()
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # NULL without an employee; SQLite says 1, PostgreSQL True.
        if row[-1]:
            raise PasswordChangeRequired()
        if knox_settings.AUTO_REFRESH and auth_token.expiry is not None:
            self.renew_token(auth_token)
        return user, auth_token

    def renew_token(self, auth_token: AuthToken) -> None:
        """Knox's sliding expiry, written at most once per MIN_REFRESH_INTERVAL.

        Unlike knox's own, the token in hand keeps its stored expiry when nothing is written.
        """
        renewed = timezone.now() + knox_settings.TOKEN_TTL
        if knox_settings.AUTO_REFRESH_MAX_TTL is not None:
            renewed = min(renewed, auth_token.created + knox_settings.AUTO_REFRESH_MAX_TTL)
        if (renewed - auth_token.expiry).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL:
            AuthToken.objects.filter(pk=auth_token.pk).update(expiry=renewed)
            auth_token.expiry = renewed


class ServiceClientAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` of a service client; `request.user` stays anonymous."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ServiceClient] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        key = ""
        if len(auth) == 2:
            try:
                key = auth[1].decode("ascii")
            except UnicodeError:
                key = ""
        client = service_client_for_key(key) if key else None
        if client is None:
            raise exceptions.AuthenticationFailed(
                _("Invalid service client key (it may have been replaced or revoked).")
            )
        service_client_used(client=client)
        return AnonymousUser(), client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
