"""Recorded lessons: an uploaded source, what ffprobe found in it, and the HLS ladder made
from it. State changes live in `media/services.py` and `media/pipeline/`; these are only the records."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Storage layout, all under the default storage:
#   videos/<id>/source/<original name>      the upload, kept for re-transcoding
#   videos/<id>/hls/<run>/master.m3u8       playlists, segments, subtitle renditions
#   videos/<id>/images/<run>/poster.jpg     poster, thumbnail sprites and their VTT
#   videos/<id>/captions/<lang>-<n>.vtt     captions as uploaded (converted to WebVTT)
# <run> is the job id that produced the files: a new run never overwrites files a player
# may be reading, and the database switches to them only once they are all in place.


def video_prefix(video_id: int) -> str:
    return f"videos/{video_id}"


def video_source_upload_to(instance: Video, filename: str) -> str:
    return f"{video_prefix(instance.pk)}/source/{get_valid_filename(PurePosixPath(filename).name)}"


def caption_upload_to(instance: Caption, filename: str) -> str:
    return f"{video_prefix(instance.video_id)}/captions/{get_valid_filename(filename)}"


def _generated_upload_to(instance: Any, filename: str) -> str:  # pragma: no cover
    # Generated files are named by services.py; this only satisfies FileField.
    return f"{video_prefix(instance.pk)}/{filename}"


class VideoQuerySet(models.QuerySet["Video"]):
    def ready(self) -> VideoQuerySet:
        return self.filter(status=Video.Status.READY)

    def in_progress(self) -> VideoQuerySet:
        return self.filter(
            status__in=[Video.Status.UPLOADED, Video.Status.PROBING, Video.Status.TRANSCODING]
        )


class Video(models.Model):
    """A recorded lesson: one uploaded source file and the adaptive stream made from it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", pgettext_lazy("status", "Uploaded")
        PROBING = "probing", _("Checking")
        TRANSCODING = "transcoding", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=255)
    source = models.FileField(
        _("source file"), upload_to=video_source_upload_to, max_length=500, blank=True
    )
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    source_size = models.PositiveBigIntegerField(_("source size (bytes)"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    # The reason is stored as a code with parameters and rendered when read, so the
    # admin sees it in their own language, not the worker's.
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    failure_params = models.JSONField(_("failure details"), default=dict, blank=True)
    ffmpeg_log = models.TextField(
        _("ffmpeg log"), blank=True, help_text=_("The last lines ffmpeg printed before failing.")
    )

    probe = models.JSONField(_("probe facts"), default=dict, blank=True)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    rotation = models.PositiveSmallIntegerField(_("rotation"), default=0)
    has_audio = models.BooleanField(_("has audio"), null=True, blank=True)

    progress = models.FloatField(_("progress (%)"), default=0)
    progress_eta = models.DateTimeField(_("expected to finish at"), null=True, blank=True)
    # Doubles as the heartbeat of the job holding the video: a transcoding video whose
    # progress has not moved for minutes belongs to a dead worker.
    progress_updated_at = models.DateTimeField(_("progress updated at"), null=True, blank=True)

    master_playlist = models.FileField(
        _("master playlist"), upload_to=_generated_upload_to, max_length=500, blank=True
    )
    poster = models.FileField(
        _("poster"), upload_to=_generated_upload_to, max_length=500, blank=True
    )
    thumbnails_sprite = models.FileField(
        _("thumbnail sprite"), upload_to=_generated_upload_to, max_length=500, blank=True
    )
    thumbnails_vtt = models.FileField(
        _("thumbnail track"), upload_to=_generated_upload_to, max_length=500, blank=True
    )
    # MPEG-TS timestamp (90 kHz) of the first video frame, for captions' X-TIMESTAMP-MAP.
    hls_ts_offset = models.PositiveBigIntegerField(default=0, editable=False)

    # Idempotency: every (re)try gets a new attempt number and each run claims the video
    # with a fresh job id; a run whose attempt or job id no longer matches stops.
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    job_id = models.CharField(_("job id"), max_length=64, blank=True)
    # The task worker running the job, so a sweep can put the video back in the queue
    # when that worker dies; `requeues` counts how often that happened to this attempt.
    worker_id = models.CharField(_("worker"), max_length=200, blank=True)
    requeues = models.PositiveSmallIntegerField(_("times re-queued"), default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    processing_finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"], name="onramp_media_video_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def failure_reason(self) -> str:
        """Why the video failed, in the active language; empty when it did not."""
        from media.ffmpeg.validate import rejection_message  # the messages live with the rules

        if not self.failure_code:
            return ""
        return rejection_message(self.failure_code, self.failure_params)

    @property
    def hls_dir(self) -> str:
        """Storage folder of the published master playlist, "" before the first one."""
        return str(PurePosixPath(self.master_playlist.name).parent) if self.master_playlist else ""


class Rendition(models.Model):
    """One rung of a video's HLS ladder, as written into the master playlist."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="renditions")
    name = models.CharField(_("name"), max_length=20)  # "720p": the short side
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    bandwidth = models.PositiveIntegerField(
        _("peak bandwidth (bit/s)"), help_text=_("The fastest single segment.")
    )
    average_bandwidth = models.PositiveIntegerField(_("average bandwidth (bit/s)"))
    codecs = models.CharField(_("codecs"), max_length=100)
    frame_rate = models.CharField(_("frame rate"), max_length=20)  # exact, e.g. 30000/1001
    playlist = models.CharField(_("playlist"), max_length=500)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        ordering = ["video", "-height", "-width"]
        constraints = [
            models.UniqueConstraint("video", "name", name="onramp_media_rendition_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.video_id} {self.name}"


class Caption(models.Model):
    """Subtitles in one language, stored as WebVTT and offered as an HLS subtitle rendition."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(_("language"), max_length=20, help_text=_("e.g. zh-Hans, en"))
    label = models.CharField(_("label"), max_length=100)
    file = models.FileField(_("WebVTT file"), upload_to=caption_upload_to, max_length=500)
    is_default = models.BooleanField(_("on by default"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("caption")
        verbose_name_plural = _("captions")
        ordering = ["video", "language"]
        constraints = [
            models.UniqueConstraint(
                "video", "language", name="onramp_media_caption_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.video} ({self.label})"


class UploadSession(models.Model):
    """A resumable upload on its way in: chunks arrive in order into one file under
    DATA_DIR/tmp/uploads, then become a Video. Only the person who started it may add
    to it; idle sessions are removed with their bytes (`media.uploads`)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Uploading")
        COMPLETING = "completing", _("Finishing")
        COMPLETE = "complete", _("Complete")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=255)
    title = models.CharField(_("title"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    received = models.PositiveBigIntegerField(_("bytes received"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Moves with every accepted chunk: what "idle" is measured from.
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        indexes = [
            models.Index(fields=["status", "updated_at"], name="onramp_media_upload_idle"),
            models.Index(fields=["created_by", "status"], name="onramp_media_upload_user"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.received}/{self.size})"


class VideoDelivery(models.Model):
    """When a person was first sent a video's playlists, by the server's clock.

    Written once per person and video, never changed. Nobody can have played more of a
    video than the time since then allows, so the learning domain credits watched time
    against it (`lms/progress/events.py`) without media knowing anything of progress.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    video = models.ForeignKey(
        Video, verbose_name=_("video"), on_delete=models.CASCADE, related_name="+"
    )
    first_delivered_at = models.DateTimeField(_("first delivered at"), default=timezone.now)

    class Meta:
        verbose_name = _("video delivery")
        verbose_name_plural = _("video deliveries")
        constraints = [
            models.UniqueConstraint("user", "video", name="onramp_media_delivery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.video_id} → {self.user_id} at {self.first_delivered_at:%Y-%m-%d %H:%M}"
