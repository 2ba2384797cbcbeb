"""The renditions a source is encoded to: sizes, frame rates, rate ceilings, H.264
levels and the CODECS strings players are told."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

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


def rung_playlist(rung: Rung) -> str:
    return f"{rung.name}/index.m3u8"
