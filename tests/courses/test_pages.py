"""Course and lesson pages as each role reaches them: who sees what, what they see."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Locale

from courses.models import CoursePage
from media.models import Video
from tests.courses.factories import CoursePageFactory, LessonPageFactory
from tests.factories import EmployeeFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

pytestmark = pytest.mark.django_db


def test_a_learner_reads_a_course_with_its_topics_and_lessons(role_client, course, lesson):
    LessonPageFactory(parent=course, title="贷后跟踪", estimated_minutes=8)

    page = role_client("Learner").get(course.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "风险控制入门" in page
    assert (
        page.index("风险控制部的职责") < page.index("贷前、贷中、贷后") < page.index("从案例中学习")
    )
    assert page.index("贷前审核") < page.index("贷后跟踪")
    assert "12 min" in page and "8 min" in page
    assert "20 minutes" in page  # the lessons' estimates added up
    assert f'href="{lesson.url}"' in page


def test_a_lesson_has_the_player_slot_text_key_points_and_quiz(role_client, course):
    with_poster = Video.objects.create(
        title="片头", status=Video.Status.READY, duration=75, poster="videos/1/images/a/poster.jpg"
    )
    lesson = LessonPageFactory(
        parent=course,
        body=[
            ("video", {"video": with_poster, "must_watch_percent": 90}),
            ("text", "<p>风控专员对贷款项目进行实质风险审查。</p>"),
            ("key_points", {"heading": "", "points": ["贷前调查"]}),
        ],
    )

    page = role_client("Learner").get(lesson.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'data-video="{with_poster.pk}"' in page
    assert f'data-hls="/media/videos/{with_poster.pk}/hls/master.m3u8"' in page
    assert f'data-poster="/media/videos/{with_poster.pk}/poster.jpg"' in page
    assert 'class="player-poster"' in page
    assert "1:15" in page
    assert "Watch at least 90 % of the video" in page
    assert "实质风险审查" in page and "Key points" in page


def test_no_poster_image_before_the_video_has_one(role_client, course):
    processing = Video.objects.create(title="处理中", status=Video.Status.TRANSCODING)
    lesson = LessonPageFactory(
        parent=course, body=[("video", {"video": processing, "must_watch_percent": 90})]
    )

    page = role_client("Learner").get(lesson.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'class="player"' in page
    assert "player-poster" not in page and "data-poster" not in page
    assert "still being processed" in page


def test_signed_out_visitors_are_sent_to_sign_in(client, course_index, course, lesson):
    for url in (course_index.url, course.url, lesson.url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.fixture
def audience():
    return Group.objects.create(name="风控新人")


def visible_course(course_index, visibility, groups=()):
    course = CoursePageFactory(
        parent=course_index,
        title=f"只给部分人看的课程 {visibility}",
        visibility=visibility,
        visible_to_groups=list(groups),
    )
    lesson = LessonPageFactory(parent=course, title=f"保密课时 {visibility}")
    return course, lesson


@pytest.mark.parametrize(
    ("visibility", "who", "status"),
    [
        ("staff", "Learner", 200),
        ("groups", "Learner in group", 200),
        ("groups", "Learner", 404),
        ("path", "Learner", 404),  # no path of theirs includes it
        ("path", "Learner on the path", 200),
        ("groups", "Trainer", 200),
        ("groups", "HR", 200),
        ("groups", "Admin", 200),
        ("path", "Trainer", 200),
        ("path", "HR", 200),
    ],
)
def test_visibility_decides_who_sees_a_course_and_its_lessons(
    course_index, audience, visibility, who, status
):
    course, lesson = visible_course(course_index, visibility, groups=[audience])
    employee = EmployeeFactory(roles=[who.split()[0]])
    if who.endswith("in group"):
        employee.user.groups.add(audience)
    if who.endswith("on the path"):
        from lms.paths.services import enrolment_assign_manually

        path = LearningPathFactory(name="风控入职路径")
        stage = PathStageFactory(path=path, name="第一周")
        PathItemFactory(stage=stage, kind="course", course=course)
        enrolment_assign_manually(employee=employee, path=path)
    client = Client()
    client.force_login(employee.user)

    for page, title in ((course, course.title), (lesson, lesson.title)):
        response = client.get(page.url)
        assert response.status_code == status
        # A 404 is the same as for a page that does not exist: the title never shows.
        assert (title in response.content.decode()) is (status == 200)


def test_the_course_list_shows_only_what_the_learner_may_open(role_client, course_index, audience):
    open_course = CoursePageFactory(parent=course_index, title="人人可学")
    visible_course(course_index, "groups", groups=[audience])
    visible_course(course_index, "path")
    CoursePageFactory(parent=course_index, title="还没发布的课程", publish=False)

    page = role_client("Learner").get(course_index.url).content.decode()

    assert open_course.title in page
    assert "只给部分人看的课程" not in page
    assert "还没发布的课程" not in page


def test_unpublished_courses_and_lessons_are_not_found(role_client, course_index):
    draft = CoursePageFactory(parent=course_index, title="草稿课程", publish=False)
    published = CoursePageFactory(parent=course_index)
    draft_lesson = LessonPageFactory(parent=published, title="草稿课时", publish=False)
    client = role_client("Trainer")

    for url in (f"/courses/{draft.slug}/", f"/courses/{published.slug}/{draft_lesson.slug}/"):
        assert client.get(url).status_code == 404


def test_a_lesson_of_an_unpublished_course_is_not_found(role_client, course, lesson):
    course.unpublish()
    assert role_client("Learner").get(f"/courses/{course.slug}/{lesson.slug}/").status_code == 404


def test_deactivated_accounts_see_nothing(course, lesson):
    employee = EmployeeFactory(roles=["Learner"])
    employee.user.is_active = False
    employee.user.save()
    client = Client()
    client.force_login(employee.user)
    assert client.get(course.url).status_code == 302


@pytest.mark.parametrize("lessons", [3, 12])
def test_course_page_queries_do_not_grow_with_lessons(
    role_client, course, lessons, django_assert_max_num_queries
):
    for n in range(lessons):
        LessonPageFactory(parent=course, title=f"课时{n}")
    client = role_client("Learner")
    client.get(course.url)  # warm the per-process caches (site root, content types)

    # 16 for the page, +3 for the learner's lesson states and what follows in their path.
    with django_assert_max_num_queries(19):
        assert client.get(course.url).status_code == 200


def test_lesson_page_queries_are_bounded(role_client, lesson, django_assert_max_num_queries):
    client = role_client("Learner")
    client.get(lesson.url)
    with django_assert_max_num_queries(22):
        assert client.get(lesson.url).status_code == 200


# --- languages -------------------------------------------------------------------------


@pytest.fixture
def english():
    return Locale.objects.get_or_create(language_code="en")[0]


def english_reader():
    employee = EmployeeFactory(roles=["Learner"], preferred_language="en")
    client = Client()
    client.force_login(employee.user)
    return client


def test_english_readers_fall_back_to_chinese_until_a_course_is_translated(
    english, course_index, course, lesson
):
    for page in (course_index, course, lesson):  # what the admin does when a page is created
        page.copy_for_translation(english, copy_parents=True, alias=True)
    reader = english_reader()

    page = reader.get(course.url).content.decode()
    assert "风险控制入门" in page  # the alias shows the Chinese course…
    assert "Lessons" in page  # …inside the English interface

    translation = course.get_translation(english)
    from wagtail.actions.convert_alias import ConvertAliasPageAction

    ConvertAliasPageAction(translation).execute(skip_permission_checks=True)
    translation = CoursePage.objects.get(pk=translation.pk)
    translation.title = "Introduction to risk control"
    translation.save_revision().publish()

    assert "Introduction to risk control" in reader.get(course.url).content.decode()
    chinese = Client()
    chinese.force_login(EmployeeFactory(roles=["Learner"], preferred_language="zh-hans").user)
    assert "风险控制入门" in chinese.get(course.url).content.decode()
    # The English lesson is still the alias of the Chinese one, at the same address.
    assert "贷前审核" in reader.get(lesson.url).content.decode()


def test_without_an_english_tree_english_readers_see_the_chinese_pages(english, course, lesson):
    assert english_reader().get(lesson.url).status_code == 200


@pytest.mark.parametrize("courses", [2, 10])
def test_course_list_queries_do_not_grow_with_courses(
    role_client, course_index, courses, django_assert_max_num_queries
):
    audience = Group.objects.create(name="受众")
    for n in range(courses):
        CoursePageFactory(
            parent=course_index,
            visibility="groups" if n % 2 else "staff",
            visible_to_groups=[audience],
        )
    client = role_client("Learner")
    client.get(course_index.url)

    with django_assert_max_num_queries(14):
        assert client.get(course_index.url).status_code == 200
