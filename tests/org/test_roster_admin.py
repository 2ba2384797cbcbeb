"""The roster import in the Wagtail admin, driven through the HTTP client as HR does."""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lms.org.models import Department, Employee, RosterImport
from lms.org.roster import roster_upload_apply
from lms.org.tasks import roster_import_apply
from lms.sheets.cells import spreadsheet_safe
from tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    LevelFactory,
    PositionFactory,
    RosterImportFactory,
)

pytestmark = pytest.mark.django_db

INDEX_URL = "/admin/roster-imports/"
UPLOAD_URL = "/admin/roster-imports/upload/"

HEADER = "工号,姓名,手机,邮箱,部门,岗位,职级,入职日期,上级工号\n"
VALID_ROWS = (
    "E1001,张三,13800138000,zhangsan@example.com,市场拓展部,客户经理,P1,2026-12-01,\n"
    "E1002,李四,13900139000,lisi@example.com,市场拓展部,客户经理,P1,2026/12/1,E1001\n"
    "E1003,王五,,,市场拓展部,,P1,20261201,E1001\n"
)
INVALID_ROWS = (
    "E2001,赵六,12345,zhaoliu@example.com,市场拓展部,客户经理,P1,2026-12-01,\n"
    "E2002,钱七,13700137000,qianqi@example.com,不存在部,,P1,2026-13-45,\n"
    "E2003,孙八,13600136000,sunba@example.com,市场拓展部,,P1,2026-12-01,\n"
)


@pytest.fixture
def org(db):
    department = DepartmentFactory(name="市场拓展部", code="market")
    PositionFactory(name="客户经理", department=department)
    LevelFactory(code="P1", rank=1)
    return department


@pytest.fixture
def en_role_client(role_client):
    """role_client, browsing in English (the product's default language is zh-hans)."""

    def login(role: str):
        client = role_client(role)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture
def hr(en_role_client):
    return en_role_client("HR")


def csv_upload(text: str, name: str = "roster.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, file, **data):
    return client.post(UPLOAD_URL, {"file": file, "cohort_name": "", **data})


def confirm(client, item, capture):
    with capture(execute=True):
        return client.post(reverse("roster_imports:confirm", args=[item.pk]))


def imported_numbers() -> set[str]:
    return set(
        Employee.objects.filter(employee_no__startswith="E").values_list("employee_no", flat=True)
    )


# --- the happy path ----------------------------------------------------------


def test_upload_preview_confirm_imports_the_people(hr, org, django_capture_on_commit_callbacks):
    response = upload(
        hr, csv_upload(HEADER + VALID_ROWS), cohort_name="2026-12 校招", create_missing=""
    )
    item = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roster_imports:detail", args=[item.pk])
    assert item.status == RosterImport.Status.READY
    assert item.counts == {"create": 3, "update": 0, "unchanged": 0, "reject": 0, "total": 3}
    assert item.file.name.startswith("roster_imports/")
    assert item.original_filename == "roster.csv"
    assert item.uploaded_by == hr.employee.user
    assert imported_numbers() == set()  # the preview writes nothing

    page = hr.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Confirm import" in html
    assert "张三" in html and "E1002" in html
    assert "Cohorts" in html and "2026-12 校招" in html  # the cohort will be created
    assert "data-roster-import-status" not in html

    response = confirm(hr, item, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RosterImport.Status.APPLIED
    assert item.applied_counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert item.confirmed_by == hr.employee.user
    assert item.finished_at is not None
    assert imported_numbers() == {"E1001", "E1002", "E1003"}
    lisi = Employee.objects.get(employee_no="E1002")
    assert lisi.manager.employee_no == "E1001"
    assert lisi.cohort.name == "2026-12 校招"

    result = hr.get(response["Location"]).content.decode()
    assert "Imported." in result
    assert "Created: 3. Updated: 0. Already up to date: 0." in result
    assert "Confirm import" not in result


def test_preview_lists_field_changes_of_existing_people(hr, org):
    EmployeeFactory(employee_no="E1001", name="张三", department=org, phone="13800000000")
    upload(hr, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()
    assert item.counts["update"] == 1 and item.counts["create"] == 2
    html = hr.get(reverse("roster_imports:detail", args=[item.pk])).content.decode()
    assert "<del>13800000000</del> → <ins>13800138000</ins>" in html


def test_xlsx_roster_and_gbk_csv_are_previewed(hr, org):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["employee_no", "name", "department", "start_date"])
    sheet.append(["E3001", "周九", "市场拓展部", "2026-12-01"])
    data = io.BytesIO()
    workbook.save(data)
    upload(hr, SimpleUploadedFile("roster.xlsx", data.getvalue()))
    upload(hr, csv_upload(HEADER + VALID_ROWS, encoding="gbk"))
    xlsx_import, gbk_import = RosterImport.objects.order_by("pk")
    assert xlsx_import.status == RosterImport.Status.READY
    assert xlsx_import.counts["create"] == 1
    assert gbk_import.status == RosterImport.Status.READY
    html = hr.get(reverse("roster_imports:detail", args=[gbk_import.pk])).content.decode()
    assert "张三" in html and "王五" in html


def test_tab_separated_txt_roster_is_accepted(hr, org):
    text = (HEADER + VALID_ROWS).replace(",", "\t")
    upload(hr, SimpleUploadedFile("roster.txt", text.encode(), content_type="text/plain"))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.READY
    assert item.counts["create"] == 3


# --- rejected rows -----------------------------------------------------------


def test_invalid_roster_lists_problems_and_cannot_be_confirmed(
    hr, org, django_capture_on_commit_callbacks
):
    upload(hr, csv_upload(HEADER + INVALID_ROWS))
    item = RosterImport.objects.get()
    assert item.status == RosterImport.Status.INVALID
    assert item.counts["reject"] == 2

    html = hr.get(reverse("roster_imports:detail", args=[item.pk])).content.decode()
    assert "Nothing will be imported until the problems below are fixed." in html
    assert "Confirm import" not in html
    assert f"?from={item.pk}" in html  # upload a corrected file
    problems = {(p["row"], p["column"]) for p in item.report["problems"]}
    assert problems == {(2, "phone"), (3, "department"), (3, "start date")}
    assert "<td>2</td>" in html and "<td>Phone</td>" in html
    assert "12345" in html and "不存在部" in html and "2026-13-45" in html

    response = confirm(hr, item, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RosterImport.Status.INVALID
    assert imported_numbers() == set()
    assert "nothing will be imported" in hr.get(response["Location"]).content.decode()


def test_corrected_upload_keeps_the_options(hr, org):
    item = RosterImportFactory(cohort_name="2027-03 社招", create_missing=True)
    html = hr.get(f"{UPLOAD_URL}?from={item.pk}").content.decode()
    assert 'value="2027-03 社招"' in html
    assert "checked" in html


def test_problems_are_paginated(hr, org):
    rows = "".join(f"E{4000 + n},人{n},bad-phone,,市场拓展部,,P1,2026-12-01,\n" for n in range(60))
    upload(hr, csv_upload(HEADER + rows))
    item = RosterImport.objects.get()
    url = reverse("roster_imports:detail", args=[item.pk])
    first = hr.get(url).content.decode()
    assert "60 problems" in first
    assert "Page 1 of 2" in first
    assert "bad-phone" in first
    second = hr.get(url, {"problems": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert "<td>61</td>" in second and "<td>61</td>" not in first
    assert "people=" not in second  # the other list keeps its own page


# --- files that are not rosters -------------------------------------------------


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("roster.csv", bytes(range(256)) * 4), "not a CSV text file"),
        (SimpleUploadedFile("roster.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 500), "(.xls)"),
        (SimpleUploadedFile("roster.csv", b"\xd0\xcf\x11\xe0" + b"\0" * 500), "(.xls)"),
        (SimpleUploadedFile("roster.xlsx", b"PK\x03\x04 not really a zip"), "damaged"),
        (SimpleUploadedFile("roster.pdf", b"%PDF-1.4"), "Upload a .csv, .xlsx or .txt file"),
        (SimpleUploadedFile("roster.csv", b""), "The file is empty"),
        (SimpleUploadedFile("roster.csv", b"foo,bar\n1,2\n"), "No header row"),
        (SimpleUploadedFile("roster.csv", HEADER.encode()), "no people in it"),
    ],
    ids=["binary", "xls", "xls-renamed", "bad-xlsx", "pdf", "empty", "no-header", "no-rows"],
)
def test_unusable_files_give_a_form_error(hr, org, file, message):
    response = upload(hr, file)
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert any(message in error for error in errors), errors
    assert message in response.content.decode()
    assert not RosterImport.objects.exists()


def test_oversize_file_is_refused(hr, org, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 100
    response = upload(hr, csv_upload(HEADER + VALID_ROWS))
    assert response.status_code == 400
    assert "the limit is 100" in response.context["form"].errors["file"][0]
    assert not RosterImport.objects.exists()


def test_missing_file_is_a_form_error(hr):
    response = hr.post(UPLOAD_URL, {"cohort_name": ""})
    assert response.status_code == 400
    assert "Choose a roster file" in response.content.decode()


# --- applying: once, and safely ----------------------------------------------


def test_double_confirm_imports_once(hr, org, django_capture_on_commit_callbacks):
    upload(hr, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()
    confirm(hr, item, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = hr.post(reverse("roster_imports:confirm", args=[item.pk]))
    assert callbacks == []  # no second task
    assert "already being imported or was imported" in hr.get(response["Location"]).content.decode()
    assert Employee.objects.filter(employee_no__startswith="E").count() == 3
    # A retried task finds the import applied and does nothing.
    assert roster_import_apply.call(roster_import_id=item.pk) == RosterImport.Status.APPLIED
    assert Employee.objects.filter(employee_no__startswith="E").count() == 3


def test_confirm_enqueues_only_after_commit(hr, org, django_capture_on_commit_callbacks):
    upload(hr, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hr.post(reverse("roster_imports:confirm", args=[item.pk]))
    item.refresh_from_db()
    assert len(callbacks) == 1
    assert item.status == RosterImport.Status.APPLYING
    assert imported_numbers() == set()

    page = hr.get(reverse("roster_imports:detail", args=[item.pk])).content.decode()
    assert "data-roster-import-status" in page
    assert "Waiting for the task worker" in page
    status = hr.get(reverse("roster_imports:status", args=[item.pk])).json()
    assert status["status"] == "applying" and status["finished"] is False

    callbacks[0]()
    item.refresh_from_db()
    assert item.status == RosterImport.Status.APPLIED
    assert item.task_id
    assert hr.get(reverse("roster_imports:status", args=[item.pk])).json()["finished"] is True


def test_apply_replans_against_the_current_organisation(
    hr, org, django_capture_on_commit_callbacks
):
    upload(hr, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()
    Department.objects.filter(pk=org.pk).update(name="市场部", code="mkt")
    confirm(hr, item, django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert item.status == RosterImport.Status.INVALID
    assert "changed after the preview" in item.error
    assert item.counts["reject"] == 3
    assert imported_numbers() == set()


def test_a_failure_is_recorded_and_can_be_retried(
    hr, org, django_capture_on_commit_callbacks, monkeypatch
):
    upload(hr, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()

    def broken(*, plan):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("lms.org.roster.apply.roster_apply", broken)
    confirm(hr, item, django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert item.status == RosterImport.Status.FAILED
    assert "disk on fire" in item.error
    page = hr.get(reverse("roster_imports:detail", args=[item.pk]))
    assert page.status_code == 200
    assert "The import failed. Nothing was written." in page.content.decode()
    assert "Try again" in page.content.decode()
    assert imported_numbers() == set()

    monkeypatch.undo()
    confirm(hr, item, django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert item.status == RosterImport.Status.APPLIED
    assert item.error == ""
    assert len(imported_numbers()) == 3


def test_a_lost_file_fails_cleanly(hr, org, django_capture_on_commit_callbacks):
    upload(hr, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()
    item.file.storage.delete(item.file.name)
    confirm(hr, item, django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert item.status == RosterImport.Status.FAILED
    assert hr.get(reverse("roster_imports:detail", args=[item.pk])).status_code == 200


def test_a_broken_queue_is_recorded(hr, org, django_capture_on_commit_callbacks, monkeypatch):
    upload(hr, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()

    class BrokenQueue:
        def enqueue(self, **kwargs):
            raise ConnectionError("redis is down")

    monkeypatch.setattr("lms.org.tasks.roster_import_apply", BrokenQueue())
    response = confirm(hr, item, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RosterImport.Status.FAILED
    assert "could not be started" in item.error


def test_apply_leaves_unconfirmed_imports_alone(org):
    item = RosterImportFactory(status=RosterImport.Status.READY)
    assert roster_upload_apply(roster_import_id=item.pk) == RosterImport.Status.READY
    assert roster_upload_apply(roster_import_id=item.pk + 1000) == "missing"


# --- who may do it -------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(INDEX_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_learner_has_no_admin_access(role_client):
    response = role_client("Learner").get(INDEX_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_trainer_cannot_see_or_confirm_imports(
    en_role_client, org, django_capture_on_commit_callbacks
):
    item = RosterImportFactory(status=RosterImport.Status.READY)
    trainer = en_role_client("Trainer")
    for url in (
        INDEX_URL,
        UPLOAD_URL,
        reverse("roster_imports:detail", args=[item.pk]),
        reverse("roster_imports:status", args=[item.pk]),
        reverse("roster_imports:template"),
    ):
        response = trainer.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("wagtailadmin_home"), url
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = trainer.post(reverse("roster_imports:confirm", args=[item.pk]))
    assert response.status_code == 302
    assert callbacks == []
    item.refresh_from_db()
    assert item.status == RosterImport.Status.READY
    response = trainer.post(UPLOAD_URL, {"file": csv_upload(HEADER + VALID_ROWS)})
    assert response.status_code == 302
    assert RosterImport.objects.count() == 1
    assert INDEX_URL not in trainer.get("/admin/").content.decode()


@pytest.mark.parametrize("role", ["HR", "Admin"])
def test_hr_and_admin_may_import(en_role_client, role):
    client = en_role_client(role)
    assert client.get(INDEX_URL).status_code == 200
    assert client.get(UPLOAD_URL).status_code == 200
    assert INDEX_URL in client.get("/admin/").content.decode()  # the menu item


def test_every_hr_user_sees_every_import(en_role_client, org):
    item = RosterImportFactory(original_filename="someone-elses.csv")
    client = en_role_client("HR")
    assert "someone-elses.csv" in client.get(INDEX_URL).content.decode()
    assert client.get(reverse("roster_imports:detail", args=[item.pk])).status_code == 200


# --- the list of imports ---------------------------------------------------------


def test_import_list_is_newest_first_paginated_and_cheap(hr, org, django_assert_max_num_queries):
    for n in range(25):
        RosterImportFactory(original_filename=f"roster-{n:02d}.csv")
    RosterImportFactory(original_filename="broken.csv", status=RosterImport.Status.INVALID)
    with django_assert_max_num_queries(12):
        response = hr.get(INDEX_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("broken.csv") < html.index("roster-24.csv") < html.index("roster-10.csv")
    assert "roster-05.csv" not in html  # on page 2
    assert "Needs fixing" in html
    second = hr.get(INDEX_URL, {"p": 2}).content.decode()
    assert "roster-05.csv" in second


def test_import_list_queries_do_not_grow_with_rows(hr, org, django_assert_max_num_queries):
    RosterImportFactory()
    with django_assert_max_num_queries(12):
        hr.get(INDEX_URL)


def test_roster_template_has_the_chinese_headers(hr):
    response = hr.get(reverse("roster_imports:template"))
    text = response.content.decode("utf-8-sig")
    assert text.startswith("工号,姓名")


# --- the user's language -----------------------------------------------------------


def test_zh_hans_pages_and_report_language(role_client, org, django_capture_on_commit_callbacks):
    client = role_client("HR")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    upload(client, csv_upload(HEADER + INVALID_ROWS))
    item = RosterImport.objects.get()
    assert item.language == "zh-hans"
    page = client.get(reverse("roster_imports:detail", args=[item.pk]))
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()
    assert client.get(INDEX_URL).status_code == 200
    response = upload(client, SimpleUploadedFile("roster.pdf", b"%PDF"))
    assert response.status_code == 400
    assert 'lang="zh-hans"' in response.content.decode()


@pytest.fixture
def roster_admin_zh_catalogue(settings, tmp_path):
    """The zh-hans strings of these pages, also before they are merged centrally."""
    incoming = Path(settings.BASE_DIR) / "locale" / "_incoming" / "roster_admin.po"
    if incoming.exists():
        if shutil.which("msgfmt") is None:
            pytest.skip("msgfmt (gettext) is not installed")
        target = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run(
            ["msgfmt", "--check", "-o", str(target / "django.mo"), str(incoming)], check=True
        )
        settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, tmp_path / "locale"]


def test_pages_are_in_chinese_for_zh_hans(
    role_client, org, roster_admin_zh_catalogue, django_capture_on_commit_callbacks
):
    client = role_client("HR")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    form = client.get(UPLOAD_URL).content.decode()
    assert "上传名单" in form and "自动创建缺失的部门、岗位和职级" in form
    error = upload(client, SimpleUploadedFile("roster.xls", b"\xd0\xcf\x11\xe0"))
    assert "无法读取旧版 Excel 97–2003（.xls）文件" in error.content.decode()

    upload(client, csv_upload(HEADER + VALID_ROWS))
    item = RosterImport.objects.get()
    preview = client.get(reverse("roster_imports:detail", args=[item.pk])).content.decode()
    assert "确认导入" in preview and "新增和变更的人员" in preview
    confirm(client, item, django_capture_on_commit_callbacks)
    result = client.get(reverse("roster_imports:detail", args=[item.pk])).content.decode()
    assert "新增：3。更新：0。已是最新：0。" in result
    assert "名单导入" in client.get(INDEX_URL).content.decode()


def test_preferred_language_of_the_wagtail_user_is_used(role_client, org):
    from wagtail.users.models import UserProfile

    client = role_client("HR")
    profile = UserProfile.get_for_user(client.employee.user)
    profile.preferred_language = "zh-hans"
    profile.save()
    upload(client, csv_upload(HEADER + VALID_ROWS))
    assert RosterImport.objects.get().language == "zh-hans"


# --- employee export ---------------------------------------------------------------


def test_spreadsheet_safe():
    assert spreadsheet_safe("=1+2") == "'=1+2"
    assert spreadsheet_safe("+86 138") == "'+86 138"
    assert spreadsheet_safe("-1") == "'-1"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("\t=1") == "'\t=1"
    assert spreadsheet_safe("\r=1") == "'\r=1"
    assert spreadsheet_safe("张三") == "张三"
    assert spreadsheet_safe("") == ""
    assert spreadsheet_safe(None) is None
    assert spreadsheet_safe(-5) == -5


EVIL = '=HYPERLINK("http://evil.example/","点我")'


def test_employee_csv_export_escapes_formulas(hr, org):
    EmployeeFactory(employee_no="E9001", name=EVIL, department=org, email="")
    response = hr.get("/admin/snippets/org/employee/", {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")  # Excel on a Chinese Windows needs it to read UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:2] == ["Employee number", "Name"]
    evil_row = next(row for row in rows if row[0] == "E9001")
    assert evil_row[1] == "'" + EVIL
    assert evil_row[4] == "市场拓展部"


def test_employee_xlsx_export_writes_formulas_as_text(hr, org):
    EmployeeFactory(employee_no="E9001", name=EVIL, department=org, phone="+8613800138000")
    response = hr.get("/admin/snippets/org/employee/", {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    evil_row = next(row for row in sheet.iter_rows() if row[0].value == "E9001")
    assert evil_row[1].value == EVIL
    assert evil_row[1].data_type == "s"
    assert evil_row[2].data_type == "s"


def test_employee_export_is_one_query_for_the_rows(hr, org, django_assert_max_num_queries):
    for _n in range(10):
        EmployeeFactory(department=org)
    with django_assert_max_num_queries(20):
        response = hr.get("/admin/snippets/org/employee/", {"export": "csv"})
        b"".join(response.streaming_content)
