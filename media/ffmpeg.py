"""What Onramp knows about ffmpeg, as pure functions: no subprocess, no files.

`media/services.py` runs the argument lists built here and feeds the parsers with what
ffprobe and ffmpeg print. Keeping this knowledge pure lets the tests check probing rules,
the ladder, the filter graph and the rate control without encoding anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# --- probe facts --------------------------------------------------------------------

# Containers whose first bytes we recognise. A file that starts like one of these but
# cannot be opened was cut short or damaged; anything else is simply not a video.
_ISO_BMFF_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}

# ffprobe happily "opens" text files (as ANSI art) and single pictures; none is a video.
_NOT_VIDEO_FORMATS = {"tty", "image2", "lrc", "srt", "ass", "webvtt", "subviewer", "mpl2"}
_STILL_IMAGE_CODECS = {"png", "mjpeg", "bmp", "webp", "tiff", "jpeg2000", "gif", "ansi"}

# Everything we encode is decimated or duplicated onto one of these grids; a VFR phone
# clip snaps to the rate it was shot at rather than to an odd average such as 29.87.
STANDARD_FRAME_RATES: tuple[Fraction, ...] = (
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
)
MAX_FRAME_RATE = Fraction(60)

HDR_TRANSFERS = {"smpte2084", "arib-std-b67"}


@dataclass(frozen=True)
class VideoStreamFacts:
    index: int
    codec: str  # "" when ffprobe has no decoder for the stream
    codec_tag: str
    profile: str
    coded_width: int
    coded_height: int
    sample_aspect: str
    rotation: int  # clockwise degrees a player turns the picture: 0, 90, 180 or 270
    width: int  # display size: square pixels, after rotation
    height: int
    fps: str  # the constant rate we encode at, e.g. "30000/1001"
    avg_fps: str
    r_fps: str
    vfr: bool
    pix_fmt: str
    bit_depth: int
    chroma: str
    frames: int | None
    color_transfer: str
    color_primaries: str
    hdr: bool
    duration: float | None = None  # the video track's own length; audio may run longer

    @property
    def frame_rate(self) -> Fraction:
        return Fraction(self.fps)


@dataclass(frozen=True)
class AudioStreamFacts:
    index: int
    codec: str
    channels: int
    channel_layout: str
    sample_rate: int


@dataclass(frozen=True)
class ProbeFacts:
    format_name: str
    duration: float | None
    size: int | None
    bit_rate: int | None
    video: VideoStreamFacts | None
    audio: AudioStreamFacts | None
    video_streams: int
    audio_streams: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProbeFacts:
        values = {f.name: data.get(f.name) for f in fields(cls)}
        if values["video"] is not None:
            values["video"] = VideoStreamFacts(**values["video"])
        if values["audio"] is not None:
            values["audio"] = AudioStreamFacts(**values["audio"])
        return cls(**values)


def looks_like_container(head: bytes) -> bool:
    """Whether the first bytes of a file are those of a video container we know."""
    if len(head) >= 8 and head[4:8] in _ISO_BMFF_BOXES:
        return True
    if head.startswith((b"\x1a\x45\xdf\xa3", b"FLV", b"OggS", b"\x00\x00\x01\xba")):
        return True
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return True
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):  # ASF / WMV
        return True
    # MPEG-TS: a sync byte every 188 bytes; M2TS (Blu-ray, AVCHD cameras) puts a 4-byte
    # timestamp before each packet.
    return any(
        len(head) > start + 2 * step
        and head[start] == head[start + step] == head[start + 2 * step] == 0x47
        for start, step in ((0, 188), (4, 192))
    )


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


# --- what ffmpeg may open ----------------------------------------------------------------

# The demuxers of the containers `looks_like_container` recognises, by ffmpeg's names
# (a name matches any one of a demuxer's names: "mov" is mov,mp4,m4a,3gp,3g2,mj2). Not
# hls, concat, image2 or any of the other "formats" that open further files or URLs.
ACCEPTED_FORMATS = ("mov", "matroska", "webm", "avi", "mpegts", "flv", "ogg", "asf", "mpeg")
# Local files only: no http, tcp, udp, rtmp, data:, pipe:, subfile or concat.
ACCEPTED_PROTOCOLS = ("file",)


def input_guard_args() -> list[str]:
    """Input options that keep ffmpeg and ffprobe to a local file in a container we accept."""
    return [
        "-protocol_whitelist",
        ",".join(ACCEPTED_PROTOCOLS),
        "-format_whitelist",
        ",".join(ACCEPTED_FORMATS),
    ]


def output_guard_args() -> list[str]:
    """Output options for the HLS muxer: it writes segments and playlists as local files."""
    return ["-protocol_whitelist", ",".join(ACCEPTED_PROTOCOLS)]


def probe_args(path: str) -> list[str]:
    """ffprobe's description of a source as JSON, for `parse_probe`."""
    return [
        "ffprobe",
        "-v",
        "error",
        *input_guard_args(),
        "-show_format",
        "-show_streams",
        "-of",
        "json",
        path,
    ]


def transcode_timeout(duration: float, *, floor: float, per_second: float) -> float:
    """Seconds the whole transcode may take: proportional to the length, never below
    `floor` (start-up, the poster and the sprite cost the same for a short clip)."""
    return max(float(floor), duration * per_second)


def _fraction(value: Any) -> Fraction | None:
    try:
        result = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return result if result > 0 else None


def _float(value: Any) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stream_duration(stream: Mapping[str, Any]) -> float | None:
    seconds = _float(stream.get("duration"))
    if seconds is None:
        # Matroska keeps per-track lengths in a "DURATION" tag: "00:01:02.500000000".
        tag = str((stream.get("tags") or {}).get("DURATION") or "")
        match = re.match(r"^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$", tag)
        if match:
            seconds = int(match.group(1)) * 3600 + int(match.group(2)) * 60 + float(match.group(3))
    return seconds if seconds and seconds > 0 else None


def _rotation(stream: Mapping[str, Any]) -> int:
    degrees: float | None = None
    for side_data in stream.get("side_data_list") or []:
        if "rotation" in side_data:
            # ffprobe reports the display matrix counter-clockwise.
            ccw = _float(side_data["rotation"])
            degrees = -ccw if ccw is not None else None
            break
    if degrees is None:
        # Older muxers wrote a clockwise "rotate" tag instead of a display matrix.
        degrees = _float((stream.get("tags") or {}).get("rotate"))
    if degrees is None:
        return 0
    return (round(degrees / 90) * 90) % 360


def _bit_depth_and_chroma(stream: Mapping[str, Any]) -> tuple[int, str]:
    pix_fmt = str(stream.get("pix_fmt") or "")
    depth = _int(stream.get("bits_per_raw_sample")) or 0
    if not depth:
        match = re.search(r"p(\d{2})(?:le|be)?$", pix_fmt)
        depth = int(match.group(1)) if match else (10 if pix_fmt.startswith("p010") else 8)
    if pix_fmt.startswith(("yuv420", "yuvj420", "nv12", "nv21", "p010", "p016")):
        chroma = "4:2:0"
    elif pix_fmt.startswith(("yuv422", "yuvj422", "nv16", "nv20", "y210", "uyvy", "yuyv")):
        chroma = "4:2:2"
    elif pix_fmt.startswith(("yuv444", "yuvj444", "gbr", "rgb", "bgr", "argb", "abgr")):
        chroma = "4:4:4"
    elif pix_fmt.startswith("gray"):
        chroma = "4:0:0"
    else:
        chroma = ""
    return depth, chroma


def _snap(rate: Fraction) -> Fraction | None:
    nearest = min(STANDARD_FRAME_RATES, key=lambda standard: abs(rate - standard))
    return nearest if abs(rate - nearest) / nearest < Fraction(1, 100) else None


def choose_frame_rate(r_fps: Fraction | None, avg_fps: Fraction | None) -> tuple[Fraction, bool]:
    """The constant rate to encode at, and whether the source is variable-rate.

    ffprobe's r_frame_rate is the base rate all timestamps fit on and avg_frame_rate the
    frames actually present; they differ for VFR sources (phones, screen recorders).
    """
    vfr = bool(r_fps and avg_fps and abs(r_fps - avg_fps) / r_fps > Fraction(2, 1000))
    if not vfr:
        rate = avg_fps or r_fps or Fraction(30)
        if rate > MAX_FRAME_RATE:
            # 120/240 fps slow-motion or 100 fps: keep every n-th frame, not a resample.
            rate = rate / math.ceil(rate / MAX_FRAME_RATE)
        return _snap(rate) or rate.limit_denominator(1001), False
    # A base rate that is itself a standard rate is the rate the clip was shot at.
    if r_fps is not None and (standard := _snap(r_fps)) is not None:
        return standard, True
    if avg_fps is not None:
        # Phones and screen recorders shoot VFR on integer clocks (30, 60), not NTSC.
        for standard in (s for s in STANDARD_FRAME_RATES if s.denominator == 1):
            if standard >= avg_fps * Fraction(99, 100):
                return standard, True
        return MAX_FRAME_RATE, True
    return Fraction(30), True


def parse_probe(data: Mapping[str, Any]) -> ProbeFacts:
    """Turn ffprobe's `-show_format -show_streams` JSON into the facts we act on."""
    fmt = data.get("format") or {}
    streams = list(data.get("streams") or [])
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]

    video_facts: VideoStreamFacts | None = None
    if videos:
        # The default stream if one is marked, else the first: what a player would show.
        v = next((s for s in videos if (s.get("disposition") or {}).get("default")), videos[0])
        coded_w = _int(v.get("width")) or 0
        coded_h = _int(v.get("height")) or 0
        sar = _fraction(str(v.get("sample_aspect_ratio") or "1:1").replace(":", "/"))
        display_w, display_h = coded_w, coded_h
        if sar and sar != 1:
            display_w = round(coded_w * sar)
        rotation = _rotation(v)
        if rotation in (90, 270):
            display_w, display_h = display_h, display_w
        r_fps = _fraction(v.get("r_frame_rate"))
        avg_fps = _fraction(v.get("avg_frame_rate"))
        fps, vfr = choose_frame_rate(r_fps, avg_fps)
        depth, chroma = _bit_depth_and_chroma(v)
        transfer = str(v.get("color_transfer") or "")
        video_facts = VideoStreamFacts(
            index=_int(v.get("index")) or 0,
            codec=str(v.get("codec_name") or ""),
            codec_tag=str(v.get("codec_tag_string") or ""),
            profile=str(v.get("profile") or ""),
            coded_width=coded_w,
            coded_height=coded_h,
            sample_aspect=f"{sar.numerator}:{sar.denominator}" if sar else "1:1",
            rotation=rotation,
            width=display_w,
            height=display_h,
            fps=str(fps),
            avg_fps=str(avg_fps or ""),
            r_fps=str(r_fps or ""),
            vfr=vfr,
            pix_fmt=str(v.get("pix_fmt") or ""),
            bit_depth=depth,
            chroma=chroma,
            frames=_int(v.get("nb_frames")),
            color_transfer=transfer,
            color_primaries=str(v.get("color_primaries") or ""),
            hdr=transfer in HDR_TRANSFERS,
            duration=_stream_duration(v),
        )

    audio_facts: AudioStreamFacts | None = None
    if audios:
        a = next((s for s in audios if (s.get("disposition") or {}).get("default")), audios[0])
        audio_facts = AudioStreamFacts(
            index=_int(a.get("index")) or 0,
            codec=str(a.get("codec_name") or ""),
            channels=_int(a.get("channels")) or 0,
            channel_layout=str(a.get("channel_layout") or ""),
            sample_rate=_int(a.get("sample_rate")) or 0,
        )

    duration = _float(fmt.get("duration"))
    if duration is None or duration <= 0:
        # Raw streams and some broken muxes only know per-stream durations.
        stream_durations = [d for s in streams if (d := _float(s.get("duration"))) is not None]
        duration = max(stream_durations, default=duration)
    return ProbeFacts(
        format_name=str(fmt.get("format_name") or ""),
        duration=duration,
        size=_int(fmt.get("size")),
        bit_rate=_int(fmt.get("bit_rate")),
        video=video_facts,
        audio=audio_facts,
        video_streams=len(videos),
        audio_streams=len(audios),
    )


# --- validation -----------------------------------------------------------------------

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


# --- the ladder -------------------------------------------------------------------------

SEGMENT_SECONDS = 4  # 4 s segments start fast on a phone; 2 s GOPs cut them exactly
GOP_SECONDS = 2
AUDIO_SAMPLE_RATE = 48000
AUDIO_CODECS = "mp4a.40.2"  # AAC-LC


@dataclass(frozen=True)
class RungSpec:
    """One row of the ladder: ceilings in the spirit of Apple's HLS authoring spec, for a
    16:9 frame at up to 30 fps. CRF sets the look; the ceiling only bites on hard scenes."""

    short_side: int
    maxrate: int  # bit/s
    audio_bitrate: int  # bit/s, AAC-LC stereo
    profile: str


LADDER: tuple[RungSpec, ...] = (
    RungSpec(1080, 6_000_000, 96_000, "high"),
    RungSpec(720, 3_000_000, 96_000, "high"),
    RungSpec(480, 1_200_000, 64_000, "main"),
    RungSpec(360, 600_000, 64_000, "main"),
)
SMALL_RUNG = RungSpec(0, 400_000, 64_000, "main")  # a source below 360p, at its own size
CRF = 23

# H.264 Annex A: level → (max macroblocks/s, max frame size in MBs, max bitrate kbit/s
# for Main; High allows 1.25×).
_H264_LEVELS: tuple[tuple[str, int, int, int], ...] = (
    ("3.0", 40_500, 1_620, 10_000),
    ("3.1", 108_000, 3_600, 14_000),
    ("3.2", 216_000, 5_120, 20_000),
    ("4.0", 245_760, 8_192, 20_000),
    ("4.1", 245_760, 8_192, 50_000),
    ("4.2", 522_240, 8_704, 50_000),
    ("5.0", 589_824, 22_080, 135_000),
    ("5.1", 983_040, 36_864, 240_000),
    ("5.2", 2_073_600, 36_864, 240_000),
)
_PROFILE_IDC = {"main": 0x4D, "high": 0x64}
# x264 sets constraint_set1 for Main (it is also a valid Extended/High stream), none for High.
_CONSTRAINT_FLAGS = {"main": 0x40, "high": 0x00}


@dataclass(frozen=True)
class Rung:
    name: str  # "720p": the short side, whatever the orientation
    width: int
    height: int
    fps: Fraction
    crf: int
    maxrate: int
    bufsize: int
    profile: str
    level: str
    audio_bitrate: int

    @property
    def gop(self) -> int:
        return max(1, round(self.fps * GOP_SECONDS))

    @property
    def video_codecs(self) -> str:
        level_idc = round(float(self.level) * 10)
        return (
            f"avc1.{_PROFILE_IDC[self.profile]:02x}"
            f"{_CONSTRAINT_FLAGS[self.profile]:02x}{level_idc:02x}"
        )

    def codecs(self, *, has_audio: bool) -> str:
        return f"{self.video_codecs},{AUDIO_CODECS}" if has_audio else self.video_codecs


def h264_level(*, width: int, height: int, fps: Fraction, maxrate: int, profile: str) -> str:
    """The lowest H.264 level the stream fits, so CODECS tells a phone the truth."""
    mbs = math.ceil(width / 16) * math.ceil(height / 16)
    mbps = mbs * fps
    longest_mbs = max(math.ceil(width / 16), math.ceil(height / 16))
    factor = 1.25 if profile == "high" else 1.0
    for level, max_mbps, max_fs, max_br in _H264_LEVELS:
        if (
            mbs <= max_fs
            and mbps <= max_mbps
            and longest_mbs**2 <= 8 * max_fs
            and maxrate <= max_br * 1000 * factor
        ):
            return level
    return _H264_LEVELS[-1][0]


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _even_floor(value: float) -> int:
    return max(2, 2 * math.floor(value / 2))


def choose_ladder(*, width: int, height: int, fps: Fraction) -> list[Rung]:
    """The renditions for a display size, largest first.

    Rungs are chosen by the short side so a portrait phone video keeps its orientation;
    never upscaled; a source below the smallest rung gets one rung at its own size.
    """
    short, long = min(width, height), max(width, height)
    portrait = height > width
    specs = [spec for spec in LADDER if spec.short_side <= short]
    if not specs:
        own = _even_floor(short)
        specs = [RungSpec(own, SMALL_RUNG.maxrate, SMALL_RUNG.audio_bitrate, SMALL_RUNG.profile)]
    rungs: list[Rung] = []
    for spec in specs:
        if spec.short_side >= short - 1:
            rung_long = _even_floor(long)
        else:
            # Round to even but never past the source: 853×481 → 852×480, not 854.
            rung_long = min(_even(long * spec.short_side / short), _even_floor(long))
        w, h = (spec.short_side, rung_long) if portrait else (rung_long, spec.short_side)
        # Halve 50/60 fps below 720p: small screens gain little from it and it costs bits.
        rung_fps = fps / 2 if fps > 31 and spec.short_side < 720 else fps
        # Ceilings follow the picture area (4:3 and ultra-wide frames are not starved)
        # and the frame rate (60 fps needs about half as many bits again, not twice).
        area = Fraction(w * h, _reference_area(spec.short_side))
        area = min(max(area, Fraction(1, 2)), Fraction(3, 2))
        maxrate = int(spec.maxrate * area * (Fraction(3, 2) if rung_fps > 31 else 1))
        rungs.append(
            Rung(
                name=f"{spec.short_side}p",
                width=w,
                height=h,
                fps=rung_fps,
                crf=CRF,
                maxrate=maxrate,
                bufsize=2 * maxrate,
                profile=spec.profile,
                level=h264_level(
                    width=w, height=h, fps=rung_fps, maxrate=maxrate, profile=spec.profile
                ),
                audio_bitrate=spec.audio_bitrate,
            )
        )
    return rungs


def _reference_area(short_side: int) -> int:
    return _even(short_side * 16 / 9) * short_side


# --- the one transcode command ----------------------------------------------------------

X264_PRESET = "veryfast"
X264_THREADS = 0  # per rung; 0 lets x264 choose

# zscale does the HDR → SDR tone mapping that swscale cannot; phones record HLG by default.
_TONEMAP = (
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
    "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv"
)


@dataclass(frozen=True)
class SpritePlan:
    """Scrub thumbnails: one every `interval` seconds, tiled into sheets."""

    interval: int
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def sheets(self) -> int:
        return math.ceil(self.count / self.per_sheet)


SPRITE_LONG_SIDE = 160
SPRITE_GRID = 10  # 10×10 tiles per sheet: one request covers 100 previews


def plan_sprite(*, duration: float, width: int, height: int) -> SpritePlan:
    # About 100 previews for a short lesson, never sparser than one per 10 s.
    interval = int(min(10, max(2, round(duration / 100))))
    count = max(1, math.ceil(duration / interval))
    if width >= height:
        tile_w, tile_h = SPRITE_LONG_SIDE, _even(SPRITE_LONG_SIDE * height / width)
    else:
        tile_w, tile_h = _even(SPRITE_LONG_SIDE * width / height), SPRITE_LONG_SIDE
    columns = min(SPRITE_GRID, count)
    rows = SPRITE_GRID if count > SPRITE_GRID * SPRITE_GRID else math.ceil(count / columns)
    return SpritePlan(interval, tile_w, tile_h, columns, rows, count)


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def sprite_sheet_name(number: int) -> str:
    return f"sprite_{number:03d}.jpg"


SPRITE_PATTERN = "sprite_%03d.jpg"
# ffmpeg writes single thumbnails; they are tiled into sheets after the encode. Tiling in
# ffmpeg (the tile filter) holds its first sheet back until 100 thumbnails exist, and
# ffmpeg 5.1 prints no -progress at all until every output has written something: the
# progress bar stood at 0 % and the stall watchdog killed hour-long talks.
THUMB_PATTERN = "thumb_%05d.jpg"
THUMB_GLOB = "thumb_*.jpg"


def sprite_position(plan: SpritePlan, n: int) -> tuple[int, int, int]:
    """Where thumbnail `n` (from 0) goes: (sheet number from 1, x, y)."""
    sheet, slot = divmod(n, plan.per_sheet)
    row, column = divmod(slot, plan.columns)
    return sheet + 1, column * plan.tile_width, row * plan.tile_height


def sprite_vtt(plan: SpritePlan, *, duration: float, sheets: int | None = None) -> str:
    """The WebVTT thumbnail track players use for scrubbing previews (`#xywh=`), limited
    to the sheets ffmpeg actually wrote."""
    lines = ["WEBVTT", ""]
    available = plan.per_sheet * (plan.sheets if sheets is None else sheets)
    for n in range(min(plan.count, available)):
        start = n * plan.interval
        if start >= duration:
            break
        end = min(duration, start + plan.interval)
        sheet, x, y = sprite_position(plan, n)
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"{sprite_sheet_name(sheet)}#xywh={x},{y},{plan.tile_width},{plan.tile_height}",
            "",
        ]
    return "\n".join(lines)


def rung_playlist(rung: Rung) -> str:
    return f"{rung.name}/index.m3u8"


def transcode_args(
    *,
    source: str,
    facts: ProbeFacts,
    rungs: list[Rung],
    hls_dir: str,
    sprite: SpritePlan | None = None,
    sprite_dir: str = "",
    preset: str = X264_PRESET,
    threads: int = X264_THREADS,
) -> list[str]:
    """One ffmpeg process: decode once, split to every rung (and the sprite), encode, segment.

    Each rung is its own HLS output with muxed AAC so any player plays any variant alone;
    the master playlist is written by us afterwards from measured segment sizes, because
    ffmpeg's own BANDWIDTH is a guess made before the first segment exists.
    """
    video = facts.video
    if video is None or not rungs:
        raise ValueError("transcode_args needs a video stream and at least one rung")
    audio = facts.audio
    fps = video.frame_rate
    branches = len(rungs) + (1 if sprite else 0)
    labels = "".join(f"[s{i}]" for i in range(branches))
    # A constant rate first: VFR input would give uneven segments and GOPs that drift
    # apart between rungs; the fps filter also reads autorotated frames, so rotation
    # metadata is applied once, before the split.
    graph = [f"[0:{video.index}]fps={fps},split={branches}{labels}"]
    for i, rung in enumerate(rungs):
        steps = [] if rung.fps == fps else [f"fps={rung.fps}"]
        if video.hdr:
            steps += [f"zscale=w={rung.width}:h={rung.height}", _TONEMAP]
        else:
            steps.append(f"scale={rung.width}:{rung.height}:flags=bicubic")
        steps += ["setsar=1", "format=yuv420p"]
        graph.append(f"[s{i}]{','.join(steps)}[v{i}]")
    if sprite:
        # JPEG wants full range; converting here avoids swscale's "deprecated pixel
        # format" path that yuvj420p takes.
        graph.append(
            f"[s{branches - 1}]fps=1/{sprite.interval},"
            f"scale={sprite.tile_width}:{sprite.tile_height}:out_range=full,setsar=1,"
            f"format=yuv420p[thumbs]"
        )
    if audio:
        alabels = "".join(f"[a{i}]" for i in range(len(rungs)))
        # async=1 pads gaps with silence so audio stays in sync with the CFR video; the
        # aformat downmixes 5.1 (and upmixes mono) to the stereo every variant shares.
        graph.append(
            f"[0:{audio.index}]aresample={AUDIO_SAMPLE_RATE}:async=1,"
            f"aformat=sample_fmts=fltp:sample_rates={AUDIO_SAMPLE_RATE}:channel_layouts=stereo,"
            f"asplit={len(rungs)}{alabels}"
        )

    args = [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "warning",
        "-nostats",
        "-progress",
        "pipe:1",
        *input_guard_args(),
        "-i",
        source,
        "-filter_complex",
        ";".join(graph),
    ]
    for i, rung in enumerate(rungs):
        rung_dir = f"{hls_dir}/{rung.name}"
        args += ["-map", f"[v{i}]"]
        if audio:
            args += ["-map", f"[a{i}]"]
        args += [
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "-c:v",
            "libx264",
            "-preset",
            preset,
            "-profile:v",
            rung.profile,
            "-level:v",
            rung.level,
            "-pix_fmt",
            "yuv420p",
            "-crf",
            str(rung.crf),
            "-maxrate",
            str(rung.maxrate),
            "-bufsize",
            str(rung.bufsize),
            # Closed 2 s GOPs at the same instants in every rung, no scene-cut keyframes,
            # so a player can switch rungs at any segment boundary.
            "-g",
            str(rung.gop),
            "-keyint_min",
            str(rung.gop),
            "-sc_threshold",
            "0",
            "-flags",
            "+cgop",
            "-force_key_frames",
            f"expr:gte(t,n_forced*{GOP_SECONDS})",
        ]
        if threads:
            args += ["-threads:v", str(threads)]
        if audio:
            args += [
                "-c:a",
                "aac",
                "-b:a",
                str(rung.audio_bitrate),
                "-ac",
                "2",
                "-ar",
                str(AUDIO_SAMPLE_RATE),
            ]
        args += [
            # x264's lookahead holds video back while audio is ready at once; the default
            # queue of 128 packets overflows on 60 fps sources.
            "-max_muxing_queue_size",
            "4096",
            "-f",
            "hls",
            "-hls_time",
            str(SEGMENT_SECONDS),
            "-hls_playlist_type",
            "vod",
            "-hls_segment_type",
            "mpegts",
            "-hls_flags",
            "independent_segments",
            "-hls_segment_filename",
            f"{rung_dir}/seg_%05d.ts",
            *output_guard_args(),
            f"{rung_dir}/index.m3u8",
        ]
    if sprite:
        args += [
            "-map",
            "[thumbs]",
            "-map_metadata",
            "-1",
            "-fps_mode",
            "passthrough",
            "-c:v",
            "mjpeg",
            "-q:v",
            "5",
            "-strict",
            "unofficial",
            "-f",
            "image2",
            "-start_number",
            "1",
            f"{sprite_dir}/{THUMB_PATTERN}",
        ]
    return args


# --- progress ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    out_time: float  # seconds of output written
    speed: float | None  # × realtime
    done: bool


class ProgressParser:
    """Reads ffmpeg's `-progress` key=value lines; a block ends with `progress=…`."""

    def __init__(self) -> None:
        self._block: dict[str, str] = {}

    def feed(self, line: str) -> Progress | None:
        key, sep, value = line.strip().partition("=")
        if not sep:
            return None
        self._block[key] = value
        if key != "progress":
            return None
        block, self._block = self._block, {}
        # out_time_ms is in microseconds too (an old ffmpeg naming mistake kept for
        # compatibility); both are "N/A" before the first packet is written.
        micros = _int(block.get("out_time_us")) or _int(block.get("out_time_ms")) or 0
        speed = _float(block.get("speed", "").rstrip("x"))
        return Progress(out_time=max(0.0, micros / 1_000_000), speed=speed, done=value == "end")


def progress_percent(out_time: float, duration: float) -> float:
    """Share of the encode done, kept below 100 until the result is published."""
    if duration <= 0:
        return 0.0
    return round(min(99.0, max(0.0, out_time / duration * 100)), 1)


def estimate_remaining(*, elapsed: float, percent: float) -> float | None:
    """Seconds left, once there is enough progress for the estimate to mean something."""
    if percent < 2 or elapsed <= 0:
        return None
    return max(0.0, elapsed * (100 - percent) / percent)


# --- poster -----------------------------------------------------------------------------

POSTER_WINDOW = 3.0  # seconds the thumbnail filter compares frames over
POSTER_SAMPLE_FPS = 4


def poster_positions(duration: float) -> list[float]:
    """Where to look for a poster, best guess first: 10 % in skips titles and fade-ins."""
    return [round(duration * share, 3) for share in (0.1, 0.25, 0.5, 0.75)]


def poster_size(rungs: list[Rung]) -> tuple[int, int]:
    """The largest rung up to 720p: sharp on a phone, small enough to load first."""
    for rung in rungs:
        if min(rung.width, rung.height) <= 720:
            return rung.width, rung.height
    return rungs[-1].width, rungs[-1].height


def poster_args(
    *,
    source: str,
    stream_index: int,
    at: float,
    duration: float,
    width: int,
    height: int,
    out: str,
) -> list[str]:
    """A representative frame near `at`: the `thumbnail` filter picks the frame closest to
    the average of a short window, which skips flashes and single black frames."""
    window = max(0.5, min(POSTER_WINDOW, duration - at))
    frames = max(2, round(window * POSTER_SAMPLE_FPS))
    return [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-ss",
        f"{at:.3f}",
        "-t",
        f"{window:.3f}",
        *input_guard_args(),
        "-i",
        source,
        "-map",
        f"0:{stream_index}",
        "-vf",
        f"fps={POSTER_SAMPLE_FPS},scale={width}:{height}:out_range=full,setsar=1,"
        f"thumbnail=n={frames},format=yuv420p",
        "-frames:v",
        "1",
        "-c:v",
        "mjpeg",
        "-q:v",
        "3",
        "-strict",
        "unofficial",
        out,
    ]


def poster_is_usable(*, mean: float, stddev: float) -> bool:
    """A poster must not be a black, white or flat frame (luma mean/stddev on 0–255)."""
    return 24 <= mean <= 240 and stddev >= 8


def probe_first_pts_args(path: str) -> list[str]:
    """The first video timestamp of a segment, for captions' X-TIMESTAMP-MAP."""
    return [
        "ffprobe",
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=start_pts,start_time",
        "-of",
        "json",
        *input_guard_args(),
        path,
    ]
