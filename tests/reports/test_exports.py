"""Exports: content, Chinese headers, local times, formula-safe cells, big ones as a task."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from lms.reports.models import ReportExport

pytestmark = pytest.mark.django_db

EXPORT = "/admin/reports/export/"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_people_csv_has_chinese_headers_and_the_fixture_rows(role_client, org):
    client = role_client("HR")
    response = client.post(EXPORT, {"export": "people.csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = read_csv(response)
    assert rows[0][:3] == ["工号", "姓名", "部门"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"艾丽", "鲍勃", "卡罗", "丹尼"}
    # done, required, percent, overdue
    assert by_name["卡罗"][8:12] == ["1", "5", "20", "1"]
    assert by_name["丹尼"][8:11] == ["4", "5", "80"]


def test_filtered_export_matches_the_filtered_view(role_client, org):
    client = role_client("HR")
    response = client.post(f"{EXPORT}?state=overdue", {"export": "people.csv"})
    assert [row[1] for row in read_csv(response)[1:]] == ["卡罗"]
    response = client.post(f"{EXPORT}?department={org['legal'].pk}", {"export": "transcript.csv"})
    assert {row[1] for row in read_csv(response)[1:]} == {"丹尼"}


def test_transcript_times_are_in_the_readers_time_zone(role_client, org):
    from lms.paths.models import EnrolmentItem

    EnrolmentItem.objects.filter(enrolment__employee=org["alice"]).update(
        completed_at="2026-11-30T16:30:00+00:00"
    )
    client = role_client("HR")
    rows = read_csv(
        client.post(f"{EXPORT}?employee={org['alice'].pk}", {"export": "transcript.csv"})
    )
    assert rows[1][11] == "2026-12-01 00:30"  # Asia/Shanghai


def test_formula_cells_are_neutralised(role_client, org, django_capture_on_commit_callbacks):
    org["bob"].name = '=HYPERLINK("http://evil.example","点我")'
    org["bob"].save()
    client = role_client("HR")
    rows = read_csv(client.post(EXPORT, {"export": "people.csv"}))
    assert '\'=HYPERLINK("http://evil.example","点我")' in [row[1] for row in rows[1:]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT, {"export": "people.xlsx"})
    export = ReportExport.objects.get()
    assert response.status_code == 302
    download = client.get(f"/admin/reports/exports/{export.pk}/download/")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    cells = [row[1] for row in workbook.active.iter_rows(min_row=2)]
    evil = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert evil.data_type == "s"  # text, not a formula


def test_large_export_runs_as_a_task_with_progress_and_a_private_download(
    role_client, org, settings, client, django_capture_on_commit_callbacks
):
    settings.REPORTS_INLINE_EXPORT_ROWS = 3
    hr = role_client("HR")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(EXPORT, {"export": "transcript.csv"}, HTTP_ACCEPT_LANGUAGE="en")
    export = ReportExport.objects.get()
    assert response["Location"] == f"/admin/reports/exports/{export.pk}/"
    assert export.status == "done" and export.rows_done == 20
    status = hr.get(f"/admin/reports/exports/{export.pk}/status/").json()
    assert status["percent"] == 100 and status["download_url"]
    page = hr.get(f"/admin/reports/exports/{export.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Download" in page.content.decode()
    body = b"".join(hr.get(status["download_url"]).streaming_content).decode()
    assert body.count("\n") == 21
    # Somebody else, even HR, cannot fetch it; nor can the public URL of uploads.
    from tests.factories import EmployeeFactory

    other = EmployeeFactory()
    other.user.groups.set(Group.objects.filter(name="HR"))
    client.force_login(other.user)
    assert client.get(status["download_url"]).status_code == 404
    assert client.get(f"/admin/reports/exports/{export.pk}/status/").status_code == 404
    assert client.get(f"{settings.MEDIA_URL}{export.file.name}").status_code == 404


def test_manager_exports_only_their_people(client, org):
    org["manager"].user.groups.set(Group.objects.filter(name="Manager"))
    client.force_login(org["manager"].user)
    rows = read_csv(client.post(EXPORT, {"export": "transcript.csv"}))
    assert {row[1] for row in rows[1:]} == {"艾丽", "鲍勃"}
    response = client.post(f"{EXPORT}?employee={org['carol'].pk}", {"export": "transcript.csv"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "payload",
    [{}, {"export": "secrets.csv"}, {"export": "people.exe"}, {"export": "x" * 10000}],
)
def test_a_broken_export_request_is_refused_plainly(role_client, org, payload):
    response = role_client("HR").post(EXPORT, payload)
    assert response.status_code == 302
    assert not ReportExport.objects.exists()


def test_a_hostile_employee_id_is_refused(role_client, org):
    client = role_client("HR")
    response = client.post(f"{EXPORT}?employee=1%27--", {"export": "transcript.csv"})
    assert response.status_code == 302
    response = client.post(f"{EXPORT}?employee=99999999", {"export": "transcript.csv"})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["Learner", "Trainer"])
def test_other_roles_cannot_export(role_client, org, role):
    assert role_client(role).post(EXPORT, {"export": "people.csv"}).status_code == 302
    assert not ReportExport.objects.exists()


def test_get_is_not_allowed(role_client, org):
    assert role_client("HR").get(EXPORT).status_code == 405


def test_the_course_view_exports_its_people(role_client, org, course):
    from lms.paths.models import PathItem

    PathItem.objects.filter(pk=org["items"][2].pk).update(kind=PathItem.Kind.COURSE, course=course)
    client = role_client("HR")
    page = client.get(f"/admin/reports/courses/{course.pk}/").content.decode()
    assert 'value="course.csv"' in page and 'value="course.xlsx"' in page
    rows = read_csv(client.post(f"{EXPORT}?course={course.pk}", {"export": "course.csv"}))
    assert rows[0][:3] == ["工号", "姓名", "部门"]
    assert {row[1] for row in rows[1:]} == {"艾丽", "鲍勃", "卡罗", "丹尼"}


@pytest.mark.parametrize("query", ["", "course=", "course=x1", "employee=1"])
def test_a_course_export_without_its_course_is_refused(role_client, org, query):
    response = role_client("HR").post(
        f"{EXPORT}?{query}", {"export": "course.csv"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.redirect_chain[-1][0].endswith("/admin/reports/")
    assert "没有这种导出。请点击其中一个按钮。" in response.content.decode()
    assert not ReportExport.objects.exists()


def test_a_broken_queue_is_recorded_on_the_export(
    role_client, org, settings, monkeypatch, django_capture_on_commit_callbacks
):
    class BrokenQueue:
        def enqueue(self, **kwargs):
            raise ConnectionError("the queue is down")

    monkeypatch.setattr("lms.reports.tasks.report_export_run", BrokenQueue())
    settings.REPORTS_INLINE_EXPORT_ROWS = 3
    hr = role_client("HR")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(EXPORT, {"export": "transcript.csv"}, HTTP_ACCEPT_LANGUAGE="en")
    export = ReportExport.objects.get()
    assert response["Location"] == f"/admin/reports/exports/{export.pk}/"
    assert export.status == ReportExport.Status.FAILED
    assert export.error == "The background task could not be started."
    assert export.finished_at is not None


def test_an_export_of_a_rolled_back_change_is_never_started(
    org, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from lms.reports.tasks import report_export_start
    from tests.factories import EmployeeFactory

    requester = EmployeeFactory().user
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report_export_start(
            requested_by=requester,
            kind="transcript",
            format="csv",
            params={"kind": "transcript", "format": "csv"},
            rows_total=30,
        )
        raise RuntimeError("the request failed after asking for the export")
    assert callbacks == []
    assert not ReportExport.objects.exists()
