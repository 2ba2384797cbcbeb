"""Ingest a video file from the command line, synchronously, without a task worker."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from media.ffmpeg.validate import format_duration
from media.models import Video
from media.pipeline.probe import video_probe
from media.pipeline.transcode import video_transcode
from media.services import video_create

logger = logging.getLogger(__name__)


class ProgressBar:
    """A one-line bar on a terminal; whole-ten percent lines when stderr is a file."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.tty = out.isatty()
        self.last_draw = 0.0
        self.last_step = -1

    def update(self, percent: float, remaining: float | None) -> None:
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw < 0.1:
                return
            self.last_draw = now
            filled = round(self.WIDTH * percent / 100)
            eta = _("ETA %(time)s") % {"time": format_duration(remaining)} if remaining else ""
            bar = "█" * filled + "░" * (self.WIDTH - filled)
            self.out.write(f"\r{bar} {percent:5.1f}%  {eta}   ", ending="")
            self.out.flush()
        elif int(percent // 10) > self.last_step:
            self.last_step = int(percent // 10)
            self.out.write(f"{self.last_step * 10}%")

    def finish(self, percent: float) -> None:
        if self.tty:
            self.last_draw = 0.0
            self.update(percent, None)
            self.out.write("")
        else:
            self.out.write(f"{percent:.0f}%")


class Command(BaseCommand):
    help = (
        "Probe a video file and transcode it to the HLS ladder now, with a progress bar on "
        "stderr; prints one JSON object last on stdout. Exits non-zero for a rejected file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--title", default="", help="Title (default: the file name).")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="Message language (zh-hans or en)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        with translation.override(options["language"]):
            if not path.is_file():
                self._finish(None, _("File not found: %(path)s") % {"path": path})
            try:
                with path.open("rb") as stream:
                    video = video_create(
                        title=options["title"] or path.stem,
                        file=stream,
                        filename=path.name,
                    )
            except ValidationError as exc:
                self._finish(None, " ".join(exc.messages))
            try:
                video = self._process(video, path)
            except Exception:
                # The service has recorded the failure; still end with the JSON line.
                logger.exception("ingest of %s failed", path)
                video.refresh_from_db()
            self._finish(video, video.failure_reason)

    def _process(self, video: Video, path: Path) -> Video:
        self.stderr.write(_("Checking %(name)s …") % {"name": path.name})
        video = video_probe(video=video)
        if video.status == Video.Status.PROBING:
            self.stderr.write(
                _("Transcoding %(duration)s of %(width)d×%(height)d video …")
                % {
                    "duration": format_duration(video.duration or 0),
                    "width": video.width or 0,
                    "height": video.height or 0,
                }
            )
            bar = ProgressBar(self.stderr)
            video = video_transcode(video=video, on_progress=bar.update)
            bar.finish(video.progress)
        return video

    def _finish(self, video: Video | None, reason: str) -> None:
        result: dict[str, Any] = {"id": None, "status": Video.Status.FAILED.value}
        if video is not None:
            result = {
                "id": video.pk,
                "status": video.status,
                "duration": round(video.duration, 3) if video.duration is not None else None,
                "width": video.width,
                "height": video.height,
                "renditions": [
                    {"height": r.height, "bandwidth": r.bandwidth}
                    for r in video.renditions.order_by("-height")
                ],
                "master": reverse("media:hls", kwargs={"video_id": video.pk, "path": "master.m3u8"})
                if video.status == Video.Status.READY
                else None,
            }
        if result["status"] != Video.Status.READY:
            result["reason"] = reason or _("Processing did not finish.")
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if result["status"] != Video.Status.READY:
            raise CommandError(result["reason"], returncode=1)
