"""Who may see a course, a lesson, a video's files, or a lesson's documents.

The learning domain's rule (here, beside learning paths, because a path's courses are one
of the ways in), enforced on the pages and documents by
`lms/learner/wagtail_hooks.py` (before Wagtail serves a course, a lesson or a document)
and called by the video pipeline's delivery through the `ONRAMP_VIDEO_ACCESS_CHECK`
setting.

- Signed-out people and deactivated accounts see nothing.
- Staff roles (Trainer, HR, Admin) and superusers see every live course.
- Everyone else sees a live course when its visibility allows:
  everyone on staff; named groups they belong to; or their learning path includes it.
- A video, or a document used in a lesson, follows the lessons that show it. A document
  no lesson uses is Wagtail's alone (its collection's privacy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from wagtail.models import Page, ReferenceIndex

from courses.models import CoursePage, CourseVisibility, LessonPage
from courses.translation import canonical_page
from lms.org.roles import ROLE_ADMIN, ROLE_HR, ROLE_TRAINER
from lms.paths.selectors import user_has_course_in_path

STAFF_ROLES = frozenset({ROLE_TRAINER, ROLE_HR, ROLE_ADMIN})


def _group_names(user: Any) -> frozenset[str]:
    # Asked for every page and every video segment: remember it on the user object,
    # which lives for one request.
    names = getattr(user, "_onramp_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._onramp_group_names = names
    return names


def _group_ids(user: Any) -> frozenset[int]:
    ids = getattr(user, "_onramp_group_ids", None)
    if ids is None:
        ids = frozenset(user.groups.values_list("pk", flat=True))
        user._onramp_group_ids = ids
    return ids


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_staff_reader(user: Any) -> bool:
    """Trainers, HR and admins read every course, whatever its visibility."""
    if not _is_signed_in(user):
        return False
    return bool(user.is_superuser or _group_names(user) & STAFF_ROLES)


def course_in_learning_path(user: Any, course: CoursePage) -> bool:
    """Whether one of the learner's current learning paths includes the course."""
    return user_has_course_in_path(user=user, course_id=canonical_page(course).pk)


def can_view_course(user: Any, course: CoursePage) -> bool:
    if not _is_signed_in(user) or not course.live:
        return False
    if is_staff_reader(user):
        return True
    if course.visibility == CourseVisibility.STAFF:
        return True
    if course.visibility == CourseVisibility.GROUPS:
        allowed = {group.pk for group in course.visible_to_groups.all()}
        return bool(allowed & _group_ids(user))
    if course.visibility == CourseVisibility.PATH:
        return course_in_learning_path(user, course)
    return False


def course_of(lesson: LessonPage) -> CoursePage | None:
    parent = lesson.get_parent()
    if parent is None or parent.specific_class is not CoursePage:
        return None
    return parent.specific


def viewable_course_of(user: Any, lesson: LessonPage) -> CoursePage | None:
    """The lesson's course if the user may view the lesson (callers often need the
    course's settings next), else None."""
    if not lesson.live:
        return None
    course = course_of(lesson)
    return course if course is not None and can_view_course(user, course) else None


def can_view_lesson(user: Any, lesson: LessonPage) -> bool:
    return viewable_course_of(user, lesson) is not None


def _lessons_referencing(obj: Any) -> QuerySet[LessonPage]:
    """Lessons (live or not) whose saved body refers to `obj`, by Wagtail's reference
    index, which records what page bodies choose or link to when a page is saved."""
    page_type = ContentType.objects.get_for_model(Page)
    lesson_ids = (
        ReferenceIndex.get_references_to(obj)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    )
    return LessonPage.objects.filter(pk__in=[int(pk) for pk in lesson_ids])


def _may_view_a_lesson_showing(
    user: Any, obj: Any, shown_in: Callable[[LessonPage], set[int]]
) -> bool:
    for lesson in _lessons_referencing(obj).live():
        # The index may lag behind a publish by a moment (it is updated by a task);
        # the live body is the truth.
        if obj.pk in shown_in(lesson):
            course = course_of(lesson)
            if course is not None and can_view_course(user, course):
                return True
    return False


def can_view_video(user: Any, video: Any) -> bool:
    """Whether the person may fetch the video's playlists, segments, poster and captions.

    Staff may always (they preview drafts); anyone else when a live lesson that shows the
    video belongs to a course they may see.
    """
    if not _is_signed_in(user):
        return False
    if is_staff_reader(user):
        return True
    return _may_view_a_lesson_showing(
        user,
        video,
        lambda lesson: {shown.pk for _block, shown, _threshold in lesson.video_blocks()},
    )


def is_lesson_document(document: Any) -> bool:
    """Whether a lesson (published or draft) offers the document: then it is course
    material, and only people who may see such a lesson may download it."""
    return _lessons_referencing(document).exists()


def can_view_document(user: Any, document: Any) -> bool:
    """For a lesson's document: staff always (they prepare drafts); anyone else when a
    live lesson that offers it belongs to a course they may see."""
    if not _is_signed_in(user):
        return False
    if is_staff_reader(user):
        return True
    return _may_view_a_lesson_showing(user, document, lambda lesson: lesson.document_ids())
