"""Reads of the video pipeline used by more than one page: progress for the admin's live
bar and the API, delivery URLs, when a person was first sent a video."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from media.models import Video, VideoDelivery
from media.services import video_is_stale


@dataclass(frozen=True)
class VideoProgress:
    status: str
    label: str
    percent: float
    eta_seconds: int | None
    eta_text: str
    finished: bool
    stale: bool
    failure_reason: str


def format_eta(seconds: int | None) -> str:
    """“About 3 minutes left”, rounded up so it never promises too much."""
    if seconds is None:
        return ""
    if seconds < 60:
        return _("Less than a minute left")
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("About %(n)d minute left", "About %(n)d minutes left", minutes) % {
            "n": minutes
        }
    hours = round(minutes / 60)
    return ngettext("About %(n)d hour left", "About %(n)d hours left", hours) % {"n": hours}


def video_progress(video: Video, *, now: datetime | None = None) -> VideoProgress:
    now = now or timezone.now()
    running = video.status in (Video.Status.PROBING, Video.Status.TRANSCODING)
    eta = None
    if running and video.progress_eta is not None:
        eta = max(0, round((video.progress_eta - now).total_seconds()))
    finished = video.status in (Video.Status.READY, Video.Status.FAILED)
    return VideoProgress(
        status=video.status,
        label=str(video.get_status_display()),
        percent=round(100.0 if video.status == Video.Status.READY else video.progress, 1),
        eta_seconds=eta,
        eta_text=format_eta(eta) if video.status == Video.Status.TRANSCODING else "",
        finished=finished,
        stale=running and video_is_stale(video),
        failure_reason=video.failure_reason,
    )


def video_master_url(video: Video) -> str | None:
    if video.status != Video.Status.READY or not video.master_playlist:
        return None
    return reverse("media:hls", kwargs={"video_id": video.pk, "path": "master.m3u8"})


def video_poster_url(video: Video) -> str | None:
    if not video.poster:
        return None
    return reverse("media:poster", kwargs={"video_id": video.pk})


def video_thumbnails_url(video: Video) -> str | None:
    if not video.thumbnails_vtt:
        return None
    return reverse("media:thumbs", kwargs={"video_id": video.pk, "path": "thumbnails.vtt"})


def video_first_deliveries(*, user: Any, video_ids: Iterable[int]) -> dict[int, datetime]:
    """Per video, when `user` was first sent its playlists; videos never sent are absent."""
    return dict(
        VideoDelivery.objects.filter(user_id=user.pk, video_id__in=list(video_ids)).values_list(
            "video_id", "first_delivered_at"
        )
    )
