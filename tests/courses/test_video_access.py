"""Who may fetch a video's files: the check the video pipeline calls by setting name."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.utils.module_loading import import_string

from lms.paths.access import can_view_video
from media.models import Video
from tests.courses.factories import CoursePageFactory, LessonPageFactory
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def video_lesson(course, video, **kwargs):
    return LessonPageFactory(
        parent=course, body=[("video", {"video": video, "must_watch_percent": 90})], **kwargs
    )


@pytest.fixture
def video():
    return Video.objects.create(title="贷前审核", status=Video.Status.READY)


def test_the_setting_names_the_check():
    assert import_string(settings.ONRAMP_VIDEO_ACCESS_CHECK) is can_view_video


def test_learners_may_fetch_videos_of_courses_they_see(course, video):
    video_lesson(course, video)
    assert can_view_video(EmployeeFactory(roles=["Learner"]).user, video)
    assert not can_view_video(AnonymousUser(), video)


def test_videos_of_courses_a_learner_may_not_see_are_refused(course_index, video):
    audience = Group.objects.create(name="资产保全部")
    hidden = CoursePageFactory(
        parent=course_index, visibility="groups", visible_to_groups=[audience]
    )
    video_lesson(hidden, video)
    learner = EmployeeFactory(roles=["Learner"]).user

    assert not can_view_video(learner, video)
    learner.groups.add(audience)
    learner = type(learner).objects.get(pk=learner.pk)  # a new request
    assert can_view_video(learner, video)


def test_a_video_shown_only_in_drafts_is_for_staff(course, video):
    video_lesson(course, video, publish=False)
    assert not can_view_video(EmployeeFactory(roles=["Learner"]).user, video)
    assert can_view_video(EmployeeFactory(roles=["Trainer"]).user, video)


def test_a_video_in_no_lesson_is_for_staff_only(video):
    assert not can_view_video(EmployeeFactory(roles=["Learner"]).user, video)
    assert can_view_video(EmployeeFactory(roles=["HR"]).user, video)


def test_a_video_removed_from_the_live_lesson_is_refused(course, video):
    lesson = video_lesson(course, video)
    learner = EmployeeFactory(roles=["Learner"]).user
    assert can_view_video(learner, video)

    lesson.body = [("text", "<p>换成了文字</p>")]
    lesson.save_revision().publish()

    assert not can_view_video(type(learner).objects.get(pk=learner.pk), video)


def test_deactivated_people_fetch_nothing(course, video):
    video_lesson(course, video)
    user = EmployeeFactory(roles=["Trainer"]).user
    user.is_active = False
    assert not can_view_video(user, video)
