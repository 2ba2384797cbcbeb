"""/api/v1/courses/{id}/ and /api/v1/lessons/{id}/ for every role."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from lms.org.roles import ROLES
from lms.progress.models import VideoWatch
from tests.api.factories import api_client_for
from tests.courses.factories import CoursePageFactory, LessonPageFactory, answer_key
from tests.media.factories import CaptionFactory, VideoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def video():
    video = VideoFactory(
        duration=300.0, status="ready", master_playlist="videos/1/hls/r/master.m3u8"
    )
    CaptionFactory(video=video, language="zh-Hans", label="中文", is_default=True)
    return video


@pytest.fixture
def video_lesson(course, video):
    return LessonPageFactory(
        parent=course,
        title="公司介绍",
        slug="intro",
        estimated_minutes=5,
        body=[
            ("video", {"video": video, "must_watch_percent": 90}),
            ("text", '<p>欢迎<a href="https://example.com">加入</a></p>'),
        ],
    )


@pytest.fixture
def hidden_course(course_index):
    group = Group.objects.create(name="法务部专属")
    course = CoursePageFactory(
        parent=course_index, title="法务内部", visibility="groups", visible_to_groups=[group]
    )
    LessonPageFactory(parent=course, title="内部课时", slug="inside")
    return course


def watch(user, lesson, video, percent, position):
    return VideoWatch.objects.create(
        user=user,
        lesson=lesson,
        video_id=video.pk,
        ranges=[[0, 3 * percent]],
        duration=300,
        watched_seconds=3 * percent,
        percent=percent,
        last_position=position,
    )


# --- course -----------------------------------------------------------------------------


def test_anonymous_gets_the_error_body(course):
    response = APIClient().get(f"/api/v1/courses/{course.pk}/")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert APIClient().get("/api/v1/lessons/1/").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_a_staff_course_with_lessons_and_completion(
    role, course, lesson, video_lesson
):
    body = api_client_for(role).get(f"/api/v1/courses/{course.pk}/").json()
    assert body["title"] == "风险控制入门"
    assert body["topics"] == ["风险控制部的职责", "贷前、贷中、贷后", "从案例中学习"]
    assert body["estimated_minutes"] == 12 + 5
    assert body["language"]
    assert [(x["title"], x["has_video"], x["has_quiz"]) for x in body["lessons"]] == [
        ("贷前审核", False, True),
        ("公司介绍", True, False),
    ]
    assert body["completion"] == {"done": 0, "total": 2, "complete": False}


def test_my_progress_shows_and_never_another_persons(course, lesson, video_lesson, video, quiz):
    mine, theirs = api_client_for("Learner"), api_client_for("Learner")
    watch(theirs.user, video_lesson, video, 100, 290)
    theirs.post(
        f"/api/v1/quizzes/{quiz.pk}/attempts/",
        {
            "paper": theirs.get(f"/api/v1/quizzes/{quiz.pk}/").json()["paper"],
            "answers": answer_key(quiz),
        },
        format="json",
    )
    body = mine.get(f"/api/v1/courses/{course.pk}/").json()
    assert [x["watched_percent"] for x in body["lessons"]] == [None, 0]
    assert body["completion"]["done"] == 0
    body = theirs.get(f"/api/v1/courses/{course.pk}/").json()
    assert [x["watched_percent"] for x in body["lessons"]] == [None, 100]
    assert [x["requirements_met"] for x in body["lessons"]] == [True, True]
    assert body["completion"] == {"done": 2, "total": 2, "complete": True}


def test_half_watched_lesson_is_not_met(course, video_lesson, video):
    client = api_client_for("Learner")
    watch(client.user, video_lesson, video, 50, 150)
    [entry] = client.get(f"/api/v1/courses/{course.pk}/").json()["lessons"]
    assert entry["watched_percent"] == 50
    assert entry["requirements_met"] is False


def test_a_course_i_may_not_see_is_a_404_like_a_missing_one(hidden_course):
    client = api_client_for("Learner")
    hidden = client.get(f"/api/v1/courses/{hidden_course.pk}/")
    missing = client.get("/api/v1/courses/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    lesson_id = hidden_course.lessons[0].pk
    assert (
        client.get(f"/api/v1/lessons/{lesson_id}/").json()
        == client.get("/api/v1/lessons/999999/").json()
    )
    for role in ["Trainer", "HR", "Admin"]:
        assert api_client_for(role).get(f"/api/v1/courses/{hidden_course.pk}/").status_code == 200


def test_a_lesson_id_is_not_a_course_and_drafts_are_hidden(course, lesson, course_index):
    client = api_client_for("Learner")
    assert client.get(f"/api/v1/courses/{lesson.pk}/").status_code == 404
    draft = CoursePageFactory(parent=course_index, title="草稿", publish=False)
    assert client.get(f"/api/v1/courses/{draft.pk}/").status_code == 404
    assert client.get("/api/v1/courses/abc/").status_code == 404


@pytest.mark.parametrize("lessons", [2, 10])
def test_course_queries_do_not_grow_with_lessons(
    lessons, course, video, quiz, django_assert_max_num_queries
):
    for _n in range(lessons):
        LessonPageFactory(
            parent=course,
            body=[
                ("video", {"video": video, "must_watch_percent": 90}),
                ("quiz", {"quiz": quiz, "intro": ""}),
            ],
        )
    client = api_client_for("Learner")
    with django_assert_max_num_queries(10):
        body = client.get(f"/api/v1/courses/{course.pk}/").json()
    assert len(body["lessons"]) == lessons
    assert body["completion"]["total"] == 2 * lessons


# --- lesson -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_a_lesson_with_body_and_a_paper_without_answers(role, lesson, quiz):
    body = api_client_for(role).get(f"/api/v1/lessons/{lesson.pk}/").json()
    assert body["title"] == "贷前审核"
    types = [block["type"] for block in body["body"]]
    assert types == ["text", "key_points", "quiz"]
    assert "实质风险审查" in body["body"][0]["html"]
    assert body["body"][1]["points"] == ["贷前调查", "征信审核"]
    paper = body["body"][2]["quiz"]
    assert paper["attempts_used"] == 0 and paper["attempts_left"] == 2
    assert len(paper["questions"]) == 3
    flat = str(paper)
    assert "correct" not in flat and "explanation" not in flat
    assert "客户经理开展贷前调查" not in flat  # an explanation


def test_lesson_video_has_protected_urls_captions_and_my_resume_position(video_lesson, video):
    mine, theirs = api_client_for("Learner"), api_client_for("Learner")
    watch(mine.user, video_lesson, video, 40, 123.5)
    watch(theirs.user, video_lesson, video, 90, 280)
    body = mine.get(f"/api/v1/lessons/{video_lesson.pk}/").json()
    block = body["body"][0]["video"]
    assert block["master_playlist"] == f"/media/videos/{video.pk}/hls/master.m3u8"
    assert block["poster"] is None
    assert block["captions"] == [
        {
            "language": "zh-Hans",
            "label": "中文",
            "url": f"/media/videos/{video.pk}/captions/zh-Hans.vtt",
            "default": True,
        }
    ]
    assert block["duration"] == 300.0
    assert block["must_watch_percent"] == 90
    assert (block["resume_position"], block["watched_percent"]) == (123.5, 40)
    assert body["body"][1]["html"].startswith("<p>欢迎")
    fresh = api_client_for("Learner").get(f"/api/v1/lessons/{video_lesson.pk}/").json()
    assert fresh["body"][0]["video"]["resume_position"] == 0
