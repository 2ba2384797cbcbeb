"""A completion means the video was watched: watched time is credited by the server's
clock since the video was first sent to the learner, at most 2× (the player's fastest
speed), never by what the phone says."""

import datetime as dt
import uuid

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from lms.org.services import api_token_create
from lms.paths.models import EnrolmentItem
from lms.paths.services import enrolment_assign_manually
from lms.progress.events import MAX_PLAYBACK_RATE, credit_within, subtract_ranges
from lms.progress.models import VideoWatch
from tests.courses.factories import CoursePageFactory, LessonPageFactory
from tests.factories import EmployeeFactory
from tests.media.published import publish_fake_video
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/progress/events/"
COMPLETIONS = "/api/v1/hr/completions/"
DURATION = 300.0
NOT_YET = "Not counted yet"


@pytest.fixture
def s(course_index):
    course = CoursePageFactory(parent=course_index, title="公司介绍与企业文化", slug="intro")
    video = publish_fake_video(duration=DURATION)
    lesson = LessonPageFactory(
        parent=course,
        title="我们是谁",
        slug="who",
        body=[("video", {"video": video, "must_watch_percent": 90})],
    )
    learner = EmployeeFactory(roles=["Learner"])
    path = LearningPathFactory(name="通用路径")
    stage = PathStageFactory(path=path, name="第一周")
    PathItemFactory(stage=stage, kind="course", course=course, due_days=7)
    enrolment_assign_manually(employee=learner, path=path)
    client = APIClient(headers={"accept-language": "en"})
    client.force_login(learner.user)  # a session: the player's playlists and the API alike
    return {
        "client": client,
        "lesson": lesson,
        "video": video,
        "learner": learner,
        "course": course,
    }


def open_player(s):
    """What the player does first on the lesson page: fetch the master playlist."""
    response = s["client"].get(reverse("media:hls", args=[s["video"].pk, "master.m3u8"]))
    assert response.status_code == 200


def whole_video(s, *, client_start=None):
    """The whole video as 20 ranges of 15 s, each dated by the phone as if played at 1×."""
    client_start = client_start or dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    return [
        watched(s, start, start + 15, client_start + dt.timedelta(seconds=start + 15))
        for start in range(0, 300, 15)
    ]


def watched(s, start, end, client_time=None):
    return {
        "id": str(uuid.uuid4()),
        "type": "video.watched",
        "lesson": s["lesson"].pk,
        "video": s["video"].pk,
        "start": start,
        "end": end,
        "client_time": (client_time or dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)).isoformat(),
    }


def position(s, at):
    return {
        "id": str(uuid.uuid4()),
        "type": "video.position",
        "lesson": s["lesson"].pk,
        "video": s["video"].pk,
        "position": at,
        "client_time": dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC).isoformat(),
    }


def send(s, events):
    response = s["client"].post(URL, {"events": events}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["acks"]


def watch_of(s) -> VideoWatch:
    return VideoWatch.objects.get(user=s["learner"].user, video_id=s["video"].pk)


def course_item(s) -> EnrolmentItem:
    return EnrolmentItem.objects.get(enrolment__employee=s["learner"], item__kind="course")


def hris_completions(s) -> list[dict]:
    hr = EmployeeFactory(roles=["HR"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=hr.user)}")
    response = client.get(COMPLETIONS, {"page_size": 1000})
    assert response.status_code == 200
    return [r for r in response.json()["results"] if r["employee_no"] == s["learner"].employee_no]


# --- the rule as pure functions ---------------------------------------------------------


def test_subtracting_ranges():
    assert subtract_ranges([[0, 100]], []) == [[0, 100]]
    assert subtract_ranges([[0, 100]], [[10, 20], [50, 60]]) == [[0, 10], [20, 50], [60, 100]]
    assert subtract_ranges([[0, 10], [20, 30]], [[5, 25]]) == [[0, 5], [25, 30]]
    assert subtract_ranges([[0, 10]], [[0, 10]]) == []
    assert subtract_ranges([[10, 20]], [[0, 10], [20, 30]]) == [[10, 20]]


def test_credit_goes_to_the_earliest_seconds_first_and_never_beyond_the_allowance():
    assert credit_within([], [[0, 300]], 120) == ([[0, 120]], [[120, 300]])
    assert credit_within([], [[0, 300]], 0) == ([], [[0, 300]])
    assert credit_within([], [[0, 300]], 1000) == ([[0, 300]], [])
    # Already credited stays credited and counts against the allowance.
    assert credit_within([[0, 60]], [[30, 200]], 100) == ([[0, 100]], [[100, 200]])
    assert credit_within([[0, 60]], [[100, 200]], 50) == ([[0, 60]], [[100, 200]])
    # A cut falls on a hundredth of a second, never above the allowance.
    credited, rest = credit_within([], [[0, 10]], 3.14159)
    assert credited == [[0, 3.14]] and rest == [[3.14, 10]]


# --- through the API, as a player or a forger reaches it ---------------------------------


def test_a_forged_batch_right_after_opening_the_video_earns_at_most_twice_the_elapsed_time(s):
    with freeze_time() as clock:
        open_player(s)
        clock.tick(dt.timedelta(seconds=60))
        # The whole video claimed one minute later, the phone's clock saying it took 5 min.
        acks = send(s, whole_video(s))
    # Every event is taken (nothing to resend forever) …
    assert [a["status"] for a in acks] == ["applied"] * 20
    watch = watch_of(s)
    # … but only what a minute can have played at 2× counts.
    assert watch.ranges == [[0, 120]]
    assert watch.watched_seconds == 120
    assert watch.percent == 40
    assert watch.uncredited_ranges == [[120, 300]]
    # The events past 120 s say so; the ones before do not.
    assert [NOT_YET in a["reason"] for a in acks] == [False] * 8 + [True] * 12
    assert course_item(s).status == EnrolmentItem.Status.PENDING


def test_the_forgery_reaches_neither_the_course_nor_the_hris_completions(s):
    with freeze_time() as clock:
        open_player(s)
        clock.tick(dt.timedelta(seconds=30))
        send(s, whole_video(s))
    item = course_item(s)
    assert item.status == EnrolmentItem.Status.PENDING
    assert item.completed_at is None
    assert hris_completions(s) == []


def test_the_phones_clock_never_widens_the_credit(s):
    with freeze_time() as clock:
        open_player(s)
        clock.tick(dt.timedelta(seconds=10))
        # Dated hours later by the phone: still 10 s of the server's clock.
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=20)
        send(s, whole_video(s, client_start=later))
    assert watch_of(s).watched_seconds == 20


def test_without_a_delivery_nothing_is_credited(s):
    # The playlist was never fetched: nothing can have been played.
    acks = send(s, whole_video(s))
    assert {a["status"] for a in acks} == {"applied"}
    assert all(NOT_YET in a["reason"] for a in acks)
    watch = watch_of(s)
    assert watch.ranges == []
    assert watch.watched_seconds == 0
    assert watch.percent == 0
    assert course_item(s).progress == 0


def test_an_offline_batch_arriving_at_once_after_the_playback_is_fully_credited(s):
    with freeze_time() as clock:
        open_player(s)
        # Played at 1× offline (the segments were fetched while online), then the whole
        # queue arrives in one batch.
        clock.tick(dt.timedelta(seconds=DURATION + 5))
        acks = send(s, whole_video(s))
    assert [a["reason"] for a in acks] == [""] * 20
    watch = watch_of(s)
    assert watch.ranges == [[0, 300]]
    assert watch.uncredited_ranges == []
    assert watch.percent == 100
    assert course_item(s).status == EnrolmentItem.Status.COMPLETED
    assert len(hris_completions(s)) == 1


def test_played_at_2x_the_whole_video_is_credited_in_half_its_length_not_sooner(s):
    with freeze_time() as clock:
        open_player(s)
        # A second short of what 2× needs: the last two seconds wait.
        clock.tick(dt.timedelta(seconds=DURATION / MAX_PLAYBACK_RATE - 1))
        send(s, whole_video(s))
        assert watch_of(s).ranges == [[0, DURATION - 2]]
        assert watch_of(s).uncredited_ranges == [[DURATION - 2, DURATION]]
        # The player's next report (its position when paused) comes a moment later.
        clock.tick(dt.timedelta(seconds=1))
        send(s, [position(s, DURATION)])
    assert watch_of(s).ranges == [[0, DURATION]]
    assert watch_of(s).percent == 100
    assert course_item(s).status == EnrolmentItem.Status.COMPLETED


def test_what_was_held_back_is_credited_by_a_later_batch_once_and_a_replay_changes_nothing(s):
    batch = whole_video(s)
    with freeze_time() as clock:
        open_player(s)
        clock.tick(dt.timedelta(seconds=60))
        send(s, batch)
        # Fetching the playlist again later does not move the first delivery.
        clock.tick(dt.timedelta(seconds=30))
        open_player(s)
        # The same batch resent (the phone missed the answer): duplicates, nothing moves.
        clock.tick(dt.timedelta(seconds=10))
        acks = send(s, batch)
        assert [a["status"] for a in acks] == ["duplicate"] * 20
        before = watch_of(s)
        assert (before.ranges, before.uncredited_ranges) == ([[0, 120]], [[120, 300]])
        # 100 s after the first fetch: 200 s can have been played.
        send(s, [position(s, 200)])
        watch = watch_of(s)
        assert watch.ranges == [[0, 200]]
        assert watch.uncredited_ranges == [[200, 300]]
        assert course_item(s).status == EnrolmentItem.Status.PENDING
        # Once the whole video can have been played, the next event credits the rest.
        clock.tick(dt.timedelta(seconds=60))
        send(s, [watched(s, 295, 300)])
        watch = watch_of(s)
        assert watch.ranges == [[0, 300]]
        assert watch.uncredited_ranges == []
        assert watch.watched_seconds == 300
        assert course_item(s).status == EnrolmentItem.Status.COMPLETED
        # Resent again afterwards: counted once, still 300 s.
        assert {a["status"] for a in send(s, batch)} == {"duplicate"}
        assert watch_of(s).watched_seconds == 300


def test_in_a_no_skipping_course_the_forgery_counts_only_the_allowed_start(s):
    s["course"].no_skipping = True
    s["course"].save_revision().publish()
    with freeze_time() as clock:
        open_player(s)
        clock.tick(dt.timedelta(seconds=60))
        send(s, whole_video(s))
    watch = watch_of(s)
    assert watch.ranges == [[0, 120]]
    assert watch.percent == 40
    assert course_item(s).status == EnrolmentItem.Status.PENDING
    assert hris_completions(s) == []


def test_the_events_batch_costs_the_same_queries_however_many_events(s):
    def queries(events):
        with CaptureQueriesContext(connection) as captured:
            acks = send(s, events)
        assert {a["status"] for a in acks} == {"applied"}
        return len(captured)

    with freeze_time() as clock:
        open_player(s)
        clock.tick(dt.timedelta(seconds=1))
        queries([watched(s, 0, 1)])  # the first batch also creates the lock and the watch
        # Beyond the allowance of 2 s, so the clipping runs in both.
        few = queries([watched(s, n, n + 1) for n in range(1, 6)])
        # 100 events: SQLite takes at most 999 parameters a statement, so Django splits
        # a bigger bulk insert in two (a limit of the driver, not a query per event).
        many = queries([watched(s, n, n + 1) for n in range(6, 106)])
    assert many == few
    watch = watch_of(s)
    assert watch.ranges == [[0, 2]]
    assert watch.uncredited_ranges == [[2, 106]]


def test_the_players_fastest_speed_is_the_rate_credit_allows(s):
    page = s["client"].get(s["lesson"].url)
    speeds = [
        float(option["value"])
        for option in BeautifulSoup(page.content, "html.parser").select(".player-speed option")
    ]
    assert speeds and max(speeds) == MAX_PLAYBACK_RATE
