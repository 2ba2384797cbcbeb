"""Course outlines: what a person may see of a course and where they stand in it.

The course outline reads lesson bodies as stored (block types and chosen ids) instead of
through StreamField's choosers, which would ask the database once per lesson: the
phone's course screen then costs the same number of queries for 2 lessons or 40.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from courses.blocks import DEFAULT_WATCH_PERCENT
from courses.models import CoursePage, CourseTopic, LessonPage, Quiz
from courses.quizzes import QuizPaper, lesson_quiz_papers
from courses.translation import canonical_page
from lms.paths.access import can_view_course, can_view_lesson
from lms.paths.selectors import NextInPath, next_in_path_for
from lms.progress.completion import (
    CourseCompletion,
    CourseRequirements,
    QuizRequirement,
    VideoRequirement,
    course_completion,
)
from lms.progress.events import played_from_start
from lms.progress.models import VideoWatch
from lms.progress.selectors import QuizStatus, passed_quiz_keys, quiz_statuses_for
from media.models import Video


@dataclass(frozen=True)
class LessonOutline:
    lesson: LessonPage
    has_video: bool
    has_quiz: bool
    watched_percent: int | None
    requirements_met: bool


@dataclass(frozen=True)
class CourseOutline:
    course: CoursePage
    topics: list[CourseTopic]
    lessons: list[LessonOutline]
    completion: CourseCompletion


def course_visible_to(*, user: AbstractBaseUser, course_id: int) -> CoursePage | None:
    """The live course if the person may see it; None for a missing or hidden one alike."""
    course = CoursePage.objects.live().filter(pk=course_id).first()
    if course is None or not can_view_course(user, course):
        return None
    return course


def lesson_visible_to(*, user: AbstractBaseUser, lesson_id: int) -> LessonPage | None:
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None or not can_view_lesson(user, lesson):
        return None
    return lesson


def _raw_blocks(lesson: LessonPage, block_type: str) -> list[dict[str, Any]]:
    return [
        block.get("value") or {}
        for block in lesson.body.raw_data
        if isinstance(block, dict) and block.get("type") == block_type
    ]


def _raw_videos(lesson: LessonPage) -> list[tuple[int, int]]:
    """(video id, must-watch percent) of the lesson's video blocks, as stored."""
    videos = []
    for value in _raw_blocks(lesson, "video"):
        if isinstance(value.get("video"), int):
            threshold = value.get("must_watch_percent", DEFAULT_WATCH_PERCENT)
            videos.append((value["video"], int(threshold or 0)))
    return videos


def _raw_quizzes(lesson: LessonPage) -> list[int]:
    return [v["quiz"] for v in _raw_blocks(lesson, "quiz") if isinstance(v.get("quiz"), int)]


def course_outline_for(*, user: AbstractBaseUser, course: CoursePage) -> CourseOutline:
    """The course's lessons with the learner's progress and completion, in constant queries.

    Same rule as `lms.progress.completion.course_completion_for`: progress counts against
    the course in the site's default language, whichever translation is being read.
    """
    lessons = course.lessons
    canonical = canonical_page(course)
    if canonical.pk == course.pk:
        canonical_lessons = lessons
    else:
        canonical_lessons = list(LessonPage.objects.child_of(canonical).live().order_by("path"))
    by_key = {lesson.translation_key: lesson for lesson in canonical_lessons}
    raw_videos = {lesson.pk: _raw_videos(lesson) for lesson in canonical_lessons}
    raw_quizzes = {lesson.pk: _raw_quizzes(lesson) for lesson in canonical_lessons}

    # A chosen video or quiz deleted since counts as no block, as video_blocks() does.
    video_ids = {vid for videos in raw_videos.values() for vid, _t in videos}
    videos = set(Video.objects.filter(pk__in=video_ids).values_list("pk", flat=True))
    quiz_ids = {qid for quizzes in raw_quizzes.values() for qid in quizzes}
    quizzes = {
        pk: (key, title)
        for pk, key, title in Quiz.objects.filter(pk__in=quiz_ids).values_list(
            "pk", "translation_key", "title"
        )
    }
    video_reqs = []
    quiz_reqs = []
    for lesson in canonical_lessons:
        for vid, threshold in raw_videos[lesson.pk]:
            if vid in videos and threshold > 0:
                video_reqs.append(VideoRequirement(lesson.pk, lesson.title, vid, threshold))
        for qid in raw_quizzes[lesson.pk]:
            if qid in quizzes:
                key, title = quizzes[qid]
                quiz_reqs.append(QuizRequirement(lesson.pk, lesson.title, key, title))
    requirements = CourseRequirements(
        course_id=canonical.pk, videos=tuple(video_reqs), quizzes=tuple(quiz_reqs)
    )

    # Watches are kept against the lesson the phone reported, canonical or translated.
    to_canonical = {lesson.pk: lesson.pk for lesson in canonical_lessons}
    for lesson in lessons:
        if lesson.translation_key in by_key:
            to_canonical[lesson.pk] = by_key[lesson.translation_key].pk
    watched: dict[tuple[int, int], float] = {}
    for lesson_id, video_id, percent in VideoWatch.objects.filter(
        user=user, lesson_id__in=list(to_canonical)
    ).values_list("lesson_id", "video_id", "percent"):
        key = (to_canonical[lesson_id], video_id)
        watched[key] = max(watched.get(key, 0.0), percent)
    passed = passed_quiz_keys(user=user, keys={q.quiz_key for q in quiz_reqs})
    completion = course_completion(
        requirements=requirements, watched_percent=watched, passed_quiz_keys=passed
    )
    left = {r.lesson_id for r in (*completion.videos_left, *completion.quizzes_left)}

    outlines = []
    for lesson in lessons:
        source = by_key.get(lesson.translation_key, lesson)
        lesson_videos = [vid for vid, _t in raw_videos.get(source.pk, []) if vid in videos]
        percents = [watched.get((source.pk, vid), 0.0) for vid in lesson_videos]
        outlines.append(
            LessonOutline(
                lesson=lesson,
                has_video=bool(lesson_videos),
                has_quiz=any(qid in quizzes for qid in raw_quizzes.get(source.pk, [])),
                watched_percent=round(sum(percents) / len(percents)) if percents else None,
                requirements_met=source.pk not in left,
            )
        )
    return CourseOutline(
        course=course,
        topics=list(course.topics.all()),
        lessons=outlines,
        completion=completion,
    )


def video_watches_for(*, user: AbstractBaseUser, lesson: LessonPage) -> dict[int, VideoWatch]:
    """The learner's watch of each video of a lesson (read or reported in any language)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    lesson_ids = {lesson.pk, canonical_page(lesson).pk}
    watches: dict[int, VideoWatch] = {}
    # Newest last, so the watch last touched (on any device, in any language) wins.
    for watch in VideoWatch.objects.filter(user=user, lesson_id__in=lesson_ids).order_by(
        "updated_at"
    ):
        watches[watch.video_id] = watch
    return watches


@dataclass(frozen=True)
class PlayerState:
    """What the player needs from the server to pick up where the learner stopped."""

    position: float
    position_at: str  # ISO time the phone reported the position; "" when never
    # How far the learner may seek in a course without skipping: the end of what they
    # played from the start without a gap (a range after a gap does not count there).
    furthest: float
    percent: float


def player_state_of(watch: VideoWatch) -> PlayerState:
    return PlayerState(
        position=round(watch.last_position, 1),
        position_at=watch.position_client_time.isoformat() if watch.position_client_time else "",
        furthest=played_from_start(watch.ranges)[0],
        percent=round(watch.percent, 1),
    )


@dataclass(frozen=True)
class LessonReading:
    """What a lesson shows one learner besides its body: a question paper and the
    learner's standing per quiz block, and their watch of each video."""

    lesson: LessonPage
    papers: dict[str, QuizPaper]  # by quiz block id
    quiz_status: dict[str, QuizStatus]  # by quiz block id
    watches: dict[int, VideoWatch]  # by video id

    @property
    def player_states(self) -> dict[int, PlayerState]:
        """Per video id, where the player resumes."""
        return {video_id: player_state_of(watch) for video_id, watch in self.watches.items()}


def lesson_reading_for(*, user: AbstractBaseUser, lesson: LessonPage) -> LessonReading:
    """Fresh question papers, quiz standing and video watches of a lesson, in three queries
    whatever the number of quizzes and videos (and the papers' questions)."""
    papers = lesson_quiz_papers(lesson=lesson, user_id=user.pk)
    statuses = quiz_statuses_for(user=user, quizzes=[paper.quiz for paper in papers.values()])
    return LessonReading(
        lesson=lesson,
        papers=papers,
        quiz_status={
            block_id: statuses[paper.quiz.translation_key] for block_id, paper in papers.items()
        },
        watches=video_watches_for(user=user, lesson=lesson),
    )


def lesson_reading_visible_to(*, user: AbstractBaseUser, lesson_id: int) -> LessonReading | None:
    """The live lesson and what it shows the person, if they may see it; else None."""
    lesson = lesson_visible_to(user=user, lesson_id=lesson_id)
    return lesson_reading_for(user=user, lesson=lesson) if lesson is not None else None


@dataclass(frozen=True)
class LessonStatus:
    state: str  # done | started | todo | open (nothing to complete)
    watched_percent: int | None
    has_quiz: bool


def lesson_statuses_for(*, user: Any, course: Any) -> tuple[dict[int, LessonStatus], Any]:
    """Per lesson id, where the learner stands; and the course's completion."""
    outline = course_outline_for(user=user, course=course)
    statuses: dict[int, LessonStatus] = {}
    for entry in outline.lessons:
        has_requirements = entry.has_quiz or entry.has_video
        if not has_requirements:
            state = "open"
        elif entry.requirements_met:
            state = "done"
        elif entry.watched_percent:
            state = "started"
        else:
            state = "todo"
        statuses[entry.lesson.pk] = LessonStatus(
            state=state, watched_percent=entry.watched_percent, has_quiz=entry.has_quiz
        )
    return statuses, outline.completion


@dataclass(frozen=True)
class CoursePageFacts:
    """What a course page shows the learner: where they stand in each lesson, the
    course's completion, what follows in their paths and the lesson to continue with."""

    lesson_status: dict[int, LessonStatus]
    completion: CourseCompletion
    next_in_path: list[NextInPath]
    continue_lesson: LessonPage | None


def course_page_facts_for(*, user: AbstractBaseUser, course: CoursePage) -> CoursePageFacts:
    statuses, completion = lesson_statuses_for(user=user, course=course)
    next_in_path = next_in_path_for(user=user, course=course)
    begun = any(s.state in ("done", "started") for s in statuses.values())
    # Once the learner has begun, the button takes them to the first unfinished lesson.
    continue_lesson = (
        next(
            (
                lesson
                for lesson in course.lessons
                if lesson.pk in statuses and statuses[lesson.pk].state in ("todo", "started")
            ),
            None,
        )
        if begun
        else None
    )
    return CoursePageFacts(
        lesson_status=statuses,
        completion=completion,
        next_in_path=next_in_path,
        continue_lesson=continue_lesson,
    )


def course_outline_visible_to(*, user: AbstractBaseUser, course_id: int) -> CourseOutline | None:
    """The live course's outline for the person, if they may see the course; else None."""
    course = course_visible_to(user=user, course_id=course_id)
    return course_outline_for(user=user, course=course) if course is not None else None
