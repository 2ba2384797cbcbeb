"""Reads behind the learner pages: where a video resumes, what a course page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from courses.models import LessonPage
from courses.translation import canonical_page
from lms.progress.events import played_from_start
from lms.progress.models import VideoWatch
from lms.progress.outline import course_outline_for


@dataclass(frozen=True)
class PlayerState:
    """What the player needs from the server to pick up where the learner stopped."""

    position: float
    position_at: str  # ISO time the phone reported the position; "" when never
    # How far the learner may seek in a course without skipping: the end of what they
    # played from the start without a gap (a range after a gap does not count there).
    furthest: float
    percent: float


def player_states_for(*, user: Any, lesson: LessonPage) -> dict[int, PlayerState]:
    """Per video id of the lesson, the learner's resume state, reported in any language."""
    if not getattr(user, "is_authenticated", False):
        return {}
    lesson_ids = {lesson.pk, canonical_page(lesson).pk}
    states: dict[int, PlayerState] = {}
    # Newest last, so the watch last touched (on any device, in any language) wins.
    for watch in VideoWatch.objects.filter(user=user, lesson_id__in=lesson_ids).order_by(
        "updated_at"
    ):
        states[watch.video_id] = PlayerState(
            position=round(watch.last_position, 1),
            position_at=watch.position_client_time.isoformat()
            if watch.position_client_time
            else "",
            furthest=played_from_start(watch.ranges)[0],
            percent=round(watch.percent, 1),
        )
    return states


# --- course page ------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonStatus:
    state: str  # done | started | todo | open (nothing to complete)
    watched_percent: int | None
    has_quiz: bool


@dataclass(frozen=True)
class NextInPath:
    """The item of the learner's path that follows this course."""

    title: str
    path: str
    locked: bool  # locked until the earlier items (this course among them) are done
    course: Any  # the course page, or None for sessions, surveys and tasks


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


def next_in_path_for(*, user: Any, course: Any) -> list[NextInPath]:
    """What comes after this course in each of the learner's paths that include it."""
    from lms.org.selectors import employee_for_user
    from lms.paths.selectors import path_maps_for

    employee = employee_for_user(user)
    if employee is None:
        return []
    course_id = canonical_page(course).pk
    found: list[NextInPath] = []
    for path_map in path_maps_for(employee=employee):
        entries = [entry for stage in path_map.stages for entry in stage.items]
        positions = [
            i
            for i, entry in enumerate(entries)
            if entry.item.item and entry.item.item.course_id == course_id
        ]
        if not positions or positions[-1] + 1 >= len(entries):
            continue
        following = entries[positions[-1] + 1]
        path_item = following.item.item
        found.append(
            NextInPath(
                title=following.item.title,
                path=path_map.enrolment.path.name,
                locked=following.state == "locked",
                course=path_item.course if path_item and path_item.course_id else None,
            )
        )
    return found


# --- transcript -------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptEntry:
    item: Any  # EnrolmentItem
    kind: str
    path: str
    completed_at: Any


@dataclass(frozen=True)
class Transcript:
    completed: list[TranscriptEntry]
    paths: list[Any]  # Enrolments, completed ones with completed_at
    quizzes: list[Any]  # the best passing attempt per quiz
    in_progress: int


def transcript_for(*, employee: Any) -> Transcript:
    """What the person completed and when, newest first, in three queries."""
    from lms.paths.models import Enrolment, EnrolmentItem
    from lms.progress.models import QuizAttempt

    items = list(
        EnrolmentItem.objects.filter(
            enrolment__employee=employee, status=EnrolmentItem.Status.COMPLETED
        )
        .exclude(enrolment__status=Enrolment.Status.REMOVED)
        .select_related("enrolment__path", "item")
        .order_by("-completed_at", "-pk")
    )
    paths = list(
        Enrolment.objects.current()
        .filter(employee=employee)
        .select_related("path")
        .order_by("-completed_at", "assigned_at")
    )
    best: dict[Any, Any] = {}
    for attempt in (
        QuizAttempt.objects.of(employee.user)
        .passed()
        .only("pk", "quiz_key", "quiz_title", "lesson_title", "score", "submitted_at", "number")
        .order_by("submitted_at")
    ):
        current = best.get(attempt.quiz_key)
        if current is None or attempt.score > current.score:
            best[attempt.quiz_key] = attempt
    return Transcript(
        completed=[
            TranscriptEntry(
                item=item,
                kind=item.item.kind if item.item else "",
                path=item.enrolment.path.name,
                completed_at=item.completed_at,
            )
            for item in items
        ],
        paths=paths,
        quizzes=sorted(best.values(), key=lambda a: a.submitted_at, reverse=True),
        in_progress=sum(1 for p in paths if p.status == Enrolment.Status.ACTIVE),
    )
