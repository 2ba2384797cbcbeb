"""Why a source is refused: first-byte signatures, the probe's facts against the limits,
the decode check, and the refusals' translated messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from media.ffmpeg.probe import ProbeFacts, input_guard_args, looks_like_container

# ffprobe happily "opens" text files (as ANSI art) and single pictures; none is a video.
_NOT_VIDEO_FORMATS = {"tty", "image2", "lrc", "srt", "ass", "webvtt", "subviewer", "mpl2"}
_STILL_IMAGE_CODECS = {"png", "mjpeg", "bmp", "webp", "tiff", "jpeg2000", "gif", "ansi"}

MIN_DURATION = 0.5  # seconds; a single frame or an empty track is not a lesson
ABSURD_DURATION = 7 * 24 * 3600.0  # a header claiming a week is lying

REJECTION_MESSAGES: dict[str, Any] = {
    "not_media": _(
        "This file is not a video Onramp can read. Upload a video file such as MP4, MOV, "
        "MKV or WebM."
    ),
    "still_image": _("This file is a still picture, not a video."),
    "audio_only": _("This file has sound but no picture. Upload a video, not an audio recording."),
    "truncated": _(
        "This video file is incomplete or damaged; it may have been cut off while it was "
        "copied or uploaded. Upload the original file again."
    ),
    "undecodable": _(
        "This video uses a format (%(codec)s) that Onramp cannot decode. Export it again "
        "as an H.264 MP4 and upload that."
    ),
    "zero_duration": _("This video has no playable length."),
    "absurd_duration": _(
        "This video reports an impossible length (%(duration)s); the file is probably damaged."
    ),
    "too_long": _("This video is %(duration)s long; the limit is %(limit)s."),
    "too_large": _(
        "This video is %(width)d×%(height)d pixels; the limit is %(limit)d pixels on a side."
    ),
    "file_too_big": _("This file is %(size)s; the limit is %(limit)s."),
    "transcode_failed": _(
        "Converting the video for playback failed. The technical log was kept for the "
        "administrator; try again, or export the video again and upload it."
    ),
    "stalled": _("Processing stopped making progress and was cancelled. Try again."),
    "probe_timeout": _(
        "Reading this file took longer than %(seconds)d seconds and was stopped. It may be "
        "damaged, or not a plain video file. Export it again as an MP4 (H.264) and upload "
        "that."
    ),
    "transcode_timeout": _(
        "Converting this video took longer than %(limit)s and was stopped. Try again when "
        "the server is less busy, or upload a shorter or smaller video."
    ),
    "worker_lost": _(
        "Processing was interrupted %(count)d times because the background worker stopped "
        "(for example, it ran out of memory on this file). Upload a smaller video, or ask "
        "the administrator to look at the worker."
    ),
    "internal_error": _(
        "Something went wrong while processing this video. Try again; if it fails again, "
        "contact the administrator."
    ),
}


@dataclass(frozen=True)
class Rejection:
    """Why a source cannot become a lesson video, kept as a code so it is shown in the
    reader's language rather than the worker's."""

    code: str
    params: dict[str, Any]

    @property
    def message(self) -> str:
        return rejection_message(self.code, self.params)


def rejection_message(code: str, params: Mapping[str, Any] | None = None) -> str:
    template = REJECTION_MESSAGES.get(code) or REJECTION_MESSAGES["internal_error"]
    text = str(template)
    try:
        return text % dict(params or {}) if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return str(REJECTION_MESSAGES["internal_error"])


def format_duration(seconds: float) -> str:
    """H:MM:SS, the way people write video lengths in both languages."""
    total = round(seconds)
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"


def format_size(size: int) -> str:
    if size >= 1024**3:
        return gettext("%(value).1f GB") % {"value": size / 1024**3}
    return gettext("%(value).1f MB") % {"value": size / 1024**2}


def classify_probe_failure(head: bytes) -> Rejection:
    """ffprobe could not open the file at all: damaged if it looks like a video."""
    return Rejection("truncated" if looks_like_container(head) else "not_media", {})


def validate_probe(facts: ProbeFacts, *, max_duration: float, max_side: int) -> Rejection | None:
    """The first reason this source cannot become a lesson video, or None."""
    if facts.format_name in _NOT_VIDEO_FORMATS or facts.format_name.endswith("_pipe"):
        if facts.format_name == "image2" or facts.format_name.endswith("_pipe"):
            return Rejection("still_image", {})
        return Rejection("not_media", {})
    video = facts.video
    if video is None:
        return Rejection("audio_only" if facts.audio is not None else "not_media", {})
    if video.codec in _STILL_IMAGE_CODECS and (video.frames or 0) <= 1:
        return Rejection("still_image" if video.codec != "ansi" else "not_media", {})
    if not video.codec or video.codec in ("none", "unknown"):
        return Rejection("undecodable", {"codec": video.codec_tag or "?"})
    duration = facts.duration
    if duration is None or duration < MIN_DURATION:
        return Rejection("zero_duration", {})
    if duration > ABSURD_DURATION:
        return Rejection("absurd_duration", {"duration": format_duration(duration)})
    if duration > max_duration:
        return Rejection(
            "too_long",
            {"duration": format_duration(duration), "limit": format_duration(max_duration)},
        )
    if video.width <= 0 or video.height <= 0:
        return Rejection("truncated", {})
    if max(video.width, video.height) > max_side:
        return Rejection(
            "too_large", {"width": video.width, "height": video.height, "limit": max_side}
        )
    return None


def decode_check_args(*, source: str, stream_index: int, seek: float | None) -> list[str]:
    """Decode one frame (at `seek` seconds, or the first) and print its checksum.

    ffprobe trusts an index that promises more than the file holds (a moov-first MP4 cut
    in half probes fine), so we decode a frame at the start and one near the end.
    """
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"]
    if seek is not None:
        args += ["-ss", f"{seek:.3f}"]
    return [
        *args,
        *input_guard_args(),
        "-i",
        source,
        "-map",
        f"0:{stream_index}",
        "-frames:v",
        "1",
        "-f",
        "framecrc",
        "-",
    ]


def decoded_a_frame(framecrc_output: str) -> bool:
    return any(line and not line.startswith("#") for line in framecrc_output.splitlines())


def classify_decode_failure(stderr: str) -> Rejection:
    if "Decoder (codec" in stderr and "not found" in stderr:
        match = re.search(r"Decoder \(codec (\w+)\)", stderr)
        return Rejection("undecodable", {"codec": match.group(1) if match else "?"})
    return Rejection("truncated", {})


# First bytes of files people mistake for videos. A picture or a sound file gets the
# specific reason without ffprobe ever reading it.
_IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_AUDIO_SIGNATURES = (b"ID3", b"fLaC", b"#!AMR", b"MThd")


def _is_mpeg_audio(head: bytes) -> bool:
    # An MP3 frame or an ADTS (raw AAC) header: eleven set bits of frame sync.
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0


def refuse_by_signature(head: bytes) -> Rejection | None:
    """Why a file whose first bytes are not those of a video container is refused, or None.

    Checked before ffprobe ever opens the file: ffprobe guesses formats from content, and
    some of its guesses do work we never want on an upload. A text HLS playlist named
    `.mp4` is "opened" as a live stream whose segments ffprobe then waits for, forever.
    """
    if looks_like_container(head):
        return None
    if head.startswith(_IMAGE_SIGNATURES) or (head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        return Rejection("still_image", {})
    if head.startswith(_AUDIO_SIGNATURES) or _is_mpeg_audio(head):
        return Rejection("audio_only", {})
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return Rejection("audio_only", {})
    return Rejection("not_media", {})
