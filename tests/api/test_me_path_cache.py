"""me/path/ is cached and sent with an ETag; every change to a person's paths shows at once."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from lms.org.models import Department
from lms.org.services import employee_update
from lms.paths.models import EnrolmentItem, LearningPath, PathStage
from lms.paths.services import enrolment_assign_manually, enrolment_item_exempt
from lms.paths.tasks import sync_path
from tests.factories import EmployeeFactory, UserFactory
from tests.paths.factories import (
    AssignmentRuleFactory,
    LearningPathFactory,
    PathItemFactory,
    PathStageFactory,
)

pytestmark = pytest.mark.django_db


def checklist_path(name: str, titles: list[str]) -> LearningPath:
    path = LearningPathFactory(name=name)
    stage = PathStageFactory(path=path, name="入职第一天")
    for n, title in enumerate(titles):
        PathItemFactory(stage=stage, kind="checklist", title=title, due_days=n, sort_order=n)
    return path


@pytest.fixture
def learner():
    employee = EmployeeFactory(roles=["Learner"], start_date=timezone.localdate())
    client = APIClient()
    client.force_authenticate(employee.user)
    client.employee = employee
    enrolment_assign_manually(
        employee=employee, path=checklist_path("新员工入职", ["领取工牌", "签署保密协议"])
    )
    return client


def my_map(client) -> list[dict]:
    response = client.get("/api/v1/me/path/")
    assert response.status_code == 200
    return response.json()


def states(body: list[dict]) -> dict[str, str]:
    return {i["title"]: i["state"] for m in body for s in m["stages"] for i in s["items"]}


def test_an_unchanged_map_costs_one_query(learner, django_assert_max_num_queries):
    first = my_map(learner)
    with django_assert_max_num_queries(1):
        assert my_map(learner) == first


def test_the_phone_revalidates_with_its_etag_and_gets_304_until_something_changes(learner):
    first = learner.get("/api/v1/me/path/")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = learner.get("/api/v1/me/path/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    item = EnrolmentItem.objects.get(title="领取工牌")
    ack = learner.post(
        "/api/v1/progress/events/",
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "checklist.ticked",
                    "item": item.pk,
                    "client_time": timezone.now().isoformat(),
                }
            ]
        },
        format="json",
    ).json()
    assert ack["acks"][0]["status"] == "applied", ack
    changed = learner.get("/api/v1/me/path/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert states(changed.json())["领取工牌"] == "done"


def test_another_persons_etag_does_not_give_a_304(learner):
    other = APIClient()
    other_employee = EmployeeFactory(roles=["Learner"])
    other.force_authenticate(other_employee.user)
    etag = other.get("/api/v1/me/path/").headers["ETag"]
    assert learner.get("/api/v1/me/path/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_an_exemption_shows_on_the_cached_map(learner, django_user_model):
    assert states(my_map(learner))["签署保密协议"] == "todo"
    hr = UserFactory(username="hr")
    enrolment_item_exempt(item=EnrolmentItem.objects.get(title="签署保密协议"), by=hr)
    assert states(my_map(learner))["签署保密协议"] == "exempt"


def test_a_second_path_assigned_by_hand_shows_on_the_cached_map(learner):
    assert len(my_map(learner)) == 1
    enrolment_assign_manually(
        employee=learner.employee, path=checklist_path("合规必修", ["反洗钱"])
    )
    assert [m["path"] for m in my_map(learner)] == ["新员工入职", "合规必修"]


def test_moving_to_another_department_recomputes_the_cached_map(
    learner, django_capture_on_commit_callbacks
):
    risk = Department.objects.create(name="风险控制部", code="risk")
    risk_path = checklist_path("风控岗位必修", ["征信基础"])
    AssignmentRuleFactory(path=risk_path, department=risk)
    assert "征信基础" not in states(my_map(learner))
    employee = learner.employee
    employee.department = risk
    with django_capture_on_commit_callbacks(execute=True):
        employee_update(employee=employee)
    assert "征信基础" in states(my_map(learner))


def test_renaming_a_path_and_its_stage_reaches_every_cached_map(learner):
    assert my_map(learner)[0]["path"] == "新员工入职"
    path = LearningPath.objects.get(name="新员工入职")
    path.name = "新员工入职必修"
    path.save()
    PathStage.objects.filter(path=path).update(name="第一天")
    sync_path.enqueue(path_id=path.pk)  # what saving the path in the admin does
    [path_map] = my_map(learner)
    assert path_map["path"] == "新员工入职必修"
    assert path_map["stages"][0]["name"] == "第一天"


def test_a_new_day_counts_due_dates_again_without_any_change(learner):
    first = my_map(learner)
    assert [i["days_left"] for s in first[0]["stages"] for i in s["items"]] == [0, 1]
    with freeze_time(timezone.now() + dt.timedelta(days=3)):
        later = my_map(learner)
    assert [i["days_left"] for s in later[0]["stages"] for i in s["items"]] == [-3, -2]
    assert {i["state"] for s in later[0]["stages"] for i in s["items"]} == {"overdue"}
