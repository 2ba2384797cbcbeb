"""The learner's phone pages through the HTTP client: the progress beacon, the player's
data on lesson pages, the course page, transcript, certificates and profile."""

import json
import uuid

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from courses.models import CoursePage
from lms.paths.models import Enrolment, EnrolmentItem
from lms.progress.events import progress_events_apply
from lms.progress.models import ProgressEvent, VideoWatch
from tests.factories import EmployeeFactory, UserFactory
from tests.learner.factories import learning_world
from tests.media.factories import VideoDeliveryFactory
from tests.media.published import publish_fake_video

pytestmark = pytest.mark.django_db

BEACON = "/learn/progress/beacon/"
TRANSCRIPT = "/learn/me/transcript/"
PROFILE = "/learn/me/profile/"


@pytest.fixture
def world():
    world = learning_world(video=publish_fake_video(), must_watch=50)
    # The learner's player was sent the video yesterday, so what these tests report as
    # watched can have been played (the rule: tests/progress/test_credit.py).
    VideoDeliveryFactory(user=world.employee.user, video=world.video)
    return world


def watched(world, start: float, end: float, position: float | None = None) -> list[dict]:
    base = {
        "client_time": timezone.now().isoformat(),
        "lesson": world.lesson.pk,
        "video": world.video.pk,
    }
    events = [
        {"id": str(uuid.uuid4()), "type": "video.watched", "start": start, "end": end, **base}
    ]
    if position is not None:
        events.append(
            {"id": str(uuid.uuid4()), "type": "video.position", "position": position, **base}
        )
    return events


def signed_in(employee, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(employee.user)
    return client


def csrf_token(client: Client) -> str:
    # Any learner page sets the CSRF cookie (the language switch has a form).
    client.get(PROFILE)
    return client.cookies["csrftoken"].value


# --- the beacon -------------------------------------------------------------------------


def test_beacon_records_progress_with_the_token_in_the_body(world):
    client = signed_in(world.employee, csrf=True)
    token = csrf_token(client)
    events = watched(world, 0, 4, position=4)
    response = client.post(BEACON, {"csrfmiddlewaretoken": token, "events": json.dumps(events)})
    assert response.status_code == 200
    assert [ack["status"] for ack in response.json()["acks"]] == ["applied", "applied"]
    watch = VideoWatch.objects.get(user=world.employee.user)
    assert watch.last_position == 4
    # The same events arriving again from the outbox count once.
    again = client.post(BEACON, {"csrfmiddlewaretoken": token, "events": json.dumps(events)})
    assert [ack["status"] for ack in again.json()["acks"]] == ["duplicate", "duplicate"]
    assert ProgressEvent.objects.filter(user=world.employee.user).count() == 2
    watch.refresh_from_db()
    assert watch.watched_seconds == 4


def test_beacon_without_the_csrf_token_is_refused_and_records_nothing(world):
    client = signed_in(world.employee, csrf=True)
    csrf_token(client)
    response = client.post(BEACON, {"events": json.dumps(watched(world, 0, 4))})
    assert response.status_code == 403
    assert not ProgressEvent.objects.exists()


def test_beacon_with_someone_elses_token_is_refused(world):
    other = EmployeeFactory()
    token = csrf_token(signed_in(other, csrf=True))
    client = signed_in(world.employee, csrf=True)
    csrf_token(client)
    response = client.post(
        BEACON, {"csrfmiddlewaretoken": token, "events": json.dumps(watched(world, 0, 4))}
    )
    # CSRF tokens are masked per response but share the cookie's secret: another
    # browser's token does not match this browser's cookie.
    assert response.status_code == 403
    assert not ProgressEvent.objects.exists()


def test_beacon_refuses_anonymous_visitors(world):
    response = Client().post(BEACON, {"events": json.dumps(watched(world, 0, 4))})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not ProgressEvent.objects.exists()


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"events": "not json"}, 400, "invalid"),
        ({"events": '{"id": 1}'}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"events": json.dumps([{}] * 501)}, 400, "too_many"),
        ({"events": "[" + "0," * 150_000 + "0]"}, 413, "too_large"),
    ],
    ids=["broken", "not-a-list", "missing", "too-many", "huge"],
)
def test_beacon_bad_bodies_get_a_clear_4xx(world, body, status, code):
    response = signed_in(world.employee).post(BEACON, body, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert not ProgressEvent.objects.exists()


def test_beacon_hostile_events_are_rejected_one_by_one(world):
    hidden = CoursePage.objects.get(pk=world.course.pk)
    events = [
        {"id": "<script>", "type": "video.watched"},
        {"id": str(uuid.uuid4()), "type": "drop table", "client_time": "2026-12-01T10:00:00Z"},
        *watched(world, 0, 10_000),  # longer than the video
        *watched(world, 1, 3),
    ]
    response = signed_in(world.employee).post(BEACON, {"events": json.dumps(events)})
    assert response.status_code == 200
    statuses = [ack["status"] for ack in response.json()["acks"]]
    assert statuses == ["rejected", "rejected", "rejected", "applied"]
    assert hidden.live


def test_beacon_cannot_record_progress_on_a_lesson_the_learner_may_not_see(world):
    from courses.models import CourseVisibility

    world.course.visibility = CourseVisibility.GROUPS
    world.course.save_revision().publish()
    stranger = EmployeeFactory()
    response = signed_in(stranger).post(BEACON, {"events": json.dumps(watched(world, 0, 4))})
    assert response.status_code == 200
    assert response.json()["acks"][0]["status"] == "rejected"
    assert not VideoWatch.objects.filter(user=stranger.user).exists()


def test_beacon_answers_only_post(world):
    assert signed_in(world.employee).get(BEACON).status_code == 405


# --- the lesson page gives the player what it needs --------------------------------------


def player(client: Client, world) -> dict:
    page = client.get(world.lesson.url)
    assert page.status_code == 200
    slot = BeautifulSoup(page.content, "html.parser").select_one(".player")
    assert slot is not None
    return slot


def test_lesson_page_carries_the_resume_point_from_any_device(world):
    # Watched on another phone: the events went in through the API's service.
    progress_events_apply(user=world.employee.user, events=watched(world, 0, 6.5, position=6.5))
    slot = player(signed_in(world.employee), world)
    assert float(slot["data-resume"]) == 6.5
    assert float(slot["data-furthest"]) == 6.5
    assert slot["data-resume-at"]
    assert slot["data-lesson"] == str(world.lesson.pk)
    assert slot["data-hls"].endswith("/master.m3u8")
    assert not slot.has_attr("data-no-skip")
    # Captions arrive as <track> elements, the same for hls.js and native HLS.
    track = slot.select_one("template.player-tracks").decode_contents()
    assert 'srclang="en"' in track and "/captions/en.vtt" in track


def test_one_learners_position_is_not_anothers(world):
    progress_events_apply(user=world.employee.user, events=watched(world, 0, 6, position=6))
    other = EmployeeFactory()
    from courses.models import CourseVisibility

    assert world.course.visibility == CourseVisibility.STAFF
    assert float(player(signed_in(other), world)["data-resume"]) == 0


def test_no_skipping_courses_tell_the_player(world):
    world.course.no_skipping = True
    world.course.save_revision().publish()
    client = signed_in(world.employee)
    slot = player(client, world)
    assert slot.has_attr("data-no-skip")
    page = client.get(world.lesson.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "本课程不允许快进" in page


def test_player_script_is_loaded_only_on_lesson_pages(world):
    client = signed_in(world.employee)
    home = client.get("/").content.decode()
    lesson = client.get(world.lesson.url).content.decode()
    assert "/assets/lesson-" not in home
    assert "/assets/lesson-" in lesson
    assert "hls" not in home.lower()


def test_quiz_form_has_the_texts_for_one_question_per_screen(world):
    page = signed_in(world.employee).get(world.lesson.url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    form = BeautifulSoup(page.content, "html.parser").select_one("form.quiz-form")
    assert form["data-msg-next"] and form["data-msg-answer-first"]
    assert "{n}" in form["data-msg-counter"] and "{total}" in form["data-msg-counter"]
    assert len(form.select("fieldset.question")) == 3


# --- the course page --------------------------------------------------------------------


def test_course_page_shows_lesson_status_and_what_comes_next(world):
    client = signed_in(world.employee)
    page = BeautifulSoup(client.get(world.course.url).content, "html.parser")
    assert page.select_one(".lesson-state-todo") is not None
    assert "领取工牌" in page.select_one(".unlocks").get_text()
    progress_events_apply(user=world.employee.user, events=watched(world, 0, 2))
    page = BeautifulSoup(client.get(world.course.url).content, "html.parser")
    assert page.select_one(".lesson-state-started") is not None
    # Begun: the button continues with the first unfinished lesson.
    assert page.select_one(".page-head .button")["href"] == world.lesson.url


def test_course_page_for_staff_without_a_path(world, role_client):
    client = role_client("Trainer")
    page = BeautifulSoup(client.get(world.course.url).content, "html.parser")
    assert page.select_one(".unlocks") is None
    assert page.select_one(".lesson-list") is not None


# --- transcript and certificates ---------------------------------------------------------


def complete_course(world) -> EnrolmentItem:
    item = EnrolmentItem.objects.get(enrolment__employee=world.employee, item__course__isnull=False)
    item.status = EnrolmentItem.Status.COMPLETED
    item.completed_at = timezone.now()
    item.save()
    return item


def test_transcript_lists_what_i_completed_and_when(world, django_assert_max_num_queries):
    item = complete_course(world)
    client = signed_in(world.employee)
    client.get(TRANSCRIPT)
    with django_assert_max_num_queries(12):
        page = client.get(TRANSCRIPT, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert "公司介绍与企业文化" in text
    assert (
        item.completed_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in text
    )
    assert f"/learn/me/certificates/{item.pk}/" in text


def test_transcript_is_empty_at_first(world):
    page = signed_in(world.employee).get(TRANSCRIPT, HTTP_ACCEPT_LANGUAGE="en")
    assert "Nothing completed yet" in page.content.decode()


def test_transcript_shows_only_my_own_history(world):
    complete_course(world)
    other = EmployeeFactory(name="王小明")
    text = signed_in(other).get(TRANSCRIPT).content.decode()
    assert "公司介绍与企业文化" not in text
    assert "王小明" in text


def test_certificate_for_a_completed_course_prints_on_a4(world):
    item = complete_course(world)
    page = signed_in(world.employee).get(f"/learn/me/certificates/{item.pk}/")
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one(".certificate-name").get_text() == "李佳怡"
    assert "公司介绍与企业文化" in soup.select_one(".certificate-title").get_text()
    assert soup.select_one("button[data-print]") is not None


def test_path_certificate_once_the_whole_path_is_done(world):
    enrolment = Enrolment.objects.get(employee=world.employee)
    client = signed_in(world.employee)
    assert client.get(f"/learn/me/certificates/paths/{enrolment.pk}/").status_code == 404
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = timezone.now()
    enrolment.save()
    page = client.get(f"/learn/me/certificates/paths/{enrolment.pk}/")
    assert page.status_code == 200
    assert "新员工通用路径" in page.content.decode()


def test_certificates_are_only_for_their_owner_and_only_when_completed(world):
    item = EnrolmentItem.objects.get(enrolment__employee=world.employee, item__course__isnull=False)
    url = f"/learn/me/certificates/{item.pk}/"
    assert signed_in(world.employee).get(url).status_code == 404  # not completed yet
    complete_course(world)
    assert signed_in(EmployeeFactory()).get(url).status_code == 404  # someone else's
    assert Client().get(url).status_code == 302  # anonymous: sign in first
    staff = Client()
    staff.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert staff.get(url).status_code == 404  # no employee record: no certificates
    assert signed_in(world.employee).get("/learn/me/certificates/999999/").status_code == 404
    assert signed_in(world.employee).get("/learn/me/certificates/-1/").status_code == 404


# --- profile and language ------------------------------------------------------------------


def test_profile_shows_my_facts_and_switches_language(world):
    client = signed_in(world.employee)
    page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "E2612001" in page and "李佳怡" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": PROFILE})
    assert response.status_code == 302 and response["Location"] == PROFILE
    world.employee.refresh_from_db()
    assert world.employee.preferred_language == "en"
    assert 'lang="en"' in client.get(PROFILE).content.decode()


def test_language_switch_refuses_an_unknown_language_and_a_foreign_next(world):
    client = signed_in(world.employee)
    client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    world.employee.refresh_from_db()
    assert world.employee.preferred_language != "xx"


@pytest.mark.parametrize("role", ["Learner", "Trainer", "HR", "Admin"])
def test_every_role_has_a_profile_and_a_transcript(role_client, role):
    client = role_client(role)
    assert client.get(PROFILE).status_code == 200
    assert client.get(TRANSCRIPT).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in():
    for url in (PROFILE, TRANSCRIPT):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_staff_account_without_employee_record_gets_a_plain_page():
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert (
        "not linked to an employee record"
        in client.get(TRANSCRIPT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert client.get(PROFILE).status_code == 200


def test_without_skipping_the_player_may_seek_only_up_to_the_first_gap(world):
    world.course.no_skipping = True
    world.course.save_revision().publish()
    user = world.employee.user
    progress_events_apply(user=user, events=watched(world, 0, 4.5))
    progress_events_apply(user=user, events=watched(world, 8, 9.5))
    slot = player(signed_in(world.employee), world)
    assert float(slot["data-furthest"]) == 4.5
