"""seed_demo's courses: eight published courses from the seed documents, idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from courses.governance import TRAINING_LEAD_GROUP
from courses.models import CoursePage, LessonPage, Quiz
from lms.demo.courses import TRAINING_LEAD_USERNAME, DemoVideos, title_card_args
from media.models import Video

pytestmark = pytest.mark.django_db

TITLES = {
    "公司介绍与企业文化",
    "管理制度（考勤、保密、合规）",
    "互联网金融基础（P2P、征信、风险控制）",
    "产品经理岗位职责与工作方法",
    "客户经理：客户开发与维护",
    "风险控制入门",
    "催收合规与资产保全",
    "客服沟通与投诉处理",
}


@pytest.fixture
def seed(settings, monkeypatch):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("ONRAMP_DEMO_VIDEOS", "0")

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", "--language", "en", stdout=out)
        return out.getvalue()

    return run


def chinese_courses():
    return CoursePage.objects.filter(locale__language_code="zh-hans")


def sign_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_eight_published_courses_with_lessons_topics_and_a_quiz(seed):
    output = seed()

    courses = list(chinese_courses())
    assert {c.title for c in courses} == TITLES
    for course in courses:
        assert course.live and not course.has_unpublished_changes
        lessons = LessonPage.objects.child_of(course).live()
        assert 2 <= lessons.count() <= 4
        assert course.topics.count() >= 3
        quizzes = [quiz for lesson in lessons for _id, quiz in lesson.quiz_blocks()]
        assert len(quizzes) == 1
        assert 4 <= len(quizzes[0].bank.questions) <= 6
        assert all(len(lesson.body_text()[0]) > 40 for lesson in lessons)
        assert course.cover_image is not None
    assert "Courses: 8 created" in output


def test_a_second_run_changes_nothing(seed):
    seed()
    pages = LessonPage.objects.count()

    output = seed()

    assert LessonPage.objects.count() == pages
    assert "already there; nothing changed" in output


def test_a_course_a_trainer_edited_is_left_alone(seed):
    seed()
    course = chinese_courses().get(slug="risk-control")
    course.summary = "培训专员改过的简介"
    course.save_revision().publish()

    seed()

    assert chinese_courses().get(slug="risk-control").summary == "培训专员改过的简介"


def test_what_the_demo_learner_sees(seed):
    seed()
    learner = sign_in("demo.learner")  # a 风控专员 in 征信审核组

    assert learner.get("/courses/company-culture/").status_code == 200
    assert learner.get("/courses/risk-control/").status_code == 200
    assert learner.get("/courses/collection-compliance/").status_code == 404  # not their group
    assert learner.get("/courses/product-manager/").status_code == 404  # learning paths only
    collector = Client()
    collector.force_login(
        get_user_model().objects.filter(employee__department__code="collection").first()
    )
    assert collector.get("/courses/collection-compliance/").status_code == 200
    listing = learner.get("/courses/").content.decode()
    assert "风险控制入门" in listing and "产品经理岗位职责" not in listing
    assert sign_in("demo.trainer").get("/courses/product-manager/").status_code == 200


def test_the_training_lead_and_the_review_workflow(seed):
    seed()
    lead = get_user_model().objects.get(username=TRAINING_LEAD_USERNAME)
    assert lead.groups.filter(name=TRAINING_LEAD_GROUP).exists()
    index = chinese_courses().first().get_parent()
    assert index.get_workflow() is not None


def english_locale():
    from wagtail.models import Locale

    return Locale.objects.get(language_code="en")


def test_one_course_is_translated_into_english(seed):
    seed()
    english = Client()
    english.force_login(get_user_model().objects.get(username="demo.learner"))
    english.cookies["django_language"] = "en"

    page = english.get("/courses/company-culture/").content.decode()
    assert "Our company and culture" in page
    lesson = english.get("/courses/company-culture/culture-and-learning/").content.decode()
    assert "Company and culture quiz" in lesson  # the quiz in English too
    assert "What is the essence of internet finance?" in lesson
    # Courses not translated yet fall back to Chinese at the same address.
    assert "风险控制入门" in english.get("/courses/risk-control/").content.decode()
    assert Quiz.objects.filter(locale__language_code="en").count() == 1
    # Every page has its English counterpart, live like its source.
    for source in LessonPage.objects.filter(locale__language_code="zh-hans"):
        assert source.get_translation(english_locale()).live


def test_lessons_get_title_card_videos_through_the_pipeline(
    seed, monkeypatch, django_capture_on_commit_callbacks
):
    if not DemoVideos().font:
        pytest.skip("no CJK font (Debian: fonts-wqy-microhei)")
    monkeypatch.setenv("ONRAMP_DEMO_VIDEOS", "1")

    with django_capture_on_commit_callbacks() as queued:
        seed()

    lessons = LessonPage.objects.filter(locale__language_code="zh-hans")
    videos = {lesson.pk: lesson.video_blocks() for lesson in lessons}
    assert all(len(blocks) == 1 for blocks in videos.values())
    assert all(threshold == 90 for blocks in videos.values() for _b, _v, threshold in blocks)
    assert Video.objects.count() == lessons.count()
    assert len(queued) >= lessons.count()  # one processing job per video, after commit
    # Each has Chinese captions: the lesson's title, then its course's.
    lesson = lessons.order_by("path").first()
    video = lesson.video_blocks()[0][1]
    caption = video.captions.get()
    assert caption.language == "zh-Hans" and caption.is_default
    with caption.file.open("rb") as stream:
        vtt = stream.read().decode()
    assert vtt.startswith("WEBVTT") and lesson.title in vtt and lesson.get_parent().title in vtt
    assert "00:00:06.000 --> 00:00:12.000" in vtt


def test_title_card_arguments_are_a_list_with_the_text_in_files(tmp_path):
    args = title_card_args(
        font="/fonts/wqy.ttc",
        title_file=tmp_path / "t.txt",
        subtitle_file=tmp_path / "s.txt",
        out=tmp_path / "o.mp4",
    )
    assert args[0] == "ffmpeg"
    assert any(f"textfile={tmp_path / 't.txt'}" in a for a in args)
    assert "sine=frequency=440" in " ".join(args)
