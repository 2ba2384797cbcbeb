"""What every /api/v1/ front end shares: its error body, and bounded ids, text and times.

media/ is the lowest package with an API (the video uploads), so these live here and
lms/api reaches them without an upward import. Each id, text or time the API reads
goes through one of these, so a value the database cannot hold (an id past 2⁶³−1, a
NUL byte, a year-1 time that a time zone pushes out of range) is refused as bad input
with the usual error body instead of failing in the database.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.validators import RegexValidator
from django.urls import register_converter
from django.urls.converters import get_converters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Primary keys are 64-bit signed integers (BigAutoField) on every database we run on.
MAX_ID = 2**63 - 1
# No date or time in Onramp is older than this (a start date, a progress event, a filter).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# Line breaks and tabs are text; every other control character is not.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def error_body(
    code: str, message: str, fields: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """The one error body: {"error": {"code", "message", "fields"}} (+ documented extras)."""
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


class ErrorDetailOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: invalid, not_found, …")
    message = serializers.CharField(help_text="For people, in the request's language.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Per input field, the list of its problems; empty when none applies.",
    )


class ErrorOutput(serializers.Serializer):
    error = ErrorDetailOutput()


class IdConverter:
    """`<id:pk>` in a URL: 1 … 2⁶³−1; anything else does not match (a JSON 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def register_id_converter() -> None:
    """`<id:…>` for the API's URL modules (Django keeps one registry for all of them)."""
    if "id" not in get_converters():
        register_converter(IdConverter, "id")


def parse_id(value: Any) -> int | None:
    """An id from a query string or a free-form value; None if it cannot be one."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdField(serializers.IntegerField):
    """A database id: an integer from 1 to 2⁶³−1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS for char in text)


def refuse_control_characters(value: Any) -> None:
    """Refuse NUL and the other control characters in a string, or anywhere inside a
    list or object of strings (survey answers are such JSON)."""
    if isinstance(value, str):
        if has_control_characters(value):
            raise serializers.ValidationError(
                _("Control characters (such as NUL) are not allowed in text."),
                code="control_characters",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(key)
            refuse_control_characters(item)
    elif isinstance(value, list):
        for item in value:
            refuse_control_characters(item)


# The same rule as a pattern, so the schema says it: no Unicode control character (Cc:
# U+0000–U+001F, U+007F–U+009F) but tab, line feed and carriage return.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


class TextField(serializers.CharField):
    """Text as people type it: a JSON string (not a number DRF would turn into one),
    without NUL or other control characters; the schema shows the rule as a pattern."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(
                TEXT_PATTERN,
                message=_("Control characters (such as NUL) are not allowed in text."),
                code="control_characters",
            )
        )

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def latest_time() -> dt.datetime:
    """The latest time a filter or a date in Onramp may name."""
    return dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def time_in_range(value: dt.datetime, latest: Callable[[], dt.datetime] = latest_time) -> bool:
    try:
        return EARLIEST <= value <= latest()
    except (OverflowError, TypeError):  # year 1 with a positive offset; a naive time
        return False


def time_clamped(value: dt.datetime) -> dt.datetime:
    """A filter's bound moved into EARLIEST … latest_time(), where all Onramp's times lie.

    A filter "after the year 516" or "before 9052" selects what the range's end selects,
    so a list filter takes any time the schema's date-time allows instead of a 400.
    """
    if time_in_range(value):
        return value
    try:
        early = value < EARLIEST
    except OverflowError:  # year 1 with a positive offset is before year 1 in UTC
        early = True
    return EARLIEST if early else latest_time()


def time_range_message(latest: Callable[[], dt.datetime] = latest_time) -> str:
    return _("Give a time between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST.date().isoformat(),
        "latest": latest().date().isoformat(),
    }


class BoundedDateTimeField(serializers.DateTimeField):
    """A time between `EARLIEST` and `latest()` (by default the year 2100)."""

    def __init__(self, *, latest: Callable[[], dt.datetime] = latest_time, **kwargs: Any) -> None:
        self.latest = latest
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, str) and has_control_characters(value):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]")
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:  # year 1 with a positive offset is before year 1 in UTC
            parsed = None
        if parsed is None or not time_in_range(parsed, self.latest):
            raise serializers.ValidationError(time_range_message(self.latest), code="out_of_range")
        return parsed


def within_a_day() -> dt.datetime:
    """The latest a phone's clock may say: a day ahead of the server's (time zones, drift)."""
    return timezone.now() + dt.timedelta(days=1)
