"""Sessions and surveys in the reports: reminders in the daily batch, transcript columns,
the per-session view with attendance, survey answers and feedback, scoped."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from freezegun import freeze_time

from lms.reports.models import ReminderEntry, ReminderMessage
from lms.reports.services import reminders_run
from lms.sessions.models import SignUp
from tests.paths.factories import enrol, path_with_items
from tests.sessions.factories import InPersonSessionFactory, SignUpFactory
from tests.surveys.factories import SurveyFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_setup(org, settings):
    settings.REMINDERS_QUIET_HOURS = "21:00-08:00"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from lms.paths.models import PathItem

    path, items = path_with_items("面授路径", [("第一个月", [("面授：征信报告解读", 30)])])
    PathItem.objects.filter(pk=items[0].pk).update(kind=PathItem.Kind.SESSION)
    survey = SurveyFactory(title="训前调研")
    start = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 Shanghai tomorrow
    session = InPersonSessionFactory(
        title="征信报告解读", parts=[(start, start + dt.timedelta(hours=3))]
    )
    session.survey = survey
    session.save()
    session.path_items.set([items[0]])
    session.save()  # parental many-to-many fields are written on save()
    signups = {}
    for name, status in (("alice", "confirmed"), ("bob", "attended"), ("carol", "confirmed")):
        enrol(org[name], path, items)
        signups[name] = SignUpFactory(
            session=session,
            user=org[name].user,
            status=status,
            queued_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        )
    SignUp.objects.filter(pk=signups["bob"].pk).update(feedback_rating=4, feedback_comment="很实用")
    SurveyResponseFactory(survey=survey, session=session, user=org["alice"].user, answers={})
    return {"session": session, "signups": signups, "survey": survey}


def test_session_tomorrow_and_survey_due_join_the_daily_batch(session_setup, org):
    with freeze_time("2026-12-01 02:00:00+00:00"):
        reminders_run()
    carol = ReminderMessage.objects.get(recipient=org["carol"])
    assert "征信报告解读" in carol.body
    kinds = set(ReminderEntry.objects.filter(recipient=org["carol"]).values_list("kind", flat=True))
    assert {"session_tomorrow", "survey_due"} <= kinds
    # One message for carol although she also has an overdue item (B 阅读手册).
    assert ReminderMessage.objects.filter(recipient=org["carol"]).count() == 1
    # alice answered the survey already: no survey reminder for her
    assert not ReminderEntry.objects.filter(recipient=org["alice"], kind="survey_due").exists()
    # bob attended already (not "coming"): no session reminder
    assert not ReminderEntry.objects.filter(recipient=org["bob"], kind="session_tomorrow").exists()
    with freeze_time("2026-12-01 03:00:00+00:00"):
        assert reminders_run().messages == 0


def test_cancelled_sign_up_is_not_reminded(session_setup, org):
    SignUp.objects.filter(pk=session_setup["signups"]["carol"].pk).update(status="cancelled")
    with freeze_time("2026-12-01 02:00:00+00:00"):
        reminders_run()
    assert not ReminderEntry.objects.filter(
        recipient=org["carol"], kind="session_tomorrow"
    ).exists()


def test_transcript_shows_attendance_and_feedback(session_setup, org, role_client):
    html = (
        role_client("HR")
        .get(f"/admin/reports/people/{org['bob'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Attendance: Attended" in html
    assert "Feedback: 4/5" in html


def test_sessions_view_with_attendance_answers_and_ratings(session_setup, org, role_client):
    client = role_client("HR")
    html = client.get("/admin/reports/sessions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "征信报告解读" in html
    assert "1 / 3" in html  # one of three answered the survey
    assert "4.0 / 5" in html
    session = session_setup["session"]
    html = client.get(
        f"/admin/reports/sessions/{session.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert all(org[n].name in html for n in ("alice", "bob", "carol"))
    assert "很实用" in html
    assert client.get("/admin/reports/sessions/999999/").status_code == 404


def test_a_manager_sees_only_their_people_in_sessions(session_setup, org, client):
    org["manager"].user.groups.set(Group.objects.filter(name="Manager"))
    client.force_login(org["manager"].user)
    html = client.get(f"/admin/reports/sessions/{session_setup['session'].pk}/").content.decode()
    assert org["alice"].name in html and org["bob"].name in html
    assert org["carol"].name not in html
    # A session none of the manager's people signed up for is not found.
    other = InPersonSessionFactory(title="别的面授")
    SignUpFactory(
        session=other,
        user=org["carol"].user,
        status="confirmed",
        queued_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    assert client.get(f"/admin/reports/sessions/{other.pk}/").status_code == 404
    assert "别的面授" not in client.get("/admin/reports/sessions/").content.decode()


@pytest.mark.parametrize(("role", "status"), [("Learner", 302), ("Trainer", 302), ("HR", 200)])
def test_sessions_view_per_role(role_client, session_setup, role, status):
    assert role_client(role).get("/admin/reports/sessions/").status_code == status


def test_empty_sessions_view(role_client, org):
    html = (
        role_client("HR")
        .get("/admin/reports/sessions/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Nobody in view has signed up for an in-person session yet." in html


# --- the per-session view as a file ------------------------------------------------------

EXPORT = "/admin/reports/export/"


def export_rows(client, query: str, kind: str = "session.csv", **headers) -> list[list[str]]:
    import csv
    import io

    response = client.post(f"{EXPORT}?{query}", {"export": kind}, **headers)
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_session_view_exports_attendance_survey_and_feedback(session_setup, org, role_client):
    from django.utils import timezone

    session = session_setup["session"]
    SignUp.objects.filter(pk=session_setup["signups"]["bob"].pk).update(
        checked_in_at=dt.datetime(2026, 12, 2, 0, 55, tzinfo=dt.UTC)
    )
    client = role_client("HR")
    page = client.get(f"/admin/reports/sessions/{session.pk}/").content.decode()
    assert 'value="session.xlsx"' in page and 'value="session.csv"' in page

    rows = export_rows(client, f"session={session.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert rows[0] == [
        "工号",
        "姓名",
        "部门",
        "出勤",
        "签到时间",
        "已填训前调研",
        "反馈评分（1–5）",
        "反馈意见",
    ]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {org[n].name for n in ("alice", "bob", "carol")}
    bob = by_name[org["bob"].name]
    assert bob[3] == str(SignUp.Status("attended").label)
    assert bob[4] == "2026-12-02 08:55"  # Asia/Shanghai
    assert bob[6:] == ["4", "很实用"]
    assert by_name[org["alice"].name][5] == "是" and by_name[org["carol"].name][5] == "否"
    assert timezone.get_current_timezone_name()  # (the reader's zone was active)


def test_a_manager_exports_only_their_people_of_a_session(session_setup, org, client):
    org["manager"].user.groups.set(Group.objects.filter(name="Manager"))
    client.force_login(org["manager"].user)
    rows = export_rows(client, f"session={session_setup['session'].pk}")
    assert {row[1] for row in rows[1:]} == {org["alice"].name, org["bob"].name}


def test_the_session_export_as_xlsx_is_a_task_with_the_same_rows(
    session_setup, org, role_client, settings, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    from lms.reports.models import ReportExport

    client = role_client("HR")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{EXPORT}?session={session_setup['session'].pk}", {"export": "session.xlsx"}
        )
    export = ReportExport.objects.get()
    assert response["Location"].endswith(f"/exports/{export.pk}/")
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE and export.rows_done == 3
    download = client.get(f"/admin/reports/exports/{export.pk}/download/")
    sheet = load_workbook(io_of(download)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {org[n].name for n in ("alice", "bob", "carol")}


def io_of(response):
    import io

    content = b"".join(response.streaming_content) if response.streaming else response.content
    return io.BytesIO(content)


@pytest.mark.parametrize("query", ["", "session=abc", "session=1%27--", "session=" + "9" * 30])
def test_a_session_export_without_a_proper_session_is_refused(session_setup, role_client, query):
    from lms.reports.models import ReportExport

    response = role_client("HR").post(f"{EXPORT}?{query}", {"export": "session.csv"})
    assert response.status_code == 302
    assert not ReportExport.objects.exists()


def test_an_unknown_session_exports_no_rows(session_setup, role_client):
    rows = export_rows(role_client("HR"), "session=999999")
    assert len(rows) == 1  # the headers only


@pytest.mark.parametrize("role", ["Learner", "Trainer"])
def test_other_roles_cannot_export_a_session(session_setup, role_client, role):
    response = role_client(role).post(
        f"{EXPORT}?session={session_setup['session'].pk}", {"export": "session.csv"}
    )
    assert response.status_code == 302
