"""The HRIS integration: bulk upsert of people, and incremental sync of completions.

`PUT hr/employees/` runs the roster import's own checks (lms.org.roster.clean_row and
lms.org.roster.roster_plan) on JSON rows, so a person is valid through the API
exactly when they would be valid in an uploaded roster. All rows or none are written.

The HRIS calls these as a service client (`Authorization: Bearer onr_…`, made by an admin
with the scopes below); HR people may call them with their own token or session too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api.v1.errors import ErrorDetailOutput, error_body, error_response, errors
from lms.org.models import ServiceClient, ServiceScope
from lms.org.roster import (
    COLUMN_LABELS,
    REQUIRED_COLUMNS,
    RosterTable,
    canonical_column,
    clean_row,
    roster_apply,
    roster_plan,
)
from lms.paths.models import EnrolmentItem
from media.api_common import has_control_characters, time_clamped

MAX_ROWS_DEFAULT = 5000
DRY_RUN_VALUES = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _dry_run(request: Request) -> bool:
    """Only a clear yes or no: `dry_run=maybe` must not be taken as "write"."""
    text = request.query_params.get("dry_run")
    if text is None:
        return False
    value = DRY_RUN_VALUES.get(text.strip().lower())
    if value is None:
        raise ValidationError(
            {"dry_run": [_("Use 1, true or yes to check only; 0, false or no to write.")]}
        )
    return value


class _HrOrScope(permissions.BasePermission):
    """HR people by permission, as in the admin; a service client by one named scope."""

    permission = ""
    scope = ""
    message = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, ServiceClient):
            if self.scope in request.auth.scopes:
                return True
            self.message = _("This service client lacks the scope “%(scope)s”.") % {
                "scope": self.scope
            }
            return False
        return bool(request.user.is_authenticated and request.user.has_perm(self.permission))


class CanImportPeople(_HrOrScope):
    message = "Only HR may change people through the API."
    permission = "org.import_roster"
    scope = ServiceScope.EMPLOYEES_WRITE


class CanReadAllReports(_HrOrScope):
    message = "Only HR may read everyone's completions."
    permission = "reports.view_reports"
    scope = ServiceScope.COMPLETIONS_READ


class EmployeeRowInput(serializers.Serializer):
    """One person; the fields are the roster's columns (Chinese headers work too)."""

    employee_no = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField(help_text="Department name or code.")
    start_date = serializers.DateField()
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    position = serializers.CharField(required=False)
    level = serializers.CharField(required=False)
    manager_no = serializers.CharField(required=False)
    cohort = serializers.CharField(required=False)


class EmployeesUpsertInput(serializers.Serializer):
    employees = EmployeeRowInput(many=True, min_length=1)
    create_missing = serializers.BooleanField(default=False)
    cohort = serializers.CharField(required=False, allow_blank=True, max_length=100)


class RowErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="1 for the first person of the list.")
    employee_no = serializers.CharField(allow_blank=True)
    column = serializers.CharField(allow_blank=True)
    column_label = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class RowsErrorDetailOutput(ErrorDetailOutput):
    rows = RowErrorOutput(
        many=True, required=False, help_text="With code invalid_rows: every problem, by row."
    )


class RowsErrorOutput(serializers.Serializer):
    error = RowsErrorDetailOutput()


class UpsertOutput(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


def _row_error(row: int, employee_no: str, column: str, message: str) -> dict[str, Any]:
    label = str(COLUMN_LABELS.get(column, column)) if column else ""
    return {
        "row": row,
        "employee_no": employee_no,
        "column": column,
        "column_label": label,
        "message": message,
    }


def _rows_response(problems: list[dict[str, Any]]) -> Response:
    message = _("Nothing was written: %(count)d rows have problems.") % {
        "count": len({e["row"] for e in problems})
    }
    body = error_body("invalid_rows", message, rows=problems)
    return Response(RowsErrorOutput(body).data, status=status.HTTP_400_BAD_REQUEST)


class EmployeesUpsertApi(APIView):
    """Create or update people by employee number, all or nothing."""

    permission_classes = [CanImportPeople]

    @extend_schema(
        request=EmployeesUpsertInput,
        responses={
            200: UpsertOutput,
            **errors(),
            400: error_response(
                400,
                "Bad input; with code invalid_rows, nothing was written and error.rows "
                "lists every problem.",
                RowsErrorOutput,
            ),
        },
        parameters=[
            OpenApiParameter(
                "dry_run",
                str,
                enum=sorted(DRY_RUN_VALUES),
                description="1, true or yes: check only, write nothing. Anything else but "
                "0, false or no is refused.",
            )
        ],
        summary="Bulk upsert people (HRIS)",
    )
    def put(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("employees"), list):
            raise ValidationError(
                {"employees": [_('Send {"employees": [ … ]}, a list of people.')]}
            )
        rows_in = body["employees"]
        limit = int(getattr(settings, "HR_API_MAX_ROWS", MAX_ROWS_DEFAULT))
        if not rows_in:
            raise ValidationError({"employees": [_("The list of people is empty.")]})
        if len(rows_in) > limit:
            raise ValidationError(
                {"employees": [_("At most %(max)d people per request.") % {"max": limit}]}
            )
        cohort = body.get("cohort") or ""
        create_missing = body.get("create_missing", False)
        if not isinstance(cohort, str) or len(cohort) > 100:
            raise ValidationError({"cohort": [_("A cohort name of at most 100 characters.")]})
        if has_control_characters(cohort):
            raise ValidationError(
                {"cohort": [_("Control characters (such as NUL) are not allowed in text.")]}
            )
        if not isinstance(create_missing, bool):
            raise ValidationError({"create_missing": [_("Must be true or false.")]})
        dry_run = _dry_run(request)

        table, errors = _table_from_json(rows_in)
        if errors:
            return _rows_response(errors)
        with transaction.atomic():
            plan = roster_plan(
                table=table, cohort_name=cohort.strip(), create_missing=create_missing
            )
            if not plan.is_valid:
                numbers = {p.number: p.employee_no for p in plan.rows}
                return _rows_response(
                    [
                        _row_error(p.row, numbers.get(p.row, ""), p.column, str(p.message))
                        for p in sorted(plan.problems, key=lambda p: (p.row, p.column))
                    ]
                )
            counts = plan.counts
            if not dry_run:
                roster_apply(plan=plan)
        return Response(
            UpsertOutput(
                {
                    "dry_run": dry_run,
                    "created": counts["create"],
                    "updated": counts["update"],
                    "unchanged": counts["unchanged"],
                }
            ).data
        )


def _table_from_json(rows_in: list[Any]) -> tuple[RosterTable, list[dict[str, Any]]]:
    """JSON rows as a roster table; shape errors (not objects, nested values) per row."""
    errors: list[dict[str, Any]] = []
    columns: list[str] | None = None
    rows = []
    for number, raw in enumerate(rows_in, start=1):
        if not isinstance(raw, dict):
            errors.append(_row_error(number, "", "", _("Each person must be a JSON object.")))
            continue
        values: dict[str, Any] = {}
        for key, value in raw.items():
            column = canonical_column(key) if isinstance(key, str) and len(key) <= 50 else None
            if column is None:
                errors.append(
                    _row_error(
                        number, "", "", _("Unknown field “%(field)s”.") % {"field": str(key)[:50]}
                    )
                )
                continue
            if isinstance(value, (dict, list, bool)):
                errors.append(_row_error(number, "", column, _("Must be text, a number or null.")))
                continue
            if column == "start_date" and isinstance(value, str):
                # ISO dates from an HRIS; the roster's own formats work too.
                value = _iso_date(value) or value
            values[column] = value
        employee_no = str(values.get("employee_no") or "")[:32]
        for column in REQUIRED_COLUMNS:
            if column not in values:
                errors.append(
                    _row_error(number, employee_no, column, _("Required; this field is missing."))
                )
        keys = sorted(values)
        if columns is None:
            columns = keys
        elif keys != columns:
            errors.append(
                _row_error(
                    number,
                    employee_no,
                    "",
                    _(
                        "Every person needs the same fields (a field left out would be "
                        "cleared): this one has %(these)s, the first has %(first)s."
                    )
                    % {"these": ", ".join(keys), "first": ", ".join(columns)},
                )
            )
        # Cell problems (a bad phone, an impossible date) stay on the row: roster_plan
        # reports them with the ones it finds against the organisation.
        rows.append(clean_row(number, values))
    return RosterTable(columns=columns or [], ignored_headers=[], rows=rows), errors


class CompletionPagination(CursorPagination):
    """Pages of completions; a `page_size` that is not one whole number from 1 to 1000 is
    a 400 (DRF would quietly use the default, and the sync would not know)."""

    ordering = ("completed_at", "pk")
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Request) -> int:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        text = values[-1]
        if (
            len(values) > 1
            or not (text.isascii() and text.isdigit())
            or not (1 <= int(text) <= self.max_page_size)
        ):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give one whole number from 1 to %(most)d.")
                        % {"most": self.max_page_size}
                    ]
                }
            )
        return int(text)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


class SyncedCompletionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    employee_no = serializers.CharField(source="enrolment.employee.employee_no")
    employee_name = serializers.CharField(source="enrolment.employee.name")
    department_code = serializers.CharField(source="enrolment.employee.department.code")
    path = serializers.CharField(source="enrolment.path.name")
    item = serializers.CharField(source="title")
    kind = serializers.CharField(source="item.kind", default=None, allow_null=True)
    course_id = serializers.IntegerField(source="item.course_id", default=None, allow_null=True)
    completed_at = serializers.DateTimeField()


class CompletionsApi(ListAPIView):
    """Completed items, oldest first, for incremental sync: keep following `next`."""

    permission_classes = [CanReadAllReports]
    serializer_class = SyncedCompletionOutput
    pagination_class = CompletionPagination
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="Only completions at or after this time (ISO 8601); a time "
                "before 2000 or after 2100 counts as that end of the range.",
            )
        ],
        responses={
            200: SyncedCompletionOutput(many=True),
            **errors(400, 404, described={404: "No such page: the cursor is not one we gave."}),
        },
        summary="Completions since a time (HRIS sync)",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        items = EnrolmentItem.objects.filter(
            status=EnrolmentItem.Status.COMPLETED, completed_at__isnull=False
        ).select_related("enrolment__employee__department", "enrolment__path", "item")
        if "since" in self.request.query_params:  # given, even empty: must be a time
            since = _parse_since(self.request.query_params["since"])
            items = items.filter(completed_at__gte=since)
        return items


def _parse_since(text: str) -> dt.datetime:
    from django.utils import timezone

    value = None
    if len(text) <= 40:
        try:
            value = parse_datetime(text.strip())
        except ValueError:
            value = None
    if value is None:
        day = _iso_date(text) if len(text) <= 10 else None
        if day is None:
            raise ValidationError(
                {"since": [_("Use an ISO 8601 time, e.g. 2026-12-01T08:00:00+08:00.")]}
            )
        value = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return time_clamped(value)


def _iso_date(text: str) -> dt.date | None:
    try:
        return parse_date(text.strip())
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        return None
