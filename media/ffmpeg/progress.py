"""Reading ffmpeg's `-progress` output: how far the encode is and how long is left."""

from __future__ import annotations

from dataclasses import dataclass

from media.ffmpeg.probe import _float, _int


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
