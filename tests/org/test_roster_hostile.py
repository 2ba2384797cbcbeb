"""Hostile roster files through the admin upload, as HR would send them: each one is read
exactly or refused with a reason (400), within bounded memory, and nothing is stored."""

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from lms.org.models import Employee, RosterImport
from lms.org.roster import RosterFileError, read_roster
from tests.factories import DepartmentFactory
from tests.sheets import factories as hostile

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/roster-imports/upload/"
CSV_HEADER = "工号,姓名,部门,入职日期\n"
CSV_PEOPLE = "H1,张三,风险控制部,2026-12-01\nH2,李四,风险控制部,2026-12-01\n"


@pytest.fixture
def hr(role_client):
    client = role_client("HR")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    DepartmentFactory(name="风险控制部", code="risk")
    return client


def upload(client, data: bytes, name: str = "roster.xlsx"):
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, data), "cohort_name": ""})


def refused(client, data: bytes, name: str = "roster.xlsx") -> str:
    people = Employee.objects.count()  # HR's own account
    response = upload(client, data, name)
    assert response.status_code == 400
    assert not RosterImport.objects.exists()
    assert Employee.objects.count() == people
    return " ".join(response.context["form"].errors["file"])


def peak_of_reading(data: bytes, name: str = "roster.xlsx") -> tuple[object, int]:
    tracemalloc.start()
    try:
        with translation.override("en"):
            try:
                result: object = read_roster(io.BytesIO(data), filename=name)
            except RosterFileError as exc:
                result = str(exc.message)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_declared_a1_xfd300_is_previewed_with_its_three_people_in_little_memory(hr):
    # Before: 300 rows of 16,384 cells (4.9 M) and 38 MiB for a 1.7 KB file.
    table, peak = peak_of_reading(hostile.declared_wide())
    assert [row.values["employee_no"] for row in table.rows] == ["H00001", "H00002", "H00003"]
    assert peak < 5 * 1024 * 1024
    response = upload(hr, hostile.declared_wide())
    assert response.status_code == 302
    assert RosterImport.objects.get().counts["create"] == 3


def test_a_declared_a1_xfd1048576_is_previewed_too(hr):
    # Before: MemoryError (every one of the million rows padded to 16,384 cells).
    table, peak = peak_of_reading(hostile.declared_huge())
    assert len(table.rows) == 3
    assert peak < 5 * 1024 * 1024
    assert upload(hr, hostile.declared_huge()).status_code == 302


def test_a_value_in_row_1048576_is_refused(hr):
    # Before: a million empty rows read (10 s) and the stray value taken as a person.
    message = refused(hr, hostile.last_row_only())
    assert "value in row 1048576; at most 51006 rows are read" in message


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (hostile.encrypted, "password-protected"),  # before: a 500 (RuntimeError)
        (hostile.malformed_sheet, "damaged"),  # before: a 500 (ParseError)
        (hostile.not_a_number, "damaged"),  # before: a 500 (ValueError)
        (hostile.zip_bomb, "unpacks to more than 50.0"),  # before: 200 MB inflated
        (hostile.cells_bomb, "times its packed size"),  # before: 52 s and 871 MiB
        (hostile.billion_laughs, "damaged"),
        (hostile.many_entries, "20005 parts"),
        (hostile.not_a_zip, "damaged"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_hostile_workbooks_are_refused_with_a_reason(hr, build, reason):
    assert reason in refused(hr, build())


def test_the_reason_is_translated(hr):
    hr.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert "XLSX 工作簿已损坏" in refused(hr, hostile.malformed_sheet())


def test_a_password_protected_workbook_is_not_called_an_old_xls(hr):
    # Excel saves a workbook with a password as an OLE file holding an EncryptedPackage.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le")
    assert "password-protected" in refused(hr, ole)


# --- CSV --------------------------------------------------------------------------


def test_millions_of_blank_lines_are_refused_without_holding_them(hr, settings):
    # Before: every blank line became a list kept in memory (hundreds of MB).
    data = (CSV_HEADER + CSV_PEOPLE + "\n" * 3_000_000).encode()
    message, peak = peak_of_reading(data, "roster.csv")
    assert message == "The file has more than 51006 lines. Split it into smaller files."
    assert peak < 40 * 1024 * 1024
    assert "more than 51006 lines" in refused(hr, data, "roster.csv")


def test_an_overlong_line_gets_a_translated_reason(hr):
    # Before: csv's own English "field larger than field limit (131072)".
    data = (CSV_HEADER + "H1,张三," + "x" * 200_000 + ",2026-12-01\n").encode()
    assert "Line 2 of the file is longer than 65536 characters" in refused(hr, data, "roster.csv")


def test_excel_unicode_text_is_read(hr):
    # Excel's "Unicode Text (*.txt)" is UTF-16 with a BOM, tab-separated. Before: "not a CSV".
    text = (CSV_HEADER + CSV_PEOPLE).replace(",", "\t")
    response = upload(hr, text.encode("utf-16"), "roster.txt")
    assert response.status_code == 302
    assert RosterImport.objects.get().counts["create"] == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_bom_and_chinese_windows_encodings(hr, encoding):
    response = upload(hr, (CSV_HEADER + CSV_PEOPLE).encode(encoding), "roster.csv")
    assert response.status_code == 302
    assert RosterImport.objects.get().counts["create"] == 2


def test_a_nul_byte_deep_in_the_file_is_a_problem_on_its_cell(hr):
    data = (CSV_HEADER + "H0,填充,风险控制部,2026-12-01\n" * 300).encode()
    data += b"H1,\xe5\xbc\xa0\x00\xe4\xb8\x89,\xe9\xa3\x8e\xe9\x99\xa9\xe6\x8e\xa7\xe5\x88\xb6\xe9\x83\xa8,2026-12-01\n"
    response = upload(hr, data, "roster.csv")
    assert response.status_code == 302
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.INVALID
    assert any("Control characters" in p["message"] for p in item.report["problems"])
    assert not Employee.objects.filter(employee_no__startswith="H").exists()
