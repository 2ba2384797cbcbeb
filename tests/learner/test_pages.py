"""Sign-in, the home page and the language switch, as a person uses them."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from tests.factories import EmployeeFactory, UserFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_new_hire_signs_in_with_employee_number_and_sees_their_facts(client):
    employee = EmployeeFactory(employee_no="E2026001", name="李佳怡", department__name="风险控制部")
    employee.user.set_password("a-long-password-1")
    employee.user.save()
    response = client.post(
        "/accounts/login/",
        {"username": "E2026001", "password": "a-long-password-1", "next": "/"},
    )
    assert response.status_code == 302
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "欢迎，李佳怡" in page
    assert "风险控制部" in page


def test_wrong_password_shows_an_error_in_the_users_language(client):
    EmployeeFactory(employee_no="E1")
    response = client.post(
        "/accounts/login/",
        {"username": "E1", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_people_who_left_cannot_sign_in(client):
    from lms.org.services import employee_deactivate

    employee = EmployeeFactory(employee_no="E9")
    employee.user.set_password("a-long-password-1")
    employee.user.save()
    employee_deactivate(employee=employee)
    response = client.post("/accounts/login/", {"username": "E9", "password": "a-long-password-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_language_choice_is_remembered_on_the_profile(client):
    employee = EmployeeFactory()
    client.force_login(employee.user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.preferred_language == "en"
    # A new browser (no language cookie, Chinese Accept-Language) still gets English.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"Welcome, {employee.name}" in page


def test_unknown_language_is_ignored(client):
    employee = EmployeeFactory()
    client.force_login(employee.user)
    client.post("/i18n/setlang/", {"language": "xx-evil", "next": "/"})
    employee.refresh_from_db()
    assert employee.preferred_language == ""


def test_set_language_refuses_get_and_offsite_redirects(client):
    assert client.get("/i18n/setlang/?language=en").status_code == 405
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_staff_account_without_employee_record_gets_a_way_to_the_admin(client):
    client.force_login(UserFactory(username="ops"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not linked to an employee record" in page
    assert 'href="/admin/"' in page


@pytest.mark.parametrize(
    ("role", "admin_status"),
    [("Learner", 302), ("Trainer", 200), ("HR", 200), ("Admin", 200)],
)
def test_admin_access_per_role(role_client, role, admin_status):
    response = role_client(role).get("/admin/")
    assert response.status_code == admin_status


@pytest.mark.parametrize(
    ("role", "can_edit_employees"),
    [("Learner", False), ("Trainer", False), ("HR", True), ("Admin", True)],
)
def test_only_hr_and_admin_edit_people(role_client, role, can_edit_employees):
    client = role_client(role)
    employee = EmployeeFactory()
    response = client.get(f"/admin/snippets/org/employee/edit/{employee.pk}/")
    assert (response.status_code == 200) is can_edit_employees


def test_hr_sees_the_organisation_in_the_admin_in_chinese(role_client):
    client = role_client("HR")
    EmployeeFactory(name="王芳", employee_no="E7")
    response = client.get("/admin/snippets/org/employee/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 200
    assert "王芳" in page
    assert "工号" in page


def test_employee_list_is_searchable_by_chinese_substring(role_client):
    client = role_client("HR")
    EmployeeFactory(name="欧阳娜娜", employee_no="E8")
    EmployeeFactory(name="张伟", employee_no="E9")
    page = client.get("/admin/snippets/org/employee/?q=阳娜").content.decode()
    assert "欧阳娜娜" in page
    assert "张伟" not in page


def test_employee_list_queries_do_not_grow_with_people(role_client, django_assert_max_num_queries):
    client = role_client("HR")
    for _ in range(30):
        EmployeeFactory()
    with django_assert_max_num_queries(30):
        assert client.get("/admin/snippets/org/employee/").status_code == 200


@pytest.mark.parametrize("model", ["department", "position", "level", "cohort"])
def test_organisation_lists_count_active_people_in_one_query(
    role_client, model, django_assert_max_num_queries
):
    from lms.org.services import employee_deactivate
    from tests.factories import CohortFactory, LevelFactory, PositionFactory

    client = role_client("HR")
    position = PositionFactory(name="风控专员")
    level = LevelFactory(code="P1")
    cohort = CohortFactory(name="2026-12 校招")
    people = [
        EmployeeFactory(
            department=position.department, position=position, level=level, cohort=cohort
        )
        for _ in range(3)
    ]
    employee_deactivate(employee=people[0])
    with django_assert_max_num_queries(25):
        response = client.get(f"/admin/snippets/org/{model}/", HTTP_ACCEPT_LANGUAGE="en")
    table = next(
        t
        for t in BeautifulSoup(response.content, "html.parser").find_all("table")
        if "Active people" in t.get_text()
    )
    headers = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    column = next(n for n, text in enumerate(headers) if "Active people" in text)
    counts = [
        row.find_all("td")[column].get_text(strip=True)
        for row in table.find("tbody").find_all("tr")
    ]
    assert "2" in counts, "two of the three people are still active"


def test_the_home_page_is_the_learners_path_map(client, django_assert_max_num_queries):
    import datetime as dt

    from django.utils import timezone

    from lms.paths.services import enrolment_assign_manually

    today = timezone.localdate()
    employee = EmployeeFactory(start_date=today - dt.timedelta(days=5))
    path = LearningPathFactory(name="客户经理入职路径")
    first_day = PathStageFactory(path=path, name="入职第一天", sort_order=0)
    week = PathStageFactory(path=path, name="第一周", sort_order=1)
    PathItemFactory(stage=first_day, kind="checklist", title="领取工牌", due_days=0)
    PathItemFactory(
        stage=first_day, kind="checklist", title="签署保密协议", due_days=3, sort_order=1
    )
    PathItemFactory(stage=week, kind="checklist", title="开通邮箱", due_days=8)
    PathItemFactory(
        stage=week,
        kind="checklist",
        title="提交述职",
        due_days=9,
        requires_earlier=True,
        sort_order=1,
    )
    enrolment = enrolment_assign_manually(employee=employee, path=path)
    enrolment.items.filter(title="领取工牌").update(status="completed")
    client.force_login(employee.user)

    with django_assert_max_num_queries(12):
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "客户经理入职路径" in page
    assert "已完成 1 / 4" in page
    assert "已逾期 2 天" in page  # 签署保密协议, due on day 3
    assert "3 天后到期" in page  # 开通邮箱, due on day 8
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select_one(".continue strong").get_text() == "签署保密协议"
    locked = enrolment.items.get(title="提交述职").pk
    assert soup.select_one(f"#item-{locked}")["class"] == [
        "item",
        "state-locked",
    ]
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 days overdue" in english
    assert "Due in 3 days" in english
