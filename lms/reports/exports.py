"""CSV and XLSX exports of the reports: rows, headers in the reader's language, writers.

Rows come from `values_list(...).iterator()`, so a 300,000-row transcript never sits in
memory as model instances; XLSX is written with openpyxl's write-only workbook, which
streams rows to a temporary file. Dates are shown in the reader's time zone, and text
that a spreadsheet would run as a formula is neutralised (lms.sheets.cells).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, IntegerField, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.org.models import Employee
from lms.paths.models import EnrolmentItem, PathItem
from lms.reports.scope import ReportScope
from lms.reports.selectors import (
    ReportFilters,
    _best_score_subquery,
    report_course_people,
    report_items,
    report_people,
)
from lms.sheets.cells import spreadsheet_safe

CHUNK = 5000


@dataclass(frozen=True)
class ExportRequest:
    kind: str  # a key of EXPORT_KINDS: people | transcript | course | session
    scope: ReportScope
    filters: ReportFilters
    state: str = ""
    search: str = ""
    employee_id: int | None = None
    course_id: int | None = None
    session_id: int | None = None


@dataclass
class ExportTable:
    headers: list[str]
    queryset: QuerySet[Any]
    convert: Callable[[tuple[Any, ...]], list[Any]]

    def count(self) -> int:
        return self.queryset.count()

    def rows(self) -> Iterator[list[Any]]:
        """The converted rows, read with a (server-side on PostgreSQL) cursor.

        Django's row iterator costs ~30 µs a row on this machine, more than the
        query itself for a 300,000-row transcript; the columns are all plain values,
        so the cursor's tuples go straight to `convert` (dates through _date/_moment).
        """
        query = self.queryset.query
        try:
            sql, params = query.get_compiler(using=self.queryset.db).as_sql()
        except EmptyResultSet:  # a .none() queryset: nothing to read
            return
        if not sql:
            return
        with connections[self.queryset.db].chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(CHUNK):
                for row in batch:
                    yield self.convert(row)


def _date(value: Any) -> dt.date | None:
    """A date column as the cursor gives it (SQLite: text) as a date."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _local(value: Any) -> dt.datetime | None:
    """A stored time as a naive local time (what a spreadsheet shows), in the active zone.

    SQLite gives text in UTC, PostgreSQL an aware datetime.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _status_labels() -> dict[str, str]:
    return {key: str(label) for key, label in EnrolmentItem.Status.choices}


def _kind_labels() -> dict[str, str]:
    return {key: str(label) for key, label in PathItem.Kind.choices}


def export_table(request: ExportRequest, *, today: dt.date | None = None) -> ExportTable:
    """The headers (translated now) and the rows of one export."""
    kind = EXPORT_KINDS.get(request.kind, EXPORT_KINDS["transcript"])
    return kind.build(request, today or timezone.localdate())


def _people_table(request: ExportRequest, today: dt.date) -> ExportTable:
    people = report_people(
        scope=request.scope,
        filters=request.filters,
        state=request.state,
        search=request.search,
        today=today,
    ).values_list(
        "employee_no",
        "name",
        "department__name",
        "position__name",
        "level__code",
        "cohort__name",
        "start_date",
        "status",
        "item_count",
        "done_count",
        "overdue_count",
        "next_due",
        "last_done",
    )
    employee_status = {key: str(label) for key, label in Employee.Status.choices}

    def convert(row: tuple[Any, ...]) -> list[Any]:
        (number, name, department, position, level, cohort, start, status) = row[:8]
        items, done, overdue, next_due, last_done = row[8:]
        return [
            number,
            name,
            department,
            position or "",
            level or "",
            cohort or "",
            _date(start),
            employee_status.get(status, status),
            done,
            items,
            round(100 * done / items) if items else 0,
            overdue,
            _date(next_due),
            _local(last_done),
        ]

    headers = [
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Position"),
        _("Level"),
        _("Cohort"),
        _("Start date"),
        _("Employment status"),
        _("Items done"),
        _("Items required"),
        _("Complete (%)"),
        _("Items overdue"),
        _("Next due"),
        _("Last completed"),
    ]
    return ExportTable(headers, people, convert)


def _transcript_table(request: ExportRequest, today: dt.date) -> ExportTable:
    items = report_items(scope=request.scope, filters=request.filters)
    if request.employee_id is not None:
        # One person's full transcript includes what is no longer required.
        items = EnrolmentItem.objects.filter(enrolment__employee_id=request.employee_id).filter(
            request.scope.people_q("enrolment__employee__")
        )
    items = (
        items.annotate(
            # Only course items can have a quiz score: the subquery runs for those alone.
            best=Case(
                When(
                    item__kind=PathItem.Kind.COURSE,
                    then=_best_score_subquery("item__course_id", "enrolment__employee__user_id"),
                ),
                default=None,
                output_field=IntegerField(),
            )
        )
        .order_by(
            "enrolment__employee__employee_no",
            "enrolment_id",
            "item__stage__sort_order",
            "item__sort_order",
            "pk",
        )
        .values_list(
            "enrolment__employee__employee_no",
            "enrolment__employee__name",
            "enrolment__employee__department__name",
            "enrolment__employee__position__name",
            "enrolment__employee__cohort__name",
            "enrolment__path__name",
            "item__stage__name",
            "title",
            "item__kind",
            "status",
            "due_date",
            "completed_at",
            "progress",
            "best",
        )
    )
    statuses, kinds = _status_labels(), _kind_labels()
    overdue_label = _("Overdue")
    pending = EnrolmentItem.Status.PENDING

    def convert(row: tuple[Any, ...]) -> list[Any]:
        number, name, department, position, cohort, path, stage, title, kind = row[:9]
        status, due, completed_at, progress, best = row[9:]
        due = _date(due)
        shown_status = (
            overdue_label
            if status == pending and due is not None and due < today
            else statuses.get(status, status)
        )
        return [
            number,
            name,
            department,
            position or "",
            cohort or "",
            path,
            stage or "",
            title,
            kinds.get(kind, kind or ""),
            shown_status,
            due,
            _local(completed_at),
            progress,
            best,
        ]

    headers = [
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Position"),
        _("Cohort"),
        _("Learning path"),
        _("Stage"),
        _("Item"),
        _("Kind"),
        _("Status"),
        _("Due date"),
        _("Completed at"),
        _("Progress (%)"),
        _("Best quiz score (%)"),
    ]
    return ExportTable(headers, items, convert)


def _course_table(request: ExportRequest, today: dt.date) -> ExportTable:
    items = report_course_people(
        scope=request.scope,
        filters=request.filters,
        course_id=request.course_id or 0,
        state=request.state,
    ).values_list(
        "enrolment__employee__employee_no",
        "enrolment__employee__name",
        "enrolment__employee__department__name",
        "enrolment__path__name",
        "status",
        "due_date",
        "completed_at",
        "progress",
        "best",
    )
    statuses = _status_labels()

    def convert(row: tuple[Any, ...]) -> list[Any]:
        number, name, department, path, status, due, completed_at, progress, best = row
        return [
            number,
            name,
            department,
            path,
            statuses.get(status, status),
            _date(due),
            _local(completed_at),
            progress,
            best,
        ]

    headers = [
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Learning path"),
        _("Status"),
        _("Due date"),
        _("Completed at"),
        _("Progress (%)"),
        _("Best quiz score (%)"),
    ]
    return ExportTable(headers, items, convert)


@dataclass(frozen=True)
class ExportKind:
    build: Callable[[ExportRequest, dt.date], ExportTable]
    # The ExportRequest field this kind cannot go without (a course's or a session's page).
    needs: str = ""


# Each export kind's table. Kinds that need another app register themselves when it
# loads (lms.reports.sessions adds "session"), so this module imports no other app.
EXPORT_KINDS: dict[str, ExportKind] = {
    "people": ExportKind(_people_table),
    "transcript": ExportKind(_transcript_table),
    "course": ExportKind(_course_table, needs="course_id"),
}


# --- writers -----------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return spreadsheet_safe(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: ExportTable, rows: Iterable[list[Any]] | None = None) -> Iterator[str]:
    """The CSV text in pieces, starting with a BOM (Excel on a Chinese Windows needs it)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([spreadsheet_safe(h) for h in table.headers])
    for row in rows if rows is not None else table.rows():
        yield writer.writerow([_csv_cell(value) for value in row])


def write_csv(
    table: ExportTable, target: IO[bytes], progress: Callable[[int], None] | None = None
) -> int:
    rows = 0
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        text.write("\ufeff")
        writer.writerow([spreadsheet_safe(h) for h in table.headers])
        for row in _counting(table.rows(), progress):
            writer.writerow([_csv_cell(value) for value in row])
            rows += 1
    finally:
        text.detach()
    return rows


def write_xlsx(
    table: ExportTable,
    target: IO[bytes],
    *,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """A one-sheet workbook streamed row by row (see lms.sheets.xlsx for why not openpyxl)."""
    from lms.sheets.xlsx import write_table

    return write_table(
        target,
        headers=[str(h) for h in table.headers],
        rows=_counting(table.rows(), progress),
        title=title,
    )


def _counting(
    rows: Iterable[list[Any]], progress: Callable[[int], None] | None
) -> Iterator[list[Any]]:
    for done, row in enumerate(rows, start=1):
        yield row
        if progress is not None and done % CHUNK == 0:
            progress(done)
