"""The trainer's admin pages: roster and marks, approval, QR code; authoring in the admin."""

import pytest
from django.utils import timezone

from lms.sessions.models import InPersonSession
from lms.surveys.models import Survey
from tests.factories import EmployeeFactory, form_data_from
from tests.sessions.factories import InPersonSessionFactory, SignUpFactory, in_days, learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(trainer):
    return InPersonSessionFactory(parts=[(in_days(0, -0.05), in_days(0, 2))], trainers=[trainer])


def seat(session, status="confirmed"):
    return SignUpFactory(session=session, user=learner(), status=status, queued_at=timezone.now())


def test_roster_per_role(client, running, trainer, hr):
    signup = seat(running)
    url = f"/admin/sessions/{running.pk}/roster/"
    assert client.get(url).status_code == 302
    client.force_login(signup.user)
    assert client.get(url)["Location"] != url
    client.force_login(EmployeeFactory(roles=["Trainer"]).user)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    for user in (trainer, hr, EmployeeFactory(roles=["Admin"]).user):
        client.force_login(user)
        assert signup.user.employee.name in client.get(url).content.decode()


def test_mark_by_hand(client, running, trainer):
    signup = seat(running)
    client.force_login(trainer)
    url = f"/admin/sessions/{running.pk}/roster/mark/"
    client.post(url, {"signup": signup.pk, "status": "late"})
    signup.refresh_from_db()
    assert signup.status == "late" and signup.marked_by == trainer
    client.post(url, {"signup": signup.pk, "status": "cancelled"})  # not a mark
    signup.refresh_from_db()
    assert signup.status == "late"
    other = InPersonSessionFactory()
    elsewhere = seat(other)
    assert client.post(url, {"signup": elsewhere.pk, "status": "attended"}).status_code == 404
    assert client.post(url, {"signup": "1 OR 1", "status": "attended"}).status_code == 404
    assert client.get(url).status_code == 405


def test_approval_needs_hr(client, running, trainer, hr):
    signup = seat(running, status="pending")
    url = f"/admin/sessions/{running.pk}/roster/mark/"
    client.force_login(trainer)
    client.post(url, {"signup": signup.pk, "status": "approve"})
    signup.refresh_from_db()
    assert signup.status == "pending"
    client.force_login(hr)
    client.post(url, {"signup": signup.pk, "status": "approve"})
    signup.refresh_from_db()
    assert signup.status == "confirmed" and signup.approved_by == hr


def test_qr_code_page(client, running, trainer):
    client.force_login(trainer)
    body = client.get(f"/admin/sessions/{running.pk}/check-in-code/").content.decode()
    assert "<svg" in body and 'http-equiv="refresh"' in body
    later = InPersonSessionFactory(trainers=[trainer])
    assert "<svg" not in client.get(f"/admin/sessions/{later.pk}/check-in-code/").content.decode()
    client.force_login(learner())
    assert "<svg" not in client.get(f"/admin/sessions/{running.pk}/check-in-code/").content.decode()


def test_trainer_creates_a_survey_that_gets_standard_questions(client, trainer, course):
    client.force_login(trainer)
    response = client.post(
        "/admin/snippets/surveys/survey/add/",
        {
            "title": "「风险控制入门」训前调研",
            "intro": "",
            "course": course.pk,
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    survey = Survey.objects.get()
    assert [q.kind for q in survey.questions.order_by("sort_order")] == [
        "topics_ranked",
        "topic_confidence",
        "text",
    ]


def test_session_listing_for_trainers_with_brief_button(client, running, trainer):
    client.force_login(trainer)
    body = client.get("/admin/snippets/training_sessions/inpersonsession/").content.decode()
    assert running.title in body and f"/admin/sessions/{running.pk}/brief/" in body
    client.force_login(learner())
    assert (
        running.title
        not in client.get("/admin/snippets/training_sessions/inpersonsession/").content.decode()
    )


def test_learners_cannot_edit_sessions(client, running):
    client.force_login(learner())
    client.post(
        f"/admin/snippets/training_sessions/inpersonsession/edit/{running.pk}/", {"title": "x"}
    )
    assert InPersonSession.objects.get(pk=running.pk).title == running.title


def test_authoring_forms_open(client, running, trainer):
    client.force_login(trainer)
    for url in (
        "/admin/snippets/training_sessions/inpersonsession/add/",
        f"/admin/snippets/training_sessions/inpersonsession/edit/{running.pk}/",
        "/admin/snippets/surveys/survey/add/",
        "/admin/snippets/surveys/survey/",
    ):
        assert client.get(url).status_code == 200, url


def test_editing_the_time_in_the_admin_sends_an_update(
    client, trainer, django_capture_on_commit_callbacks, mailbox
):
    from icalendar import Calendar

    from lms.sessions.services import session_saved

    session = InPersonSessionFactory(trainers=[trainer])
    session_saved(session=session)
    seated = seat(session)
    client.force_login(trainer)
    url = f"/admin/snippets/training_sessions/inpersonsession/edit/{session.pk}/"
    data = form_data_from(client.get(url).content.decode())
    start_field = next(k for k in data if k.endswith("-starts_at"))
    part = session.parts.get()
    new_start = timezone.localtime(part.starts_at) + timezone.timedelta(hours=1)
    data[start_field] = new_start.strftime("%Y-%m-%d %H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.sequence == 1
    update = [m for m in mailbox if m.to == [seated.user.email]]
    assert len(update) == 1
    event = Calendar.from_ical(update[0].attachments[0][1]).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start.replace(second=0, microsecond=0)
