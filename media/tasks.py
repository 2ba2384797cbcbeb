"""Background jobs of the video pipeline: small functions that call services.

Enqueued with `transaction.on_commit` by the services (`video_create`, `video_retry`).
Arguments are ids, never objects: the job reads the current state when it runs, and the
attempt number lets a job that was superseded by a retry do nothing.
"""

from django_tasks import task

from media.services import video_process


@task()
def process_video(video_id: int, attempt: int) -> str:
    """Probe and transcode one attempt of a video; returns the video's final status."""
    video = video_process(video_id=video_id, attempt=attempt)
    return video.status if video is not None else "deleted"


@task()
def clean_upload_sessions() -> int:
    """Remove idle resumable uploads and their bytes; returns how many were removed."""
    from media.uploads import upload_sessions_clean

    return upload_sessions_clean()
