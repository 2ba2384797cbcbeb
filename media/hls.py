"""HLS playlists as text: parse what ffmpeg wrote, write the master ourselves.

ffmpeg's own master playlist guesses BANDWIDTH before the first segment exists; Apple's
authoring spec wants the peak and average measured over the real segments, which we only
know after the encode. Pure functions, like `media/ffmpeg/`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^",]*)')


def parse_attributes(text: str) -> dict[str, str]:
    """`BANDWIDTH=1,CODECS="a,b"` → {"BANDWIDTH": "1", "CODECS": "a,b"}."""
    return {key: value.strip('"') for key, value in _ATTRIBUTE.findall(text)}


@dataclass(frozen=True)
class Segment:
    duration: float
    uri: str


@dataclass(frozen=True)
class MediaPlaylist:
    target_duration: int
    segments: list[Segment]
    ended: bool
    playlist_type: str
    independent_segments: bool

    @property
    def duration(self) -> float:
        return sum(segment.duration for segment in self.segments)


def parse_media_playlist(text: str) -> MediaPlaylist:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise ValueError("not an M3U8 playlist")
    target = 0
    segments: list[Segment] = []
    pending: float | None = None
    ended = independent = False
    playlist_type = ""
    for line in lines[1:]:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            pending = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line.startswith("#EXT-X-PLAYLIST-TYPE:"):
            playlist_type = line.split(":", 1)[1]
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line == "#EXT-X-INDEPENDENT-SEGMENTS":
            independent = True
        elif not line.startswith("#"):
            if pending is None:
                raise ValueError(f"segment {line!r} has no #EXTINF")
            segments.append(Segment(pending, line))
            pending = None
    return MediaPlaylist(target, segments, ended, playlist_type, independent)


@dataclass(frozen=True)
class Variant:
    uri: str
    bandwidth: int
    average_bandwidth: int
    width: int
    height: int
    codecs: str
    frame_rate: Fraction


@dataclass(frozen=True)
class SubtitleTrack:
    uri: str
    language: str
    name: str
    default: bool = False


@dataclass
class MasterPlaylist:
    variants: list[dict[str, str]] = field(default_factory=list)
    variant_uris: list[str] = field(default_factory=list)
    media: list[dict[str, str]] = field(default_factory=list)
    independent_segments: bool = False


def parse_master_playlist(text: str) -> MasterPlaylist:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise ValueError("not an M3U8 playlist")
    result = MasterPlaylist()
    pending: dict[str, str] | None = None
    for line in lines[1:]:
        if line.startswith("#EXT-X-STREAM-INF:"):
            pending = parse_attributes(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MEDIA:"):
            result.media.append(parse_attributes(line.split(":", 1)[1]))
        elif line == "#EXT-X-INDEPENDENT-SEGMENTS":
            result.independent_segments = True
        elif not line.startswith("#"):
            if pending is None:
                raise ValueError(f"variant {line!r} has no #EXT-X-STREAM-INF")
            result.variants.append(pending)
            result.variant_uris.append(line)
            pending = None
    return result


def measure_bandwidth(segments: list[tuple[float, int]]) -> tuple[int, int]:
    """(peak, average) bit/s over (duration, bytes) segments, as BANDWIDTH and
    AVERAGE-BANDWIDTH mean them: the peak is the fastest single segment."""
    timed = [(duration, size) for duration, size in segments if duration > 0]
    if not timed:
        return 0, 0
    peak = max(size * 8 / duration for duration, size in timed)
    total = sum(duration for duration, _ in timed)
    average = sum(size for _, size in timed) * 8 / total
    return math.ceil(peak), math.ceil(average)


def _quote(value: str) -> str:
    return '"' + value.replace('"', "'").replace("\n", " ") + '"'


def start_variant_index(variants: list[Variant]) -> int:
    """Which variant a player starts on (the first listed): about 480p, so the first
    segment arrives quickly on mobile data and still looks acceptable."""
    if len(variants) <= 2:
        return min(range(len(variants)), key=lambda i: variants[i].bandwidth)
    return min(
        range(len(variants)), key=lambda i: abs(min(variants[i].width, variants[i].height) - 480)
    )


def build_master_playlist(variants: list[Variant], subtitles: list[SubtitleTrack]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for track in subtitles:
        lines.append(
            '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",'
            f"NAME={_quote(track.name)},LANGUAGE={_quote(track.language)},"
            f"DEFAULT={'YES' if track.default else 'NO'},AUTOSELECT=YES,FORCED=NO,"
            f"URI={_quote(track.uri)}"
        )
    if not variants:
        return "\n".join(lines) + "\n"
    first = start_variant_index(variants)
    rest = sorted((v for i, v in enumerate(variants) if i != first), key=lambda v: v.bandwidth)
    ordered = [variants[first], *rest]
    for variant in ordered:
        attributes = [
            f"BANDWIDTH={variant.bandwidth}",
            f"AVERAGE-BANDWIDTH={variant.average_bandwidth}",
            f"RESOLUTION={variant.width}x{variant.height}",
            f"CODECS={_quote(variant.codecs)}",
            f"FRAME-RATE={float(variant.frame_rate):.3f}",
        ]
        if subtitles:
            attributes.append('SUBTITLES="subs"')
        attributes.append("CLOSED-CAPTIONS=NONE")
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), variant.uri]
    return "\n".join(lines) + "\n"


def build_subtitle_playlist(*, duration: float, uri: str) -> str:
    """A one-segment WebVTT playlist covering the whole video."""
    return "\n".join(
        [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{max(1, math.ceil(duration))}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            f"#EXTINF:{duration:.3f},",
            uri,
            "#EXT-X-ENDLIST",
            "",
        ]
    )


_URI_ATTRIBUTE = re.compile(r'(URI=")([^"]*)(")')


def prefix_uris(text: str, prefix: str) -> str:
    """Put `prefix` before every relative URI of a playlist (URI lines and `URI="…"`
    attributes), leaving absolute ones alone. Delivery serves the master this way so the
    rest of the stream resolves under the run folder, whose URLs never change content."""

    def prefixed(uri: str) -> str:
        if not uri or "://" in uri or uri.startswith("/"):
            return uri
        return f"{prefix}{uri}"

    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            line = _URI_ATTRIBUTE.sub(lambda m: m[1] + prefixed(m[2]) + m[3], line)
        elif stripped:
            line = prefixed(stripped)
        lines.append(line)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")
