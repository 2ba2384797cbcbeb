"""Reading new-hire rosters: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

Roster import, step 1. Pure functions that turn a file into rows of canonical, cleaned
values and per-cell problems. Nothing here touches the database; `lms.org.roster.plan`
checks the rows against the organisation and `lms.org.roster.apply` writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.sheets.reading import PASSWORD_PROTECTED, SpreadsheetError, XlsxLimits, read_xlsx_rows
from media.api_common import EARLIEST, has_control_characters

# Canonical column -> the headers people actually type, in both languages.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "employee_no": ("工号", "员工编号", "员工号", "employee_no", "employee number", "employee id"),
    "name": ("姓名", "名字", "name", "full name"),
    "phone": ("手机", "手机号", "手机号码", "电话", "phone", "mobile"),
    "email": ("邮箱", "电子邮箱", "邮件", "email", "e-mail"),
    "department": ("部门", "所属部门", "department", "dept"),
    "position": ("岗位", "职位", "position", "job title", "title"),
    "level": ("职级", "级别", "level", "grade"),
    "start_date": ("入职日期", "入职时间", "start_date", "start date", "hire date"),
    "manager_no": ("上级工号", "直属上级工号", "manager_no", "manager number", "manager"),
    "cohort": ("批次", "入职批次", "cohort", "intake"),
}
REQUIRED_COLUMNS = ("employee_no", "name", "department", "start_date")
COLUMN_LABELS: dict[str, Promise] = {
    "employee_no": _("employee number"),
    "name": pgettext_lazy("person", "name"),
    "phone": _("phone"),
    "email": _("email"),
    "department": _("department"),
    "position": _("position"),
    "level": _("level"),
    "start_date": _("start date"),
    "manager_no": _("manager number"),
    "cohort": _("cohort"),
}
MAX_LENGTHS = {
    "employee_no": 32,
    "name": 100,
    "phone": 32,
    "email": 254,
    "department": 100,
    "position": 100,
    "level": 20,
    "manager_no": 32,
    "cohort": 100,
}


def _header_key(text: str) -> str:
    """A header as compared: case, spaces, underscores, brackets and * do not count."""
    return re.sub(r"[\s_*（）()]+", "", text.lower())


_HEADER_LOOKUP = {
    _header_key(alias): column for column, aliases in COLUMN_ALIASES.items() for alias in aliases
}
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CN_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_INTL_PHONE_RE = re.compile(r"^\+\d{7,15}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# Excel's day zero (it counts 1900 as a leap year, so serials start at 1899-12-30).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIAL_RANGE = (20000, 80000)  # 1954 .. 2119: plausible start dates only
_BLANKS = "\u3000\ufeff\u200b\xa0"


class RosterFileError(Exception):
    """The file as a whole cannot be read; the message says what to do about it."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CellProblem:
    row: int  # the row number a person sees in Excel (header is row 1)
    column: str  # canonical column key, "" for the whole row
    message: str | Promise

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, self.column))


@dataclass
class RosterRow:
    number: int
    values: dict[str, Any]
    problems: list[CellProblem] = field(default_factory=list)


@dataclass
class RosterTable:
    columns: list[str]
    ignored_headers: list[str]
    rows: list[RosterRow]


# Blank lines among and below the people that are read past before giving up: the
# sheet (or CSV) is read no further than the row limit plus this.
ROW_MARGIN = 1000
_HEADER_SEARCH_ROWS = 6  # a title row or a few blank lines above the header


def read_roster(stream: IO[bytes], *, filename: str = "", max_rows: int = 50_000) -> RosterTable:
    """Read a roster file and clean every row; raise RosterFileError if unreadable."""
    head = stream.read(8)
    stream.seek(0)
    raw_rows: Iterable[Sequence[Any]]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        data = stream.read()
        if "EncryptedPackage".encode("utf-16-le") in data:
            # Excel saves a workbook with a password as an OLE file, like an old .xls.
            raise RosterFileError(PASSWORD_PROTECTED)
        raise RosterFileError(
            _("This is an old Excel 97–2003 (.xls) file. Save it as .xlsx or CSV and upload again.")
        )
    elif head.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        raw_rows = _xlsx_rows(stream, max_rows=max_rows)
    else:
        raw_rows = _csv_rows(stream.read(), max_rows=max_rows)
    return _table_from_rows(raw_rows, max_rows=max_rows)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export: UTF-16 with a byte order mark, tab-separated.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:4096]:
        raise RosterFileError(
            _(
                "This file is not a CSV text file or an XLSX workbook. Export the roster as CSV or XLSX."
            )
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(
        _(
            "The file's text encoding is not UTF-8 or GBK. Save it from Excel as “CSV UTF-8” and upload again."
        )
    )


def _csv_rows(data: bytes, *, max_rows: int) -> Iterator[list[str]]:
    """The CSV's rows, streamed: at most max_rows + ROW_MARGIN lines, each of a bounded length
    (csv's own field limit is process-wide, so lines are measured here instead)."""
    text = _decode(data).lstrip("\ufeff")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    max_line = settings.CSV_MAX_LINE_CHARS
    max_lines = max_rows + ROW_MARGIN + _HEADER_SEARCH_ROWS

    def lines() -> Iterator[str]:
        for number, line in enumerate(io.StringIO(text, newline=""), start=1):
            if len(line) > max_line:
                raise RosterFileError(
                    _(
                        "Line %(line)d of the file is longer than %(max)d characters; a roster "
                        "line is much shorter. Check that this is the roster."
                    )
                    % {"line": number, "max": max_line}
                )
            if number > max_lines:
                raise RosterFileError(
                    _("The file has more than %(max)d lines. Split it into smaller files.")
                    % {"max": max_lines}
                )
            yield line

    reader = csv.reader(lines(), dialect)
    try:
        yield from reader
    except csv.Error as exc:
        raise RosterFileError(
            _("The CSV file is malformed near line %(line)d. Save it from Excel again and retry.")
            % {"line": reader.line_num}
        ) from exc


def _xlsx_rows(stream: IO[bytes], *, max_rows: int) -> list[tuple[Any, ...]]:
    limits = XlsxLimits.from_settings(max_rows=max_rows + ROW_MARGIN + _HEADER_SEARCH_ROWS)
    try:
        return read_xlsx_rows(stream, limits=limits)
    except SpreadsheetError as exc:
        raise RosterFileError(exc.message) from exc


def canonical_column(header: Any) -> str | None:
    if header is None:
        return None
    return _HEADER_LOOKUP.get(_header_key(str(header).strip(_BLANKS + " ")))


def _table_from_rows(raw_rows: Iterable[Sequence[Any]], *, max_rows: int) -> RosterTable:
    rows_iter = iter(raw_rows)
    # Skip leading blank lines (a title row above the header is common too).
    header_number = 0
    headers: Sequence[Any] | None = None
    for header_number, raw in enumerate(rows_iter, start=1):
        if any(canonical_column(cell) for cell in raw):
            headers = raw
            break
        if header_number >= _HEADER_SEARCH_ROWS:
            break
    if headers is None:
        raise RosterFileError(
            _(
                "No header row found. The first row must name the columns, e.g. 工号, 姓名, 部门, 入职日期."
            )
        )
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        column = canonical_column(header)
        if column is None:
            if header not in (None, ""):
                ignored.append(str(header))
        elif column in positions:
            raise RosterFileError(
                _("The column “%(column)s” appears twice in the header row.")
                % {"column": COLUMN_LABELS[column]}
            )
        else:
            positions[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise RosterFileError(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(str(COLUMN_LABELS[c]) for c in missing)}
        )

    rows: list[RosterRow] = []
    for offset, raw in enumerate(rows_iter, start=header_number + 1):
        if not any(_is_filled(cell) for cell in raw):
            continue
        if len(rows) >= max_rows:
            raise RosterFileError(
                _("The file has more than %(max)d rows. Split it into smaller files.")
                % {"max": max_rows}
            )
        values = {
            column: raw[index] if index < len(raw) else None for column, index in positions.items()
        }
        rows.append(clean_row(offset, values))
    if not rows:
        raise RosterFileError(_("The file has a header row but no people in it."))
    return RosterTable(columns=list(positions), ignored_headers=ignored, rows=rows)


def _is_filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip(_BLANKS + " ") != ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 13800138000 and 1001 as floats
    return str(value).strip(_BLANKS + " ")


def clean_row(number: int, raw: dict[str, Any]) -> RosterRow:
    """Normalise one row's values and note every problem found in it."""
    row = RosterRow(number=number, values={})
    problems = row.problems

    for column in raw:
        if column == "start_date":
            continue
        text = _text(raw[column])
        if has_control_characters(text):
            problems.append(
                CellProblem(
                    number, column, _("Control characters (such as NUL) are not allowed here.")
                )
            )
            text = "".join(char for char in text if not has_control_characters(char))
        limit = MAX_LENGTHS.get(column)
        if limit and len(text) > limit:
            problems.append(
                CellProblem(
                    number,
                    column,
                    _("Too long: at most %(max)d characters.") % {"max": limit},
                )
            )
            text = text[:limit]
        row.values[column] = text

    for column in REQUIRED_COLUMNS:
        if column != "start_date" and not row.values.get(column):
            problems.append(CellProblem(number, column, _("Required; this cell is empty.")))

    employee_no = row.values.get("employee_no", "")
    if employee_no and not EMPLOYEE_NO_RE.match(employee_no):
        problems.append(
            CellProblem(
                number,
                "employee_no",
                _("Use only letters, digits, “.”, “_” and “-” in an employee number."),
            )
        )
    manager_no = row.values.get("manager_no", "")
    if manager_no and manager_no == employee_no:
        problems.append(
            CellProblem(number, "manager_no", _("A person cannot be their own manager."))
        )

    phone = row.values.get("phone", "")
    if phone:
        normalised = normalise_phone(phone)
        if normalised is None:
            problems.append(
                CellProblem(
                    number,
                    "phone",
                    _("“%(value)s” is not a phone number; use 11 digits like 13800138000.")
                    % {"value": phone},
                )
            )
        else:
            row.values["phone"] = normalised

    email = row.values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                CellProblem(
                    number,
                    "email",
                    _("“%(value)s” is not an email address.") % {"value": email},
                )
            )
        else:
            row.values["email"] = email.lower()

    raw_date = raw.get("start_date")
    if not _is_filled(raw_date):
        problems.append(CellProblem(number, "start_date", _("Required; this cell is empty.")))
        row.values["start_date"] = None
    else:
        parsed = parse_roster_date(raw_date)
        if parsed is None:
            problems.append(
                CellProblem(
                    number,
                    "start_date",
                    _("“%(value)s” is not a real date; write it like 2026-12-01.")
                    % {"value": _text(raw_date)},
                )
            )
        elif not start_date_in_range(parsed):
            earliest, latest = start_date_range()
            problems.append(
                CellProblem(
                    number,
                    "start_date",
                    _("A start date lies between %(earliest)s and %(latest)s.")
                    % {"earliest": earliest.isoformat(), "latest": latest.isoformat()},
                )
            )
            parsed = None
        row.values["start_date"] = parsed
    return row


def start_date_range() -> tuple[dt.date, dt.date]:
    """The start dates a person may have: none before 2000, none more than two years ahead
    (a year-1 date would put every due date in year 1)."""
    today = timezone.localdate()
    return EARLIEST.date(), today.replace(year=today.year + 2, day=min(today.day, 28))


def start_date_in_range(value: dt.date) -> bool:
    earliest, latest = start_date_range()
    return earliest <= value <= latest


def normalise_phone(value: str) -> str | None:
    digits = re.sub(r"[\s()（）-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _CN_MOBILE_RE.match(digits) or _INTL_PHONE_RE.match(digits):
        return digits
    if _LANDLINE_RE.match(value.replace(" ", "")):
        return value.replace(" ", "")
    return None


def parse_roster_date(value: Any) -> dt.date | None:
    """Parse the date forms HR files contain; None for anything impossible."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_excel_serial(value)
    text = _text(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_excel_serial(float(text))
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def _from_excel_serial(serial: float) -> dt.date | None:
    low, high = _EXCEL_SERIAL_RANGE
    if not low <= serial <= high:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
