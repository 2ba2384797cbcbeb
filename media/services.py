"""State changes of a video's life: create, retry, re-queue after a dead worker, delete,
process (probe then transcode); the record of who was first sent a video.

The steps themselves are in `media.pipeline` (the probe, the transcode, captions), which
runs what `media.ffmpeg` builds. A service never enqueues a task: whoever starts one calls
`media.tasks` (`video_create_and_process`, `video_retry_and_process`, ...), which hands the
service `on_new_attempt`, the on-commit enqueue of the new attempt's job.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from media.ffmpeg.validate import format_size, rejection_message
from media.models import Video, VideoDelivery
from media.pipeline.probe import video_probe
from media.pipeline.storage import remove_video_files
from media.pipeline.transcode import video_transcode

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)  # a job silent for this long belongs to a dead worker

NewAttemptCallback = Callable[[Video], None]

# --- create ------------------------------------------------------------------------------


def _stream_size(file: IO[bytes] | File) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def video_create(
    *,
    title: str,
    file: IO[bytes] | File,
    filename: str = "",
    created_by: AbstractBaseUser | None = None,
    on_new_attempt: NewAttemptCallback | None = None,
) -> Video:
    """Store an uploaded source; `on_new_attempt` is called with it inside the transaction
    (`media.tasks.video_create_and_process` queues its processing there, after commit)."""
    name = PurePosixPath(filename or getattr(file, "name", "") or "video").name
    size = _stream_size(file)
    if size > settings.VIDEO_MAX_UPLOAD_BYTES:
        raise ValidationError(
            rejection_message(
                "file_too_big",
                {
                    "size": format_size(size),
                    "limit": format_size(settings.VIDEO_MAX_UPLOAD_BYTES),
                },
            ),
            code="file_too_big",
        )
    with transaction.atomic():
        video = Video.objects.create(
            title=title[:255] or name,
            original_filename=name[:255],
            source_size=size,
            created_by=created_by,
        )
        try:
            video.source.save(name, file if isinstance(file, File) else File(file), save=False)
            video.save(update_fields=["source", "updated_at"])
        except BaseException:
            remove_video_files(video.pk)
            raise
        if on_new_attempt is not None:
            on_new_attempt(video)
    return video


# --- retry and delete ---------------------------------------------------------------------


def video_is_stale(video: Video) -> bool:
    """A job that has not reported for a while: its worker died."""
    last = video.progress_updated_at or video.updated_at
    return last is None or timezone.now() - last > STALE_AFTER


def video_retry(
    *, video: Video, force: bool = False, on_new_attempt: NewAttemptCallback | None = None
) -> Video:
    """Start over with a new attempt. A ready video is left alone, and so is one whose job
    is alive (unless `force`); a dead job's leftovers are removed by the new run.
    `on_new_attempt` is called inside the transaction when a new attempt begins."""
    with transaction.atomic():
        locked = Video.objects.select_for_update().get(pk=video.pk)
        if locked.status == Video.Status.READY:
            return locked
        running = locked.status in (Video.Status.PROBING, Video.Status.TRANSCODING)
        if running and not force and not video_is_stale(locked):
            return locked
        locked.attempt += 1
        locked.status = Video.Status.UPLOADED
        locked.job_id = ""
        locked.worker_id = ""
        locked.requeues = 0
        locked.failure_code = ""
        locked.failure_params = {}
        locked.ffmpeg_log = ""
        locked.progress = 0
        locked.progress_eta = None
        locked.progress_updated_at = None
        locked.save()
        if on_new_attempt is not None:
            on_new_attempt(locked)
    return locked


@dataclass(frozen=True)
class RequeueResult:
    requeued: int
    failed: int


def videos_requeue_orphaned(
    *, live_worker_ids: Iterable[str], on_new_attempt: NewAttemptCallback | None = None
) -> RequeueResult:
    """Put videos whose worker died mid-job back in the queue, as a new attempt.

    A job belongs to a dead worker when the worker it names is not among
    `live_worker_ids` (those with a fresh heartbeat), or, for a job run outside a worker
    (`ingest_video`), when it has stopped reporting. After WORKER_MAX_REQUEUES
    re-queues the video fails instead: a file that kills its worker every time
    (out of memory, say) must not take the queue down with it forever.
    """
    live = set(live_worker_ids)
    limit = settings.WORKER_MAX_REQUEUES
    running = Video.objects.filter(status__in=[Video.Status.PROBING, Video.Status.TRANSCODING])
    requeued = failed = 0
    for video in running.exclude(worker_id__in=live).order_by("pk"):
        if not video.worker_id and not video_is_stale(video):
            continue
        with transaction.atomic():
            locked = (
                Video.objects.select_for_update()
                .filter(pk=video.pk, job_id=video.job_id, status=video.status)
                .first()
            )
            if locked is None:
                continue  # it moved on meanwhile
            logger.warning(
                "video %s: worker %r is gone; re-queueing (%d so far)",
                locked.pk,
                locked.worker_id,
                locked.requeues,
            )
            now = timezone.now()
            if locked.requeues >= limit:
                locked.status = Video.Status.FAILED
                locked.failure_code = "worker_lost"
                locked.failure_params = {"count": locked.requeues + 1}
                locked.processing_finished_at = now
                failed += 1
            else:
                locked.attempt += 1
                locked.requeues += 1
                locked.status = Video.Status.UPLOADED
                locked.progress = 0
                requeued += 1
                if on_new_attempt is not None:
                    on_new_attempt(locked)
            locked.job_id = ""
            locked.worker_id = ""
            locked.progress_eta = None
            locked.progress_updated_at = now
            locked.save()
    return RequeueResult(requeued=requeued, failed=failed)


def video_delete(*, video: Video) -> None:
    """Delete a video with its files. A running job finds its video gone at its next
    progress write, stops ffmpeg and removes its temp folder."""
    video_id = video.pk
    with transaction.atomic():
        Video.objects.filter(pk=video_id).delete()
        transaction.on_commit(partial(remove_video_files, video_id))


def video_process(*, video_id: int, attempt: int) -> Video | None:
    """The background job: probe, then transcode. Does nothing for an attempt that is not
    the video's current one, or for a video that is ready, failed or gone."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None or video.attempt != attempt:
        return video
    video = video_probe(video=video, attempt=attempt)
    if video.status != Video.Status.PROBING:
        return video
    return video_transcode(video=video, attempt=attempt)


# --- deliveries -------------------------------------------------------------------------

# How long a process remembers that a (person, video) delivery is already recorded. The
# record never changes once written, so this only bounds the cache's memory.
DELIVERY_CACHE_SECONDS = 24 * 60 * 60


def _delivery_cache_key(user_id: object, video_id: int) -> str:
    return f"media:delivered:{user_id}:{video_id}"


def video_delivery_record(*, user: AbstractBaseUser, video_id: int) -> None:
    """Remember when `user` was first sent one of `video_id`'s playlists.

    Called on every playlist a player fetches (the master first, then a rung's), so it
    must be cheap: a cache hit once recorded, otherwise one insert that does nothing when
    the row exists (`ON CONFLICT DO NOTHING`), never a read-then-write race. The first
    time wins and is never moved later.
    """
    key = _delivery_cache_key(user.pk, video_id)
    if cache.get(key):
        return
    VideoDelivery.objects.bulk_create(
        [VideoDelivery(user_id=user.pk, video_id=video_id, first_delivered_at=timezone.now())],
        ignore_conflicts=True,
    )
    # Only after the row is written: a failed insert must not be remembered as done.
    cache.set(key, True, DELIVERY_CACHE_SECONDS)
