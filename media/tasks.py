"""Background jobs of the video pipeline, and the functions that start them.

A job is a small function that calls a service. Arguments are ids, never objects: the job
reads the current state when it runs, and the attempt number lets a job that was
superseded by a retry do nothing.

A service never imports this module. Whoever starts processing calls one of the
`*_and_process` functions below, which calls the service and hands it
`video_process_later`: the service calls it inside its transaction when a new attempt
begins, and the job is enqueued once that transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django_tasks import task

from media.models import UploadSession, Video
from media.services import (
    RequeueResult,
    video_create,
    video_process,
    video_retry,
    videos_requeue_orphaned,
)
from media.uploads import upload_complete, upload_sessions_clean


# The long lane: a lecture takes about as long to transcode as it lasts.
@task(queue_name="long")
def process_video(video_id: int, attempt: int) -> str:
    """Probe and transcode one attempt of a video; returns the video's final status."""
    video = video_process(video_id=video_id, attempt=attempt)
    return video.status if video is not None else "deleted"


@task(queue_name="default")
def clean_upload_sessions() -> int:
    """Remove idle resumable uploads and their bytes; returns how many were removed."""
    return upload_sessions_clean()


def video_process_later(video: Video) -> None:
    """Queue the processing of the video's current attempt once the transaction commits."""
    video_id, attempt = video.pk, video.attempt
    # After commit: a rolled-back request must never start a job for a row that is not there.
    transaction.on_commit(partial(process_video.enqueue, video_id, attempt))


def video_create_and_process(
    *,
    title: str,
    file: IO[bytes] | File,
    filename: str = "",
    created_by: AbstractBaseUser | None = None,
) -> Video:
    """Store an uploaded source (`video_create`) and queue its processing after commit."""
    return video_create(
        title=title,
        file=file,
        filename=filename,
        created_by=created_by,
        on_new_attempt=video_process_later,
    )


def upload_complete_and_process(*, session: UploadSession) -> Video:
    """Turn a finished resumable upload into a video (`upload_complete`) and queue its
    processing after commit."""
    return upload_complete(session=session, on_new_attempt=video_process_later)


def video_retry_and_process(*, video: Video, force: bool = False) -> Video:
    """Start a new attempt (`video_retry`) and, when one began, queue it after commit."""
    return video_retry(video=video, force=force, on_new_attempt=video_process_later)


def videos_requeue_orphaned_and_process(*, live_worker_ids: Iterable[str]) -> RequeueResult:
    """Re-queue the videos of dead workers (`videos_requeue_orphaned`), each new attempt's
    job enqueued once its own transaction commits."""
    return videos_requeue_orphaned(
        live_worker_ids=live_worker_ids, on_new_attempt=video_process_later
    )
