"""Scrub thumbnails: the plan (one every few seconds, tiled into sheets), the sheets'
names and layout, and the WebVTT track that points into them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from media.ffmpeg.ladder import _even


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
