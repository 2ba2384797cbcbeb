"""HR builds paths and assigns them in the admin; trainers can only look."""

import pytest

from lms.paths.models import Enrolment, LearningPath, PathItem, PathStage
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def path():
    path = LearningPath.objects.create(name="客户经理入职路径")
    stage = PathStage.objects.create(path=path, name="入职第一天")
    PathItem.objects.create(stage=stage, kind="checklist", title="领取工牌", due_days=0)
    return path


@pytest.mark.parametrize(
    ("role", "list_status", "edit_status"),
    [("Learner", 302, 302), ("Trainer", 200, 302), ("HR", 200, 200), ("Admin", 200, 200)],
)
def test_path_pages_per_role(role_client, path, role, list_status, edit_status):
    client = role_client(role)
    assert client.get("/admin/snippets/paths/learningpath/").status_code == list_status
    response = client.get(f"/admin/snippets/paths/learningpath/edit/{path.pk}/")
    assert response.status_code in ((edit_status,) if edit_status == 200 else (302, 403))


def test_the_path_editor_shows_stages_and_items_in_chinese(role_client, path):
    client = role_client("HR")
    page = client.get(
        f"/admin/snippets/paths/learningpath/edit/{path.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "入职第一天" in page
    assert "领取工牌" in page
    assert "阶段" in page


def test_hr_assigns_a_path_by_hand(role_client, path, django_capture_on_commit_callbacks):
    client = role_client("HR")
    employee = EmployeeFactory()
    response = client.post(
        "/admin/snippets/paths/enrolment/add/", {"employee": employee.pk, "path": path.pk}
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(employee=employee)
    assert enrolment.source == Enrolment.Source.MANUAL
    assert enrolment.items.get().title == "领取工牌"


def test_a_rule_without_any_criterion_is_refused(role_client):
    from lms.paths.models import AssignmentRule

    rule = AssignmentRule(path=LearningPath(name="x"))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        rule.clean()


def test_path_list_counts_people_without_extra_queries(
    role_client, path, django_assert_max_num_queries
):
    from lms.paths.services import enrolment_assign_manually

    client = role_client("HR")
    for _ in range(5):
        enrolment_assign_manually(employee=EmployeeFactory(), path=path)
    with django_assert_max_num_queries(25):
        page = client.get(
            "/admin/snippets/paths/learningpath/", HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "People" in page
