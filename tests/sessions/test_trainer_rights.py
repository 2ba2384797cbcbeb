"""Who may edit a session and choose its trainers, and so who reads its brief.

A session's trainers read its brief (names, readiness, free-text answers). A trainer
schedules sessions and edits those they teach; only HR and admins edit any session.
"""

import pytest
from rest_framework.test import APIClient

from lms.sessions.models import InPersonSession
from tests.factories import EmployeeFactory, form_data_from
from tests.sessions.factories import known_brief

pytestmark = pytest.mark.django_db

ADMIN_LIST = "/admin/snippets/training_sessions/inpersonsession/"


def edit_url(session):
    return f"{ADMIN_LIST}edit/{session.pk}/"


def delete_url(session):
    return f"{ADMIN_LIST}delete/{session.pk}/"


@pytest.fixture
def taught(course, trainer):
    """A session taught by `trainer`, with a survey three of four people answered."""
    return known_brief(course, trainers=[trainer])


@pytest.fixture
def form_as_rendered(client, taught, hr):
    """The session's edit form, as the admin renders it for someone allowed to edit it."""
    client.force_login(hr)
    data = form_data_from(client.get(edit_url(taught.session)).content.decode())
    client.logout()
    return data


def refused(response):
    """Wagtail turns PermissionDenied into a redirect to the dashboard."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def trainer_ids(session):
    return sorted(InPersonSession.objects.get(pk=session.pk).trainers.values_list("pk", flat=True))


def brief_readable(client, user, session):
    client.force_login(user)
    page = client.get(f"/admin/sessions/{session.pk}/brief/")
    csv = client.get(f"/admin/sessions/{session.pk}/brief.csv")
    api = APIClient()
    api.force_authenticate(user)
    through_api = api.get(f"/api/v1/sessions/{session.pk}/brief/")
    readable = [page.status_code == 200, csv.status_code == 200, through_api.status_code == 200]
    assert len(set(readable)) == 1, readable  # the admin pages and the API agree
    return readable[0]


def test_another_trainer_cannot_join_a_session_to_read_its_brief(
    client, taught, trainer, form_as_rendered
):
    other = EmployeeFactory(roles=["Trainer"]).user
    client.force_login(other)
    assert refused(client.get(edit_url(taught.session)))
    joined = {**form_as_rendered, "trainers": [str(trainer.pk), str(other.pk)], "title": "改名"}
    assert refused(client.post(edit_url(taught.session), joined))
    session = InPersonSession.objects.get(pk=taught.session.pk)
    assert session.title == taught.session.title
    assert trainer_ids(session) == [trainer.pk]
    assert not brief_readable(client, other, session)


def test_another_trainer_cannot_delete_a_session(client, taught):
    client.force_login(EmployeeFactory(roles=["Trainer"]).user)
    assert refused(client.get(delete_url(taught.session)))
    assert refused(client.post(delete_url(taught.session)))
    assert InPersonSession.objects.filter(pk=taught.session.pk).exists()


def test_the_listing_offers_edit_only_on_sessions_one_teaches(client, taught, trainer):
    elsewhere = known_brief(taught.survey.course).session  # taught by nobody here
    client.force_login(trainer)
    body = client.get(ADMIN_LIST).content.decode()
    assert elsewhere.title in body  # the schedule is no secret
    assert edit_url(taught.session) in body
    assert edit_url(elsewhere) not in body and delete_url(elsewhere) not in body
    assert f"/admin/sessions/{elsewhere.pk}/brief/" not in body


def test_a_trainer_edits_and_shares_a_session_they_teach(client, taught, trainer, form_as_rendered):
    colleague = EmployeeFactory(roles=["Trainer"]).user
    client.force_login(trainer)
    shared = {
        **form_as_rendered,
        "title": "信贷风控面授（二期）",
        "trainers": [str(trainer.pk), str(colleague.pk)],
    }
    response = client.post(edit_url(taught.session), shared)
    assert response.status_code == 302 and response["Location"] != "/admin/"
    session = InPersonSession.objects.get(pk=taught.session.pk)
    assert session.title == "信贷风控面授（二期）"
    assert trainer_ids(session) == sorted([trainer.pk, colleague.pk])
    assert brief_readable(client, colleague, session)


def test_a_trainer_cannot_hand_their_session_to_someone_else(
    client, taught, trainer, form_as_rendered
):
    colleague = EmployeeFactory(roles=["Trainer"]).user
    client.force_login(trainer)
    handed = {**form_as_rendered, "trainers": [str(colleague.pk)]}
    response = client.post(edit_url(taught.session), handed, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "你是这场面授的讲师" in response.content.decode()
    assert trainer_ids(taught.session) == [trainer.pk]


def test_a_trainer_who_schedules_a_session_is_its_trainer(client, trainer, course):
    from django.utils import timezone

    client.force_login(trainer)
    data = form_data_from(client.get(f"{ADMIN_LIST}add/").content.decode())
    start = timezone.localtime() + timezone.timedelta(days=7)
    data.update(
        {
            "title": "贷后管理面授",
            "trainers": [],
            "parts-TOTAL_FORMS": "1",
            "parts-0-starts_at": start.strftime("%Y-%m-%d %H:%M"),
            "parts-0-ends_at": (start + timezone.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
            "parts-0-ORDER": "1",
            "parts-0-id": "",
            "parts-0-DELETE": "",
        }
    )
    response = client.post(f"{ADMIN_LIST}add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = InPersonSession.objects.get(title="贷后管理面授")
    assert trainer_ids(session) == [trainer.pk]
    assert client.get(edit_url(session)).status_code == 200
    assert brief_readable(client, trainer, session)


@pytest.mark.parametrize("role", ["HR", "Admin"])
def test_hr_and_admins_choose_the_trainers_of_any_session(
    client, taught, trainer, form_as_rendered, role
):
    replacement = EmployeeFactory(roles=["Trainer"]).user
    client.force_login(EmployeeFactory(roles=[role]).user)
    response = client.post(
        edit_url(taught.session), {**form_as_rendered, "trainers": [str(replacement.pk)]}
    )
    assert response.status_code == 302 and response["Location"] != "/admin/"
    assert trainer_ids(taught.session) == [replacement.pk]
    assert not brief_readable(client, trainer, taught.session)
    assert brief_readable(client, replacement, taught.session)


@pytest.mark.parametrize(
    ("who", "edits", "reads_brief"),
    [
        ("teaches it", True, True),
        ("another trainer", False, False),
        ("HR", True, True),
        ("Admin", True, True),
        ("a learner coming", False, False),
    ],
)
def test_per_role(client, taught, trainer, form_as_rendered, who, edits, reads_brief):
    user = {
        "teaches it": lambda: trainer,
        "another trainer": lambda: EmployeeFactory(roles=["Trainer"]).user,
        "HR": lambda: EmployeeFactory(roles=["HR"]).user,
        "Admin": lambda: EmployeeFactory(roles=["Admin"]).user,
        "a learner coming": lambda: taught.people[0],
    }[who]()
    client.force_login(user)
    renamed = {**form_as_rendered, "title": f"改名：{who}"}
    client.post(edit_url(taught.session), renamed)
    title = InPersonSession.objects.get(pk=taught.session.pk).title
    assert (title == f"改名：{who}") is edits
    assert (client.get(edit_url(taught.session)).status_code == 200) is edits
    # Nobody becomes a trainer of it by their own hand (HR and admins are no trainers:
    # the field offers trainers only).
    joined = {**form_as_rendered, "trainers": [str(trainer.pk), str(user.pk)]}
    client.post(edit_url(taught.session), joined)
    assert trainer_ids(taught.session) == [trainer.pk]
    assert brief_readable(client, user, taught.session) is reads_brief


@pytest.mark.parametrize("role", ["Trainer", "HR"])
def test_the_listing_costs_the_same_queries_for_more_sessions(
    client, trainer, role, django_assert_max_num_queries
):
    from tests.sessions.factories import InPersonSessionFactory

    viewer = trainer if role == "Trainer" else EmployeeFactory(roles=[role]).user
    for n in range(3):
        InPersonSessionFactory(trainers=[trainer] if n % 2 else [])
    client.force_login(viewer)
    client.get(ADMIN_LIST)  # the connection's and the permission cache's first use
    with django_assert_max_num_queries(60) as few:
        assert client.get(ADMIN_LIST).status_code == 200
    for n in range(10):
        InPersonSessionFactory(trainers=[trainer] if n % 2 else [])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(ADMIN_LIST).content.decode()
    assert body.count("/brief/") == (13 if role == "HR" else 6)
