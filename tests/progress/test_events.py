"""Progress from the phone: counted exactly once, never backwards, completion rolls up."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from lms.paths.models import Enrolment, EnrolmentItem, LearningPath
from lms.paths.services import enrolment_assign_manually
from lms.progress.events import merge_range
from lms.progress.models import ProgressEvent, VideoWatch
from tests.courses.factories import CoursePageFactory, LessonPageFactory
from tests.factories import EmployeeFactory
from tests.media.factories import VideoDeliveryFactory, VideoFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
URL = "/api/v1/progress/events/"


@pytest.fixture
def setup(course_index):
    course = CoursePageFactory(parent=course_index, title="公司介绍与企业文化", slug="intro")
    video = VideoFactory(duration=300.0, status="ready")
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
    PathItemFactory(stage=stage, kind="checklist", title="领取工牌", sort_order=1)
    PathItemFactory(
        stage=stage, kind="checklist", title="主管确认", sign_off="manager", sort_order=2
    )
    enrolment_assign_manually(employee=learner, path=path)
    # The learner opened the lesson yesterday: their player has been sent the video, so
    # every second these tests report can have been played (tests/progress/test_credit.py).
    VideoDeliveryFactory(user=learner.user, video=video)
    client = APIClient()
    client.force_authenticate(learner.user)
    return {
        "client": client,
        "lesson": lesson,
        "video": video,
        "learner": learner,
        "course": course,
    }


def watched(s, start, end, seconds=0, **extra):
    return {
        "id": str(uuid.uuid4()),
        "type": "video.watched",
        "lesson": s["lesson"].pk,
        "video": s["video"].pk,
        "start": start,
        "end": end,
        "client_time": (T0 + dt.timedelta(seconds=seconds)).isoformat(),
        **extra,
    }


def position(s, at, seconds):
    return {
        "id": str(uuid.uuid4()),
        "type": "video.position",
        "lesson": s["lesson"].pk,
        "video": s["video"].pk,
        "position": at,
        "client_time": (T0 + dt.timedelta(seconds=seconds)).isoformat(),
    }


def send(s, events):
    response = s["client"].post(URL, {"events": events}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["acks"]


def watch_of(s) -> VideoWatch:
    return VideoWatch.objects.get(user=s["learner"].user, video_id=s["video"].pk)


def course_item(s) -> EnrolmentItem:
    return EnrolmentItem.objects.get(enrolment__employee=s["learner"], item__kind="course")


def test_ranges_merge():
    assert merge_range([], 10, 20) == [[10, 20]]
    assert merge_range([[10, 20]], 15, 30) == [[10, 30]]
    assert merge_range([[10, 20], [40, 50]], 0, 5) == [[0, 5], [10, 20], [40, 50]]
    assert merge_range([[10, 20], [40, 50]], 18, 42) == [[10, 50]]
    assert merge_range([[10, 20]], 60, 70) == [[10, 20], [60, 70]]


def test_watching_most_of_the_video_completes_the_course_and_the_path_item(setup):
    s = setup
    events = [watched(s, start, start + 15, seconds=start) for start in range(0, 270, 15)]
    acks = send(s, events)
    assert [a["status"] for a in acks] == ["applied"] * 18
    assert watch_of(s).percent == 90
    item = course_item(s)
    assert item.status == EnrolmentItem.Status.COMPLETED
    assert item.completed_at is not None


def test_seeking_to_the_end_does_not_complete(setup):
    s = setup
    send(s, [watched(s, 0, 10), position(s, 299, 20), watched(s, 295, 300, seconds=25)])
    watch = watch_of(s)
    assert watch.percent == 5
    assert watch.last_position == 299
    assert course_item(s).status == EnrolmentItem.Status.PENDING
    assert course_item(s).progress == 0


def test_a_replayed_batch_changes_nothing(setup):
    s = setup
    batch = [watched(s, 0, 15), watched(s, 15, 30, seconds=15)]
    send(s, batch)
    before = (watch_of(s).ranges, watch_of(s).updated_at)
    acks = send(s, batch)
    assert [a["status"] for a in acks] == ["duplicate", "duplicate"]
    assert (watch_of(s).ranges, watch_of(s).updated_at) == before
    assert ProgressEvent.objects.count() == 2


def test_an_older_position_never_replaces_a_newer_one(setup):
    s = setup
    send(s, [position(s, 60, seconds=60)])
    send(s, [position(s, 20, seconds=20)])  # arrived late, e.g. from an offline queue
    assert watch_of(s).last_position == 60
    # Inside one batch, order of arrival does not matter either.
    send(s, [position(s, 80, seconds=90), position(s, 70, seconds=80)])
    assert watch_of(s).last_position == 80


def test_bad_events_are_rejected_one_by_one_and_the_good_ones_kept(setup):
    s = setup
    good = watched(s, 0, 15)
    acks = send(
        s,
        [
            good,
            {"id": "not-a-uuid", "type": "video.watched"},
            watched(s, 20, 10),  # backwards
            watched(s, 0, 200),  # one event claiming minutes of video: a seek
            watched(s, 290, 350),  # beyond the end
            {**watched(s, 0, 10), "lesson": 999999},
            {**watched(s, 0, 10), "video": VideoFactory(duration=50).pk},  # not in this lesson
            {**watched(s, 0, 10), "start": "NaN"},
            {**watched(s, 0, 10), "type": "video.hacked"},
            {**watched(s, 0, 10), "client_time": "yesterday"},
            "not even an object",
            {k: v for k, v in watched(s, 0, 10).items() if k != "type"},
        ],
    )
    assert acks[0] == {"id": good["id"], "status": "applied", "reason": ""}
    assert [a["status"] for a in acks[1:]] == ["rejected"] * 11
    assert all(a["reason"] for a in acks[1:])
    assert watch_of(s).ranges == [[0, 15]]


def test_a_learner_cannot_post_progress_on_a_course_they_may_not_see(setup, course_index):
    s = setup
    hidden = CoursePageFactory(
        parent=course_index, title="内部课程", slug="hidden", visibility="path"
    )
    video = VideoFactory(duration=60)
    lesson = LessonPageFactory(
        parent=hidden, slug="h1", body=[("video", {"video": video, "must_watch_percent": 90})]
    )
    [ack] = send(s, [{**watched(s, 0, 10), "lesson": lesson.pk, "video": video.pk}])
    assert ack["status"] == "rejected"
    assert not VideoWatch.objects.filter(video_id=video.pk).exists()


def test_checklist_ticks_are_the_learners_own_and_only_their_kind(setup):
    s = setup
    mine = EnrolmentItem.objects.get(enrolment__employee=s["learner"], title="领取工牌")
    manager_only = EnrolmentItem.objects.get(enrolment__employee=s["learner"], title="主管确认")
    other = EmployeeFactory()
    enrolment_assign_manually(employee=other, path=LearningPath.objects.get())
    theirs = EnrolmentItem.objects.get(enrolment__employee=other, title="领取工牌")

    def tick(item):
        return {
            "id": str(uuid.uuid4()),
            "type": "checklist.ticked",
            "item": item.pk,
            "client_time": T0.isoformat(),
        }

    acks = send(s, [tick(mine), tick(manager_only), tick(theirs)])
    assert [a["status"] for a in acks] == ["applied", "rejected", "rejected"]
    statuses = {i.pk: i.status for i in EnrolmentItem.objects.all()}
    assert statuses[mine.pk] == "completed"
    assert statuses[manager_only.pk] == "pending"
    assert statuses[theirs.pk] == "pending"


def test_the_path_completes_when_every_item_is_done(setup):
    s = setup
    EnrolmentItem.objects.filter(title="主管确认").update(status="exempt")
    send(s, [watched(s, start, start + 15, seconds=start) for start in range(0, 270, 15)])
    tick = {
        "id": str(uuid.uuid4()),
        "type": "checklist.ticked",
        "item": EnrolmentItem.objects.get(title="领取工牌").pk,
        "client_time": T0.isoformat(),
    }
    send(s, [tick])
    enrolment = Enrolment.objects.get(employee=s["learner"])
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None


def test_batch_limits_and_shapes(setup):
    s = setup
    too_many = [watched(s, 0, 1) for _ in range(501)]
    response = s["client"].post(URL, {"events": too_many}, format="json")
    assert response.status_code == 400
    assert "At most 500" in response.json()["error"]["message"]
    assert s["client"].post(URL, {"events": "nope"}, format="json").status_code == 400
    assert s["client"].post(URL, [1, 2], format="json").status_code == 400
    assert not VideoWatch.objects.exists()


@pytest.mark.parametrize("role", [None, "Learner", "Trainer", "HR", "Admin"])
def test_who_may_post_events(setup, role):
    s = setup
    client = APIClient()
    if role:
        client.force_authenticate(EmployeeFactory(roles=[role]).user)
    response = client.post(URL, {"events": [watched(s, 0, 10)]}, format="json")
    # Anyone signed in posts their own progress; nobody can post someone else's.
    assert response.status_code == (401 if role is None else 200)
    assert not VideoWatch.objects.filter(user=s["learner"].user).exists()


def test_events_cost_a_bounded_number_of_queries(setup, django_assert_max_num_queries):
    s = setup
    batch = [watched(s, n, n + 1, seconds=n) for n in range(50)] + [position(s, 40, 60)]
    with django_assert_max_num_queries(40):
        acks = send(s, batch)
    assert {a["status"] for a in acks} == {"applied"}


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_applied_once(setup):
    s = setup
    batch = [watched(s, n * 10, n * 10 + 10, seconds=n * 10) for n in range(5)]
    results = []

    def post():
        client = APIClient()
        client.force_authenticate(s["learner"].user)
        results.append(client.post(URL, {"events": batch}, format="json").json()["acks"])
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a["status"] for acks in results for a in acks)
    assert statuses == ["applied"] * 5 + ["duplicate"] * 5
    assert ProgressEvent.objects.count() == 5
    assert watch_of(s).ranges == [[0, 50]]


# --- courses without skipping: the server decides what counts ---------------------------


@pytest.fixture
def no_skip(setup):
    setup["course"].no_skipping = True
    setup["course"].save_revision().publish()
    return setup


def test_without_skipping_ranges_after_a_gap_do_not_count_until_it_is_watched(no_skip):
    s = no_skip
    # A forged client (the player refuses the seek) plays the first minute, then 100–300 s.
    ahead = [watched(s, 100 + n, 100 + n + 20, seconds=100 + n) for n in range(0, 200, 20)]
    acks = send(s, [watched(s, 0, 60), *ahead])
    assert {a["status"] for a in acks} == {"applied"}
    watch = watch_of(s)
    assert watch.ranges == [[0, 60], [100, 300]]  # recorded, nothing thrown away
    assert watch.watched_seconds == 260  # 87 % played …
    assert watch.percent == 20  # … but only the first minute counts
    assert course_item(s).status == EnrolmentItem.Status.PENDING

    # Watching the gap joins everything up: 100 % counts and the course completes.
    send(s, [watched(s, 60, 80, seconds=400), watched(s, 80, 100, seconds=420)])
    assert watch_of(s).percent == 100
    assert course_item(s).status == EnrolmentItem.Status.COMPLETED


def test_without_skipping_rounding_gaps_between_ranges_still_count(no_skip):
    s = no_skip
    # Players report time in steps: 0–14.8, 15–29.7 … leave gaps of a fraction of a second.
    events = [watched(s, start, start + 14.8, seconds=start) for start in range(0, 285, 15)]
    send(s, events)
    assert watch_of(s).percent >= 90
    assert course_item(s).status == EnrolmentItem.Status.COMPLETED


def test_without_skipping_a_late_start_counts_nothing(no_skip):
    s = no_skip
    send(s, [watched(s, 30 + n, 50 + n, seconds=n) for n in range(0, 260, 20)])
    assert watch_of(s).watched_seconds == 260
    assert watch_of(s).percent == 0
    assert course_item(s).progress == 0


def test_with_skipping_allowed_every_played_second_counts(setup):
    s = setup
    send(s, [watched(s, 0, 60), *[watched(s, 100 + n, 120 + n) for n in range(0, 200, 20)]])
    assert watch_of(s).percent == pytest.approx(100 * 260 / 300)


# --- found by fuzzing the API (issue 14) -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("lesson", 2**63), ("video", 99999999999999999999), ("lesson", 0), ("video", True)],
)
def test_an_event_with_an_impossible_id_is_rejected_alone(setup, field, value):
    s = setup
    bad = watched(s, 0, 10)
    bad[field] = value
    good = watched(s, 0, 15)
    acks = send(s, [bad, good])
    assert [a["status"] for a in acks] == ["rejected", "applied"]
    assert watch_of(s).ranges == [[0.0, 15.0]]


def test_a_checklist_event_with_an_impossible_item_is_rejected_alone(setup):
    s = setup
    tick = {
        "id": str(uuid.uuid4()),
        "type": "checklist.ticked",
        "client_time": timezone.now().isoformat(),
        "item": 2**64,
    }
    acks = send(s, [tick, watched(s, 0, 15)])
    assert [a["status"] for a in acks] == ["rejected", "applied"]


@pytest.mark.parametrize(
    "client_time",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59Z",
        "1999-12-31T23:59:59Z",
        "2026-02-30T10:00:00Z",
    ],
)
def test_an_event_with_a_client_time_out_of_range_is_rejected_alone(setup, client_time):
    s = setup
    bad = watched(s, 0, 10)
    bad["client_time"] = client_time
    acks = send(s, [bad, watched(s, 0, 15)])
    assert [a["status"] for a in acks] == ["rejected", "applied"]
    assert "client_time" in acks[0]["reason"]
    assert not ProgressEvent.objects.filter(client_id=bad["id"]).exists()


def test_a_client_time_a_few_hours_ahead_is_applied(setup):
    s = setup
    event = watched(s, 0, 10)
    event["client_time"] = (timezone.now() + dt.timedelta(hours=14)).isoformat()
    assert [a["status"] for a in send(s, [event])] == ["applied"]
