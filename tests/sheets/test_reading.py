"""Uploaded XLSX is read within bounds: hostile archives and sheets are refused or read
exactly, quickly, never by trusting what the file declares about itself."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from lms.sheets.reading import SpreadsheetError, XlsxLimits, read_xlsx_rows
from tests.sheets import factories as hostile

LIMITS = XlsxLimits(
    max_rows=1000,
    max_columns=64,
    max_entries=1000,
    max_uncompressed_bytes=50 * 1024 * 1024,
    max_compression_ratio=100,
    max_cells=100_000,
)
PEOPLE = [hostile.ROSTER_HEADER, *hostile.roster_rows(3)]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(data: bytes, limits: XlsxLimits = LIMITS) -> tuple[list[tuple], float, int]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        rows = read_xlsx_rows(io.BytesIO(data), limits=limits)
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return rows, elapsed, peak


def refused(data: bytes, limits: XlsxLimits = LIMITS) -> str:
    with pytest.raises(SpreadsheetError) as excinfo:
        read_xlsx_rows(io.BytesIO(data), limits=limits)
    return str(excinfo.value.message)


def values(rows: list[tuple]) -> list[tuple]:
    """Rows without the padding to the column limit."""
    return [tuple(v for v in row if v is not None) for row in rows]


def test_an_ordinary_workbook_reads_exactly():
    workbook = Workbook()
    for row in PEOPLE:
        workbook.active.append(row)
    target = io.BytesIO()
    workbook.save(target)
    rows, _elapsed, _peak = read(target.getvalue())
    assert values(rows) == PEOPLE


@pytest.mark.parametrize(
    "build", [hostile.declared_wide, hostile.declared_huge], ids=["A1:XFD300", "A1:XFD1048576"]
)
def test_declared_dimensions_are_ignored(build):
    # Before: A1:XFD300 became 300 rows of 16,384 cells; A1:XFD1048576 a MemoryError.
    rows, _elapsed, peak = read(build())
    assert len(rows) == 4
    assert all(len(row) == 64 for row in rows)
    assert values(rows) == PEOPLE
    assert peak < 5 * 1024 * 1024


def test_a_cell_at_column_xfd_is_outside_the_columns_read():
    rows, _elapsed, peak = read(hostile.cell_at_xfd())
    assert values(rows) == PEOPLE
    assert peak < 5 * 1024 * 1024


def test_a_value_in_the_last_excel_row_is_refused_without_reading_a_million_rows():
    start = time.perf_counter()
    message = refused(hostile.last_row_only())
    assert "value in row 1048576" in message and "at most 1000 rows" in message
    assert time.perf_counter() - start < 2


def test_empty_formatted_rows_below_the_roster_are_not_read():
    rows, _elapsed, _peak = read(hostile.xlsx(hostile.roster_sheet(3, last_row=900_000)))
    assert values(rows) == PEOPLE


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    rows_limit = XlsxLimits(**{**LIMITS.__dict__, "max_uncompressed_bytes": 500 * 1024 * 1024})
    message = refused(hostile.zip_bomb(200), rows_limit)
    assert "unpacks to" in message and "times its packed size" in message
    assert "unpacks to more than 50.0\xa0MB" in refused(hostile.zip_bomb(200))


def test_millions_of_empty_cells_in_a_row_are_refused():
    stored = hostile.xlsx(
        hostile.sheet_xml(
            [hostile.row_xml(1, hostile.ROSTER_HEADER), '<row r="2">' + "<c/>" * 20_000 + "</row>"]
        ),
        compression=zipfile.ZIP_STORED,
    )
    assert "Row 2 of the sheet has more than 16384 cells" in refused(stored)
    assert "times its packed size" in refused(hostile.cells_bomb())


def test_the_cells_of_the_sheet_are_counted():
    small = XlsxLimits(**{**LIMITS.__dict__, "max_cells": 10})
    assert "more than 10 cells" in refused(hostile.xlsx(hostile.roster_sheet(3)), small)


def test_shared_strings_are_counted():
    small = XlsxLimits(**{**LIMITS.__dict__, "max_cells": 10})
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "<si><t>x</t></si>" * 11
        + "</sst>"
    )
    assert "more than 10 cells" in refused(
        hostile.xlsx(hostile.roster_sheet(1), shared_strings=sst), small
    )


def test_an_encrypted_entry_is_refused():
    # Before: zipfile's RuntimeError ("password required") escaped as a server error.
    assert "password-protected" in refused(hostile.encrypted())


def test_too_many_entries_are_refused_from_the_directory_record():
    data = hostile.many_entries(20_000)
    start = time.perf_counter()
    message = refused(data)
    assert "20005 parts; at most 1000" in message
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "build",
    [hostile.billion_laughs, hostile.malformed_sheet, hostile.not_a_number, hostile.not_a_zip],
    ids=["dtd", "malformed", "text-in-number", "not-a-zip"],
)
def test_damaged_workbooks_are_refused_with_the_damaged_message(build):
    # Before: malformed XML and a number cell holding text escaped as server errors.
    assert "damaged or not a real Excel file" in refused(build())


def test_an_unsupported_compression_method_is_refused():
    data = bytearray(hostile.xlsx(hostile.roster_sheet(1), compression=zipfile.ZIP_STORED))
    at = data.find(b"PK\x01\x02")
    data[at + 10] = 99  # AES, as 7-Zip writes for a password
    assert "damaged" in refused(bytes(data))
