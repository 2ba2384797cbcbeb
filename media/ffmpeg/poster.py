"""The poster: where to look for one, at what size, the command that grabs a frame and
whether that frame is usable."""

from __future__ import annotations

from media.ffmpeg.ladder import Rung
from media.ffmpeg.probe import input_guard_args

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
