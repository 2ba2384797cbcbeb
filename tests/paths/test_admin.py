"""HR builds paths and assigns them in the admin; trainers can only look."""

import pytest

from lms.paths.models import Enrolment, LearningPath
from tests.factories import EmployeeFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def path():
    path = LearningPathFactory(name="客户经理入职路径")
    stage = PathStageFactory(path=path, name="入职第一天")
    PathItemFactory(stage=stage, kind="checklist", title="领取工牌", due_days=0)
    return path


@pytest.mark.parametrize(
    ("role", "list_status", "edit_status"),
    [("Learner", 302, 302), ("Trainer", 200, 302), ("HR", 200, 200), ("Admin", 200, 200)],
)
def test_path_pages_per_role(role_client, path, role, list_status, edit_status):
    client = role_client(role)
    assert client.get("/admin/snippets/paths/learningpath/").status_code == list_status
    response = client.get(f"/admin/snippets/paths/learningpath/edit/{path.pk}/")
    assert response.status_code == edit_status


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


def test_hr_copies_a_path_from_the_list(role_client, path):
    client = role_client("HR")
    listing = client.get(
        "/admin/snippets/paths/learningpath/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"/admin/learning-paths/{path.pk}/copy/" in listing
    form = client.get(f"/admin/learning-paths/{path.pk}/copy/", HTTP_ACCEPT_LANGUAGE="en")
    assert "客户经理入职路径 (copy)" in form.content.decode()
    response = client.post(
        f"/admin/learning-paths/{path.pk}/copy/", {"name": "客户经理入职路径（2027）"}
    )
    copy = LearningPath.objects.get(name="客户经理入职路径（2027）")
    assert response["Location"] == f"/admin/snippets/paths/learningpath/edit/{copy.pk}/"
    assert not copy.is_active
    assert [i.title for s in copy.stages.all() for i in s.items.all()] == ["领取工牌"]


def test_a_copy_needs_a_new_name(role_client, path):
    client = role_client("HR")
    response = client.post(
        f"/admin/learning-paths/{path.pk}/copy/", {"name": path.name}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "exists already" in response.content.decode()
    assert LearningPath.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "allowed"), [("Learner", False), ("Trainer", False), ("Admin", True)]
)
def test_who_may_copy_a_path(role_client, path, role, allowed):
    client = role_client(role)
    client.post(f"/admin/learning-paths/{path.pk}/copy/", {"name": "副本"})
    assert LearningPath.objects.filter(name="副本").exists() is allowed


def test_copying_a_missing_path_is_404(role_client):
    assert role_client("HR").get("/admin/learning-paths/999999/copy/").status_code == 404
