"""import_roster as HR runs it: encodings, header languages, XLSX, every rejection."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from lms.org.models import Cohort, Department, Employee, Level, Position
from lms.org.roster import parse_roster_date
from tests.factories import DepartmentFactory, EmployeeFactory, LevelFactory, PositionFactory

pytestmark = pytest.mark.django_db

ZH_HEADER = ["工号", "姓名", "手机", "邮箱", "部门", "岗位", "职级", "入职日期", "上级工号"]
EN_HEADER = [
    "employee_no",
    "name",
    "phone",
    "email",
    "department",
    "position",
    "level",
    "start_date",
    "manager_no",
]
GOOD_ROWS = [
    [
        "E1001",
        "张伟",
        "13800138000",
        "zhangwei@example.com",
        "风险控制部",
        "风控专员",
        "P1",
        "2026-12-01",
        "",
    ],
    [
        "E1002",
        "李娜",
        "139 0013 8001",
        "LiNa@Example.com",
        "风险控制部",
        "风控专员",
        "P2",
        "2026/12/1",
        "E1001",
    ],
    ["E1003", "王芳", "+86 137-0013-8002", "", "客服部", "客服专员", "P1", "20261201", "E1001"],
]


@pytest.fixture
def org():
    risk = DepartmentFactory(name="风险控制部", code="risk")
    service = DepartmentFactory(name="客服部", code="service")
    PositionFactory(name="风控专员", department=risk)
    PositionFactory(name="客服专员", department=service)
    LevelFactory(code="P1", rank=1)
    LevelFactory(code="P2", rank=2)
    return {"risk": risk, "service": service}


def write_csv(tmp_path: Path, rows, header=ZH_HEADER, encoding="utf-8", name="roster.csv") -> Path:
    text = "\n".join(",".join(str(c) for c in row) for row in [header, *rows]) + "\n"
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows, header=ZH_HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    return path


def run(path: Path, *args: str, language: str = "en") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", str(path), "--language", language, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path, *args: str, language: str = "en") -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_roster",
            str(path),
            "--language",
            language,
            *args,
            stdout=io.StringIO(),
            stderr=err,
        )
    return str(excinfo.value), err.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Employee.objects.order_by("employee_no").values_list(
            "employee_no", "name", "phone", "email", "department_id", "manager_id", "updated_at"
        )
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_imports_everyone(tmp_path, org, encoding):
    out, _err = run(write_csv(tmp_path, GOOD_ROWS, encoding=encoding))
    assert "3 new" in out
    zhang = Employee.objects.get(employee_no="E1001")
    assert zhang.name == "张伟"
    assert zhang.department == org["risk"]
    assert zhang.position.name == "风控专员"
    assert zhang.start_date == dt.date(2026, 12, 1)
    li = Employee.objects.get(employee_no="E1002")
    assert li.manager == zhang
    assert li.phone == "13900138001"
    assert li.email == "lina@example.com"
    assert Employee.objects.get(employee_no="E1003").phone == "13700138002"
    assert li.user.username == "E1002"
    assert li.user.groups.filter(name="Learner").exists()
    assert not li.user.has_usable_password()


def test_english_headers_and_xlsx(tmp_path, org):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][7] = dt.datetime(2026, 12, 1)  # a real Excel date cell
    rows[1][7] = 46357  # an Excel serial number for 2026-12-01
    rows[0][2] = 13800138000  # phone typed as a number
    out, _err = run(write_xlsx(tmp_path, rows, header=EN_HEADER))
    assert "3 new" in out
    assert set(Employee.objects.values_list("start_date", flat=True)) == {dt.date(2026, 12, 1)}
    assert Employee.objects.get(employee_no="E1001").phone == "13800138000"


def test_tab_separated_and_extra_columns_are_reported(tmp_path, org):
    header = [*ZH_HEADER, "备注"]
    rows = [[*GOOD_ROWS[0], "无"]]
    path = tmp_path / "roster.txt"
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]), encoding="utf-8")
    out, _err = run(path)
    assert "备注" in out
    assert Employee.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("2026/12/1", dt.date(2026, 12, 1)),
        ("20261201", dt.date(2026, 12, 1)),
        ("2026.12.01", dt.date(2026, 12, 1)),
        ("2026年12月1日", dt.date(2026, 12, 1)),
        ("46357", dt.date(2026, 12, 1)),
        (46357.0, dt.date(2026, 12, 1)),
        (dt.datetime(2026, 12, 1, 9, 0), dt.date(2026, 12, 1)),
        ("2026-02-30", None),
        ("2026-13-01", None),
        ("next monday", None),
        ("12", None),
    ],
)
def test_date_forms(value, expected):
    assert parse_roster_date(value) == expected


REJECTIONS = [
    (["", "张伟", "", "", "风险控制部", "", "", "2026-12-01", ""], "employee number", "empty"),
    (["E1", "", "", "", "风险控制部", "", "", "2026-12-01", ""], "name", "empty"),
    (["E1", "张伟", "", "", "", "", "", "2026-12-01", ""], "department", "empty"),
    (["E1", "张伟", "", "", "风险控制部", "", "", "", ""], "start date", "empty"),
    (
        ["E1", "张伟", "12345", "", "风险控制部", "", "", "2026-12-01", ""],
        "phone",
        "not a phone number",
    ),
    (["E1", "张伟", "", "zw@", "风险控制部", "", "", "2026-12-01", ""], "email", "not an email"),
    (
        ["E1", "张伟", "", "", "火星部", "", "", "2026-12-01", ""],
        "department",
        "Unknown department",
    ),
    (
        ["E1", "张伟", "", "", "风险控制部", "宇航员", "", "2026-12-01", ""],
        "position",
        "Unknown position",
    ),
    (["E1", "张伟", "", "", "风险控制部", "", "P9", "2026-12-01", ""], "level", "Unknown level"),
    (
        ["E1", "张伟", "", "", "风险控制部", "", "", "2026-02-30", ""],
        "start date",
        "not a real date",
    ),
    # A year-1 start date would put every due date in year 1 (issue 14).
    (["E1", "张伟", "", "", "风险控制部", "", "", "0001-01-01", ""], "start date", "lies between"),
    (["E1", "张伟", "", "", "风险控制部", "", "", "2999-01-01", ""], "start date", "lies between"),
    (
        ["E1", "张伟", "", "", "风险控制部", "", "", "2026-12-01", "E404"],
        "manager number",
        "No employee",
    ),
    (
        ["E1", "张伟", "", "", "风险控制部", "", "", "2026-12-01", "E1"],
        "manager number",
        "own manager",
    ),
    (
        ["E 1;DROP", "张伟", "", "", "风险控制部", "", "", "2026-12-01", ""],
        "employee number",
        "letters, digits",
    ),
    (["E1", "张" * 101, "", "", "风险控制部", "", "", "2026-12-01", ""], "name", "Too long"),
]


@pytest.mark.parametrize(("row", "column", "reason"), REJECTIONS)
def test_each_rejection_reason_names_row_column_and_reason(tmp_path, org, row, column, reason):
    path = write_csv(tmp_path, [GOOD_ROWS[0], row])
    message, err = run_failing(path)
    assert f"Row 3, {column}:" in err
    assert reason in err
    assert "Nothing was imported" in message
    assert Employee.objects.count() == 0, "a valid row must not be written when another is bad"


def test_duplicate_employee_numbers_in_the_file(tmp_path, org):
    path = write_csv(
        tmp_path, [GOOD_ROWS[0], GOOD_ROWS[1], [*GOOD_ROWS[2][:0], "E1001", *GOOD_ROWS[2][1:]]]
    )
    _message, err = run_failing(path)
    assert "Row 4, employee number: Employee number E1001 already appears in row 2." in err
    assert Employee.objects.count() == 0


def test_report_is_in_chinese_for_zh_hans(tmp_path, org):
    path = write_csv(tmp_path, [["E1", "张伟", "12345", "", "火星部", "", "", "2026-02-30", ""]])
    message, err = run_failing(path, language="zh-hans")
    assert "第 2 行" in err
    assert "火星部" in err
    assert "未导入任何数据" in message


def test_all_or_nothing_keeps_existing_people_untouched(tmp_path, org):
    run(write_csv(tmp_path, GOOD_ROWS))
    before = snapshot()
    changed = [list(r) for r in GOOD_ROWS]
    changed[0][1] = "张伟伟"  # a valid change …
    changed[2][4] = "火星部"  # … next to an invalid row
    run_failing(write_csv(tmp_path, changed, name="second.csv"))
    assert snapshot() == before


def test_importing_the_same_file_twice_changes_nothing(tmp_path, org):
    path = write_csv(tmp_path, GOOD_ROWS)
    run(path)
    before = snapshot()
    users_before = get_user_model().objects.count()
    out, _err = run(path)
    assert "0 new, 0 changed, 3 unchanged" in out
    assert snapshot() == before
    assert get_user_model().objects.count() == users_before


def test_a_changed_row_updates_that_person_only(tmp_path, org):
    run(write_csv(tmp_path, GOOD_ROWS))
    before = {row[0]: row for row in snapshot()}
    changed = [list(r) for r in GOOD_ROWS]
    changed[2][4], changed[2][5] = "风险控制部", "风控专员"  # 王芳 moves department
    changed[2][3] = "wangfang@example.com"
    out, _err = run(write_csv(tmp_path, changed, name="v2.csv"))
    assert "0 new, 1 changed, 2 unchanged" in out
    wang = Employee.objects.get(employee_no="E1003")
    assert wang.department == org["risk"]
    assert wang.email == wang.user.email == "wangfang@example.com"
    after = {row[0]: row for row in snapshot()}
    assert after["E1001"] == before["E1001"]
    assert after["E1002"] == before["E1002"]


def test_a_column_missing_from_the_file_keeps_existing_values(tmp_path, org):
    run(write_csv(tmp_path, GOOD_ROWS))
    header = ["工号", "姓名", "部门", "入职日期"]
    rows = [[r[0], r[1], r[4], r[7]] for r in GOOD_ROWS]
    out, _err = run(write_csv(tmp_path, rows, header=header, name="short.csv"))
    assert "3 unchanged" in out
    assert Employee.objects.get(employee_no="E1002").manager.employee_no == "E1001"


def test_dry_run_writes_nothing(tmp_path, org):
    out, _err = run(write_csv(tmp_path, GOOD_ROWS), "--dry-run")
    assert "3 new" in out
    assert "Dry run" in out
    assert Employee.objects.count() == 0


def test_create_missing_and_cohort_option(tmp_path):
    out, _err = run(write_csv(tmp_path, GOOD_ROWS), "--create-missing", "--cohort", "2026-12 校招")
    assert "3 new" in out
    assert set(Department.objects.values_list("name", flat=True)) == {"风险控制部", "客服部"}
    assert Position.objects.filter(name="风控专员", department__name="风险控制部").exists()
    assert set(Level.objects.values_list("code", flat=True)) == {"P1", "P2"}
    cohort = Cohort.objects.get(name="2026-12 校招")
    assert cohort.employees.count() == 3
    out, _err = run(write_csv(tmp_path, GOOD_ROWS), "--create-missing", "--cohort", "2026-12 校招")
    assert "3 unchanged" in out
    assert Department.objects.count() == 2


def test_manager_may_be_an_existing_employee(tmp_path, org):
    boss = EmployeeFactory(employee_no="B0001", department=org["risk"])
    rows = [[*GOOD_ROWS[0][:8], "B0001"]]
    run(write_csv(tmp_path, rows))
    assert Employee.objects.get(employee_no="E1001").manager == boss


def test_an_account_name_taken_by_another_person_is_rejected(tmp_path, org):
    other = EmployeeFactory(employee_no="X1")
    other.user.username = "E1001"
    other.user.save()
    _message, err = run_failing(write_csv(tmp_path, GOOD_ROWS))
    assert "Row 2, employee number: The account name E1001 belongs to another person" in err


def test_formula_values_are_stored_as_plain_text(tmp_path, org):
    rows = [["E1001", '=HYPERLINK("http://evil")', "", "", "风险控制部", "", "", "2026-12-01", ""]]
    run(write_csv(tmp_path, rows, header=ZH_HEADER).with_suffix(".csv"))
    assert Employee.objects.get().name == '=HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x00\x01\x02binary\x00garbage" * 50, "not a CSV text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97"),
        (b"PK\x03\x04 this is not really a zip", "damaged"),
        ("姓名,部门\n张伟,风险控制部\n".encode(), "Required columns are missing"),
        ("工号,姓名,部门,入职日期\n".encode(), "no people"),
        (b"", "No header row"),
        (b"just some words\nmore words\n", "No header row"),
        ("工号,工号,姓名,部门,入职日期\n1,2,3,4,5\n".encode(), "appears twice"),
        (bytes(range(0x80, 0x100)) * 20, "encoding"),
    ],
)
def test_unreadable_files_get_a_clear_message(tmp_path, org, content, reason):
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    message, _err = run_failing(path)
    assert reason in message


def test_file_errors_in_chinese(tmp_path, org):
    path = tmp_path / "roster.csv"
    path.write_bytes("姓名,部门\n张伟,风险控制部\n".encode())
    message, _err = run_failing(path, language="zh-hans")
    assert "缺少必填列" in message


def test_too_many_rows_and_too_big_files_are_refused(tmp_path, org, settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 2
    message, _err = run_failing(write_csv(tmp_path, GOOD_ROWS))
    assert "more than 2 rows" in message
    settings.ROSTER_IMPORT_MAX_BYTES = 10
    message, _err = run_failing(write_csv(tmp_path, GOOD_ROWS))
    assert "larger than" in message
    assert Employee.objects.count() == 0


def test_missing_file(tmp_path):
    message, _err = run_failing(tmp_path / "nope.csv")
    assert "File not found" in message


def test_ambiguous_department_names_ask_for_the_code(tmp_path, org):
    parent = DepartmentFactory(name="产品研发部", code="product")
    DepartmentFactory(name="运营组", code="ops-a", parent=parent)
    DepartmentFactory(name="运营组", code="ops-b", parent=org["risk"])
    rows = [["E1", "张伟", "", "", "运营组", "", "", "2026-12-01", ""]]
    _message, err = run_failing(write_csv(tmp_path, rows))
    assert "Several departments are called “运营组”" in err
    rows = [["E1", "张伟", "", "", "ops-b", "", "", "2026-12-01", ""]]
    run(write_csv(tmp_path, rows, name="by-code.csv"))
    assert Employee.objects.get().department.code == "ops-b"


def test_plan_queries_do_not_grow_with_rows(tmp_path, org, django_assert_max_num_queries):
    rows = [
        [f"E{n:05d}", f"员工{n}", "", "", "风险控制部", "风控专员", "P1", "2026-12-01", ""]
        for n in range(300)
    ]
    path = write_csv(tmp_path, rows)
    with django_assert_max_num_queries(40):
        run(path)
    assert Employee.objects.count() == 300
