"""HR's dashboard and drill-downs through the admin, per role, with the fixture's numbers."""

import re

import pytest
from django.contrib.auth.models import Group

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/reports/"


def cards(html: str) -> list[str]:
    """The big numbers of the overview cards, in order."""
    return re.findall(r'class="reports__card[^"]*"[^>]*>\s*<strong>([^<]+)</strong>', html)


def as_user(client, employee, *roles):
    employee.user.groups.set(Group.objects.filter(name__in=roles))
    client.force_login(employee.user)
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [("Learner", 302), ("Trainer", 302), ("HR", 200), ("Admin", 200)],
)
def test_dashboard_per_role(role_client, org, role, status):
    for url in (DASHBOARD, f"{DASHBOARD}people/", f"{DASHBOARD}courses/"):
        assert role_client(role).get(url).status_code == status


def test_anonymous_goes_to_the_sign_in(client, org):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_dashboard_shows_the_hand_computed_numbers_in_chinese(role_client, org, settings):
    settings.REPORTS_DUE_SOON_DAYS = 3
    html = role_client("HR").get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # complete %, then completed / on track / due soon / overdue people
    assert cards(html) == ["60%", "1", "1", "1", "1"]
    assert "学习报表" in html
    assert "<svg" in html and "入职前" in html
    assert "市场拓展部" in html and "法务部" in html


def test_dashboard_in_english(role_client, org):
    html = role_client("HR").get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Learning reports" in html and "On track" in html


def test_filters_narrow_the_numbers_and_bad_values_are_ignored(role_client, org):
    client = role_client("HR")
    html = client.get(DASHBOARD, {"department": org["market"].pk}).content.decode()
    assert cards(html) == [f"{round(100 * 8 / 15)}%", "1", "0", "1", "1"]
    for hostile in (
        {"department": "'; DROP TABLE org_employee; --"},
        {"cohort": "999999"},
        {"start_from": "2026-13-45"},
        {"path": "x" * 5000},
        {"department": ["999998", "999999"]},
    ):
        response = client.get(DASHBOARD, hostile)
        assert response.status_code == 200
        assert cards(response.content.decode())[0] == "60%"


def test_empty_state(role_client, db):
    html = role_client("HR").get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing to report for this selection." in html


def test_people_list_by_state_and_search(role_client, org):
    client = role_client("HR")
    html = client.get(f"{DASHBOARD}people/", {"state": "overdue"}).content.decode()
    assert "卡罗" in html and "鲍勃" not in html
    html = client.get(f"{DASHBOARD}people/", {"q": "鲍"}).content.decode()
    assert "鲍勃" in html and "卡罗" not in html
    hostile = "<script>alert(9)</script>"
    html = client.get(
        f"{DASHBOARD}people/", {"state": hostile, "o": "drop", "q": ""}
    ).content.decode()
    assert hostile not in html
    assert all(name in html for name in ("艾丽", "鲍勃", "卡罗", "丹尼"))
    assert "伊芙" not in html  # left
    html = client.get(f"{DASHBOARD}people/", {"q": hostile}).content.decode()
    assert hostile not in html and "&lt;script&gt;alert(9)" in html
    assert client.get(f"{DASHBOARD}people/", {"q": "x" * 100_000}).status_code == 200


def test_people_list_paginates_with_constant_queries(
    role_client, org, django_assert_max_num_queries
):
    from tests.paths.factories import people_on_path

    client = role_client("HR")
    client.get(f"{DASHBOARD}people/")  # warm Wagtail's caches
    with django_assert_max_num_queries(20) as small:
        client.get(f"{DASHBOARD}people/")
    people_on_path(55, org["path"], org["items"], department=org["east"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"{DASHBOARD}people/")
    assert "第 1 页" in response.content.decode()
    assert client.get(f"{DASHBOARD}people/", {"p": "999"}).status_code == 200


def test_person_transcript_and_path_map(role_client, org):
    client = role_client("HR")
    html = client.get(
        f"{DASHBOARD}people/{org['carol'].pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "卡罗" in html
    assert "B 阅读手册" in html and "Overdue" in html
    assert "Path map, as they see it" in html
    assert client.get(f"{DASHBOARD}people/999999/").status_code == 404


def test_manager_sees_only_their_own_people(client, org):
    as_user(client, org["manager"], "Manager")
    html = client.get(DASHBOARD).content.decode()
    assert cards(html)[1:] == ["1", "0", "1", "0"]  # 艾丽 completed, 鲍勃 due soon
    people = client.get(f"{DASHBOARD}people/").content.decode()
    assert "艾丽" in people and "鲍勃" in people
    assert "卡罗" not in people and "丹尼" not in people
    assert client.get(f"{DASHBOARD}people/{org['bob'].pk}/").status_code == 200
    assert client.get(f"{DASHBOARD}people/{org['carol'].pk}/").status_code == 404
    assert client.get(f"{DASHBOARD}people/{org['manager'].pk}/").status_code == 404


def test_department_head_sees_their_department(client, org):
    as_user(client, org["head"], "Manager")
    people = client.get(f"{DASHBOARD}people/", {"include_left": "true"}).content.decode()
    assert "丹尼" in people and "伊芙" in people
    assert "鲍勃" not in people
    assert client.get(f"{DASHBOARD}people/{org['alice'].pk}/").status_code == 404


def test_a_manager_role_without_people_sees_an_empty_report(client, org):
    as_user(client, EmployeeFactory(), "Manager")
    html = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing to report for this selection." in html
    assert "卡罗" not in client.get(f"{DASHBOARD}people/").content.decode()


def test_the_manager_role_without_an_employee_record_is_refused(client, org):
    from tests.factories import UserFactory

    user = UserFactory()
    user.groups.set(Group.objects.filter(name="Manager"))
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 302


def test_course_view(role_client, org, course):
    from lms.paths.models import EnrolmentItem, PathItem

    item = org["items"][2]
    PathItem.objects.filter(pk=item.pk).update(kind=PathItem.Kind.COURSE, course=course)
    for person, score in (("alice", 80), ("alice", 90), ("bob", 60), ("eve", 10)):
        attempt(org[person], course, score)
    client = role_client("HR")
    html = client.get(f"{DASHBOARD}courses/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert course.title in html
    assert "75%" in html  # best scores 90 and 60; the leaver's 10 is not in view
    html = client.get(
        f"{DASHBOARD}courses/{course.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # people, completed (艾丽, 丹尼), not completed (鲍勃, 卡罗), average best score
    assert cards(html) == ["4", "2", "2", "75%"]
    assert "卡罗" in html
    html = client.get(f"{DASHBOARD}courses/{course.pk}/", {"state": "not_done"}).content.decode()
    assert "卡罗" in html and "艾丽" not in html
    assert client.get(f"{DASHBOARD}courses/999999/").status_code == 404
    assert EnrolmentItem.objects.filter(item=item).count() == 5


def attempt(employee, course, score):
    import uuid

    from lms.progress.models import QuizAttempt

    number = QuizAttempt.objects.filter(user=employee.user).count() + 1
    return QuizAttempt.objects.create(
        user=employee.user,
        quiz_key=uuid.UUID(int=1),
        course=course,
        number=number,
        quiz_title="风控测验",
        correct_count=score // 10,
        question_count=10,
        score=score,
        pass_mark=60,
        passed=score >= 60,
        attempt_limit=0,
    )
