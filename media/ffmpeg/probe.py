"""Reading a source: what ffmpeg may open, ffprobe's arguments and the facts parsed
from what it prints. Pure functions, like the rest of `media.ffmpeg`."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from fractions import Fraction
from typing import Any

# --- probe facts --------------------------------------------------------------------

# Containers whose first bytes we recognise. A file that starts like one of these but
# cannot be opened was cut short or damaged; anything else is simply not a video.
_ISO_BMFF_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}


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
