"""Progress events from the phone, applied idempotently and monotonically.

The phone sends batches of events with ids it made itself. An event already seen
changes nothing (so a batch can be resent after a dropped connection); watched
ranges only ever grow; an older position never replaces a newer one. Each event is
checked on its own: a bad one is rejected with a reason, the good ones are applied.

Watched time is credited by the server's clock, never the phone's: of one video, a
person is credited at most MAX_PLAYBACK_RATE seconds per second that has passed since
its playlist was first sent to them (`media` records that moment), and nothing before.
What a batch claims beyond that is kept aside on the watch, uncredited, and credited by
a later batch once enough time has passed. A player, however it pauses, goes offline
and sends its queue late, never claims more than that (it cannot play faster than its
fastest speed, and it fetched the playlist before playing); a forged batch of the whole
video sent a minute after opening it is credited two minutes.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lms.paths.access import viewable_course_of
from lms.progress.models import LearnerProgressLock, ProgressEvent, VideoWatch
from media.api_common import EARLIEST, MAX_ID, within_a_day
from media.selectors import video_first_deliveries

MAX_EVENTS_PER_BATCH = 500
# The phone reports every ~15 s (at up to 2x speed); one event covering more than this
# is a seek or a forged range, not playback.
MAX_RANGE_SECONDS = 120.0
# Durations from ffprobe and the player differ by a frame or two.
DURATION_SLACK = 1.0
# The player reports time a fraction of a second at a time; in a course without
# skipping, a gap this small between two watched ranges is rounding, not a skip.
SKIP_TOLERANCE = 2.0
# The player's fastest speed (the speed menu of templates/courses/blocks/video.html and
# SPEEDS in frontend/src/player/player.ts): the most video one second of real time plays.
MAX_PLAYBACK_RATE = 2.0


@dataclass
class Ack:
    id: str
    status: str  # applied | duplicate | rejected
    reason: str = ""


@dataclass
class _Event:
    ack_id: str
    client_id: uuid.UUID
    type: str
    client_time: dt.datetime
    lesson: Any = None
    video_id: int | None = None
    duration: float | None = None
    must_watch: tuple[int, ...] = ()
    no_skipping: bool = False
    data: dict[str, Any] = field(default_factory=dict)


class _Rejected(Exception):
    pass


def merge_range(ranges: list[list[float]], start: float, end: float) -> list[list[float]]:
    """Add [start, end] to sorted, disjoint ranges, merging what touches."""
    merged: list[list[float]] = []
    placed = False
    for lo, hi in ranges:
        if hi < start:
            merged.append([lo, hi])
        elif end < lo:
            if not placed:
                merged.append([start, end])
                placed = True
            merged.append([lo, hi])
        else:
            start, end = min(start, lo), max(end, hi)
    if not placed:
        merged.append([start, end])
    return sorted(merged)


def covered_seconds(ranges: Iterable[list[float]]) -> float:
    return sum(hi - lo for lo, hi in ranges)


def subtract_ranges(ranges: list[list[float]], taken: list[list[float]]) -> list[list[float]]:
    """The parts of sorted, disjoint `ranges` that sorted, disjoint `taken` does not cover."""
    left: list[list[float]] = []
    for lo, hi in ranges:
        for t_lo, t_hi in taken:
            if t_hi <= lo:
                continue
            if t_lo >= hi:
                break
            if t_lo > lo:
                left.append([lo, t_lo])
            lo = max(lo, t_hi)
            if lo >= hi:
                break
        if lo < hi:
            left.append([lo, hi])
    return left


def credit_allowance(first_delivered: dt.datetime | None, now: dt.datetime) -> float:
    """How many seconds of a video a person can have played by `now`: none before it was
    first sent to them, then MAX_PLAYBACK_RATE per second of the server's clock."""
    if first_delivered is None:
        return 0.0
    return max(0.0, (now - first_delivered).total_seconds()) * MAX_PLAYBACK_RATE


def credit_within(
    credited: list[list[float]], claimed: list[list[float]], allowance: float
) -> tuple[list[list[float]], list[list[float]]]:
    """(credited ranges, ranges still uncredited) once `claimed` is credited, earliest
    seconds first, for as long as the total credited stays within `allowance`.

    What was credited before stays credited (progress never goes backwards); the
    earliest seconds go first because, without skipping, only a run from the start counts.
    """
    extra = subtract_ranges(claimed, credited)
    budget = allowance - covered_seconds(credited)
    uncredited: list[list[float]] = []
    for lo, hi in extra:
        if budget >= hi - lo:
            credited = merge_range(credited, lo, hi)
            budget -= hi - lo
            continue
        # Cut on the hundredth of a second the player reports in, rounding down, so the
        # credit never exceeds the allowance.
        cut = math.floor((lo + max(budget, 0.0)) * 100) / 100
        if cut > lo:
            credited = merge_range(credited, lo, cut)
            budget = 0.0
        uncredited.append([max(lo, cut), hi])
    return credited, uncredited


def overlap_seconds(ranges: Iterable[list[float]], start: float, end: float) -> float:
    return sum(max(0.0, min(hi, end) - max(lo, start)) for lo, hi in ranges)


def played_from_start(ranges: Iterable[list[float]]) -> tuple[float, float]:
    """(how far, how many seconds) the video was played from the beginning on, up to the
    first part never played.

    What counts in a course without skipping: ranges after a gap (a seek past the
    furthest point, or a forged event) stay recorded, and count once the gap is watched.
    """
    reached, played = 0.0, 0.0
    for lo, hi in ranges:  # sorted and disjoint
        if lo > reached + SKIP_TOLERANCE:
            break
        played += hi - lo
        reached = hi
    return reached, played


def _is_id(value: Any) -> bool:
    """An id the database can hold: a huge one must reject its own event, not fail the
    whole batch's query (the phone would resend that batch forever)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _client_time(value: Any) -> dt.datetime:
    try:
        client_time = parse_datetime(str(value or ""))
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        client_time = None
    if client_time is None:
        raise _Rejected(_("“client_time” must be an ISO 8601 date and time."))
    if timezone.is_naive(client_time):
        client_time = timezone.make_aware(client_time, dt.UTC)
    try:
        in_range = EARLIEST <= client_time <= within_a_day()
    except OverflowError:  # year 1 with a positive offset
        in_range = False
    if not in_range:
        raise _Rejected(
            _("“client_time” must lie between %(earliest)s and tomorrow.")
            % {"earliest": EARLIEST.date().isoformat()}
        )
    return client_time


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Rejected(_("“%(field)s” must be a number of seconds.") % {"field": name})
    return float(value)


class _Batch:
    """Looks up what a batch refers to once, not per event."""

    def __init__(self, user: AbstractBaseUser, raw_events: list[Any]) -> None:
        from courses.models import LessonPage
        from media.models import Video

        self.user = user
        lesson_ids = {
            e.get("lesson") for e in raw_events if isinstance(e, dict) and _is_id(e.get("lesson"))
        }
        self.lessons = {p.pk: p for p in LessonPage.objects.live().filter(pk__in=lesson_ids)}
        # Per lesson, its course if this user may view the lesson, else None.
        self._courses: dict[int, Any] = {}
        self._must_watch: dict[int, dict[int, tuple[int, ...]]] = {}
        video_ids = {
            e.get("video") for e in raw_events if isinstance(e, dict) and _is_id(e.get("video"))
        }
        self.durations = dict(
            Video.objects.filter(pk__in=video_ids, duration__isnull=False).values_list(
                "pk", "duration"
            )
        )
        # Written once per person and video, before the first segment played: read
        # outside the lock, it cannot change under the batch.
        self.first_delivered = video_first_deliveries(user=user, video_ids=self.durations)

    def lesson(self, lesson_id: Any) -> Any:
        if not _is_id(lesson_id) or lesson_id not in self.lessons:
            raise _Rejected(_("Unknown lesson."))
        if lesson_id not in self._courses:
            self._courses[lesson_id] = viewable_course_of(self.user, self.lessons[lesson_id])
        if self._courses[lesson_id] is None:
            raise _Rejected(_("Unknown lesson."))  # the same answer as for one that does not exist
        return self.lessons[lesson_id]

    def no_skipping(self, lesson: Any) -> bool:
        return bool(self._courses[lesson.pk].no_skipping)

    def must_watch(self, lesson: Any) -> dict[int, tuple[int, ...]]:
        """Per video of the lesson, its must-watch percentages (read once per batch)."""
        if lesson.pk not in self._must_watch:
            found: dict[int, list[int]] = {}
            for _block, video, threshold in lesson.video_blocks():
                found.setdefault(video.pk, [])
                if threshold > 0:
                    found[video.pk].append(threshold)
            self._must_watch[lesson.pk] = {pk: tuple(t) for pk, t in found.items()}
        return self._must_watch[lesson.pk]

    def video(self, lesson: Any, video_id: Any) -> float:
        if (
            not _is_id(video_id)
            or video_id not in self.must_watch(lesson)
            or video_id not in self.durations
        ):
            raise _Rejected(_("This video is not part of the lesson."))
        return float(self.durations[video_id])


def _parse(raw: Any, batch: _Batch) -> _Event:
    if not isinstance(raw, dict):
        raise _Rejected(_("An event must be an object."))
    try:
        client_id = uuid.UUID(str(raw.get("id")))
    except ValueError:
        raise _Rejected(_("“id” must be a UUID made by the phone.")) from None
    kind = raw.get("type")
    if kind not in ProgressEvent.Type.values:
        raise _Rejected(_("Unknown event type “%(type)s”.") % {"type": str(kind)[:40]})
    client_time = _client_time(raw.get("client_time"))
    event = _Event(str(client_id), client_id, kind, client_time)

    if kind == ProgressEvent.Type.CHECKLIST_TICKED:
        item_id = raw.get("item")
        if not _is_id(item_id):
            raise _Rejected(_("“item” must name one of your checklist tasks."))
        event.data = {"item": item_id}
        return event

    event.lesson = batch.lesson(raw.get("lesson"))
    if kind == ProgressEvent.Type.LESSON_VIEWED:
        return event
    event.video_id = raw.get("video")
    event.duration = batch.video(event.lesson, event.video_id)
    event.must_watch = batch.must_watch(event.lesson)[event.video_id]
    event.no_skipping = batch.no_skipping(event.lesson)
    limit = event.duration + DURATION_SLACK
    if kind == ProgressEvent.Type.VIDEO_WATCHED:
        start, end = _number(raw.get("start"), "start"), _number(raw.get("end"), "end")
        if not 0 <= start < end <= limit:
            raise _Rejected(_("The range must lie within the video, with start before end."))
        if end - start > MAX_RANGE_SECONDS:
            raise _Rejected(
                _("A watched range is at most %(n)d seconds; send shorter ones.")
                % {"n": MAX_RANGE_SECONDS}
            )
        event.data = {"start": start, "end": min(end, event.duration)}
    else:
        position = _number(raw.get("position"), "position")
        if not 0 <= position <= limit:
            raise _Rejected(_("The position must lie within the video."))
        event.data = {"position": min(position, event.duration)}
    return event


def progress_events_apply(*, user: AbstractBaseUser, events: list[Any]) -> list[Ack]:
    """Apply a batch of the user's own events; one acknowledgement per event, in order."""
    batch = _Batch(user, events)
    acks: list[Ack] = []
    parsed: list[tuple[int, _Event]] = []
    for raw in events:
        try:
            event = _parse(raw, batch)
        except _Rejected as exc:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            acks.append(Ack(str(raw_id)[:64] if raw_id else "", "rejected", str(exc)))
            continue
        acks.append(Ack(event.ack_id, "applied"))
        parsed.append((len(acks) - 1, event))
    if parsed:
        _apply(user, parsed, acks, batch.first_delivered)
    return acks


@transaction.atomic
def _apply(
    user: AbstractBaseUser,
    parsed: list[tuple[int, _Event]],
    acks: list[Ack],
    first_delivered: dict[int, dt.datetime],
) -> None:
    # One statement once the person's lock row exists, which is every batch but their first.
    if not LearnerProgressLock.objects.select_for_update().filter(user=user).exists():
        try:
            with transaction.atomic():
                LearnerProgressLock.objects.create(user=user)
        except IntegrityError:
            pass  # created by a concurrent batch a moment ago
        LearnerProgressLock.objects.select_for_update().get(user=user)

    seen = set(
        ProgressEvent.objects.filter(
            user=user, client_id__in=[e.client_id for _n, e in parsed]
        ).values_list("client_id", flat=True)
    )
    fresh: list[tuple[int, _Event]] = []
    in_batch: set[uuid.UUID] = set()
    for index, event in parsed:
        if event.client_id in seen or event.client_id in in_batch:
            acks[index].status = "duplicate"
        else:
            in_batch.add(event.client_id)
            fresh.append((index, event))

    watches: dict[tuple[int, int], VideoWatch] = {}
    percent_before: dict[tuple[int, int], float] = {}
    must_watch: dict[tuple[int, int], tuple[int, ...]] = {}
    no_skipping: dict[tuple[int, int], bool] = {}
    # Per video: what is claimed and not credited yet (kept from earlier batches + new).
    claimed: dict[tuple[int, int], list[list[float]]] = {}
    ranges_sent: list[tuple[int, tuple[int, int], float, float]] = []
    grown: set[tuple[int, int]] = set()
    ticked: list[tuple[int, int]] = []
    # Oldest first, so the newest position wins whatever order the batch came in.
    for index, event in sorted(fresh, key=lambda pair: pair[1].client_time):
        if event.type == ProgressEvent.Type.CHECKLIST_TICKED:
            ticked.append((index, event.data["item"]))
            continue
        if event.video_id is None:
            continue
        key = (event.lesson.pk, event.video_id)
        watch = watches.get(key)
        if watch is None:
            watch, _created = VideoWatch.objects.select_for_update().get_or_create(
                user=user,
                lesson_id=event.lesson.pk,
                video_id=event.video_id,
                defaults={"duration": event.duration},
            )
            watches[key] = watch
            percent_before[key] = watch.percent
            must_watch[key] = event.must_watch
            no_skipping[key] = event.no_skipping
            claimed[key] = list(watch.uncredited_ranges)
        if event.type == ProgressEvent.Type.VIDEO_WATCHED:
            start, end = event.data["start"], event.data["end"]
            claimed[key] = merge_range(claimed[key], start, end)
            ranges_sent.append((index, key, start, end))
            watch.duration = event.duration or watch.duration
            grown.add(key)
        elif watch.position_client_time is None or event.client_time >= watch.position_client_time:
            watch.last_position = event.data["position"]
            watch.position_client_time = event.client_time
    now = timezone.now()
    for key, watch in watches.items():
        if not claimed[key]:
            continue
        # Also what earlier batches claimed too early: it may be its time now.
        allowance = credit_allowance(first_delivered.get(key[1]), now)
        credited, watch.uncredited_ranges = credit_within(watch.ranges, claimed[key], allowance)
        if credited != watch.ranges:
            watch.ranges = credited
            grown.add(key)
    not_yet = ""
    for index, key, start, end in ranges_sent:
        if overlap_seconds(watches[key].uncredited_ranges, start, end) > 0:
            not_yet = not_yet or _(
                "Not counted yet: that is more than could have been played since the video "
                "was first sent to you. It counts with your later progress once enough "
                "time has passed."
            )
            acks[index].reason = not_yet
    for key in grown:
        # Once per video, not per event: a batch holds many ranges of the same video.
        watch = watches[key]
        watch.watched_seconds = covered_seconds(watch.ranges)
        # The percent is what counts towards completion.
        counted = played_from_start(watch.ranges)[1] if no_skipping[key] else watch.watched_seconds
        watch.percent = min(100.0, 100 * counted / watch.duration) if watch.duration else 0
    for watch in watches.values():
        watch.save()
    # Completion can only change when a video crosses its lesson's must-watch line, so
    # most batches (a few seconds of playback each) skip the roll-up entirely.
    touched_lessons: set[int] = set()
    for key, watch in watches.items():
        if any(percent_before[key] < t <= watch.percent for t in must_watch[key]):
            touched_lessons.add(key[0])

    if ticked:
        from lms.paths.services import checklist_items_tick

        accepted = checklist_items_tick(user=user, item_ids=[item for _i, item in ticked])
        for index, item in ticked:
            if item not in accepted:
                acks[index].status = "rejected"
                acks[index].reason = _("“item” must name one of your checklist tasks.")
    rejected = {acks[index].id for index, _e in fresh if acks[index].status == "rejected"}
    ProgressEvent.objects.bulk_create(
        [
            ProgressEvent(
                user=user,
                client_id=event.client_id,
                type=event.type,
                lesson_id=event.lesson.pk if event.lesson is not None else None,
                payload={"video": event.video_id, **event.data},
                client_time=event.client_time,
            )
            for _index, event in fresh
            if event.ack_id not in rejected
        ]
    )
    if touched_lessons:
        from lms.progress.rollup import progress_rollup_lessons

        progress_rollup_lessons(user=user, lesson_ids=touched_lessons)
