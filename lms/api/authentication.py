"""Token authentication for the API, with the lookup phones make on every request kept cheap."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeAlias

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Field, Model
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

Converter: TypeAlias = Callable[[Any, Any, Any], Any]


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

    def load(self, values: tuple[Any, ...]) -> Model:
        row = list(values)
        for n, column, converters in self.converters:
            for convert in converters:
                row[n] = convert(row[n], column, connection)
        return self.model.from_db(connection.alias, self.attnames, row)


@functools.cache
def _statement(vendor: str) -> tuple[str, _Loader, _Loader]:
    quote = connection.ops.quote_name
    users, tokens = _Loader(get_user_model(), "u"), _Loader(Token, "t")
    token_meta, user_meta = Token._meta, get_user_model()._meta
    sql = (
        f"SELECT {', '.join(users.columns + tokens.columns)}"  # noqa: S608
        f" FROM {quote(token_meta.db_table)} t INNER JOIN {quote(user_meta.db_table)} u"
        f" ON t.{quote(token_meta.get_field('user').column)} = u.{quote(user_meta.pk.column)}"
        f" WHERE t.{quote(token_meta.get_field('key').column)} = %s"
    )
    return sql, users, tokens


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with a valid token's lookup as one plain SQL statement.

    Every phone request carries a token; compiling DRF's ORM lookup cost ten times what
    running it did, and was most of a cached path map's time. Anything but a valid token
    of an active user goes on to DRF's own lookup, so refusals and their wording stay DRF's.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        sql, users, tokens = _statement(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            return super().authenticate_credentials(key)
        split = len(users.fields)
        user = users.load(row[:split])
        if not user.is_active:
            return super().authenticate_credentials(key)
        token = tokens.load(row[split:])
        token.user = user
        return user, token
