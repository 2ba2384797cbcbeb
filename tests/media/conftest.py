"""Tiny clips made by ffmpeg once per session, and a data dir per test."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from media.models import Video


# name → (extension, ffmpeg arguments between the global options and the output file).
# Low resolution and a few seconds each: the whole media suite stays well under two minutes.
_X264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
_AAC = ("-c:a", "aac", "-b:a", "64k")


def _video(spec: str) -> tuple[str, ...]:
    return ("-f", "lavfi", "-i", spec)


def _sine(extra: str = "") -> tuple[str, ...]:
    return ("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000{extra}")


def _recipe(extension: str, *parts: tuple[str, ...] | list[str]) -> tuple[str, list[str]]:
    return extension, [arg for part in parts for arg in part]


CLIP_RECIPES: dict[str, tuple[str, list[str]]] = {
    # 854×480 gives a two-rung ladder (480p, 360p); 5 s gives a 4 s and a 1 s segment.
    "landscape": _recipe(
        "mp4",
        _video("testsrc2=size=854x480:rate=30:duration=5"),
        _sine(),
        _X264,
        _AAC,
        ["-ac", "2", "-shortest"],
    ),
    "small": _recipe(
        "mp4",
        _video("testsrc2=size=320x180:rate=30:duration=2"),
        _sine(),
        _X264,
        _AAC,
        ["-shortest"],
    ),
    "landscape_640": _recipe(
        "mp4",
        _video("testsrc2=size=640x360:rate=30:duration=2"),
        _sine(),
        _X264,
        _AAC,
        ["-shortest"],
    ),
    "odd": _recipe(
        "mp4",
        _video("testsrc2=size=854x482:rate=25:duration=2,scale=853:481,setsar=1"),
        _sine(),
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"],
        _AAC,
        ["-shortest"],
    ),
    # Frames dropped in an irregular pattern, timestamps kept: variable frame rate.
    "vfr": _recipe(
        "mp4",
        _video(
            "testsrc2=size=320x180:rate=30:duration=3,"
            "select='not(eq(mod(n\\,5)\\,1)+eq(mod(n\\,7)\\,3))'"
        ),
        _sine(),
        _X264,
        ["-fps_mode", "vfr"],
        _AAC,
        ["-shortest"],
    ),
    "no_audio": _recipe("mp4", _video("testsrc2=size=320x180:rate=30:duration=2"), _X264),
    "surround": _recipe(
        "mkv",
        _video("testsrc2=size=320x180:rate=30:duration=2"),
        _sine(",aformat=channel_layouts=5.1"),
        _X264,
        _AAC,
        ["-shortest"],
    ),
    "ten_bit_422": _recipe(
        "mov",
        _video("testsrc2=size=320x180:rate=30:duration=2"),
        _sine(),
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv422p10le"],
        _AAC,
        ["-shortest"],
    ),
    "sixty": _recipe(
        "mp4",
        _video("testsrc2=size=1280x720:rate=60:duration=1"),
        _sine(),
        _X264,
        _AAC,
        ["-shortest"],
    ),
    # What a phone records by default: 10-bit HLG HDR.
    "hdr_hlg": _recipe(
        "mp4",
        _video("testsrc2=size=320x180:rate=30:duration=1"),
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le"],
        ["-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc"],
    ),
    # A second and a half of black (a fade-in, a camera warming up) before the picture.
    "black_start": _recipe(
        "mp4",
        _video(
            "color=black:size=320x180:rate=30:duration=1.5[b];"
            "testsrc2=size=320x180:rate=30:duration=1.5[t];[b][t]concat=n=2:v=1:a=0"
        ),
        _X264,
    ),
    # For segment and GOP checks: two full 4 s segments, at NTSC's 29.97 fps.
    "long": _recipe(
        "mp4",
        _video("testsrc2=size=320x180:rate=30000/1001:duration=9"),
        _sine(),
        _X264,
        _AAC,
        ["-shortest"],
    ),
    "audio_only": _recipe("mp4", ("-f", "lavfi", "-i", "sine=duration=2"), _AAC),
    "one_frame": _recipe("mp4", _video("testsrc2=size=320x180:rate=30"), ["-frames:v", "1"], _X264),
    "still_image": _recipe("png", _video("testsrc2=size=320x180"), ["-frames:v", "1"]),
    "moov_first": _recipe(
        "mp4",
        _video("testsrc2=size=320x180:rate=30:duration=3"),
        _sine(),
        _X264,
        _AAC,
        ["-shortest", "-movflags", "+faststart"],
    ),
    "xvid_avi": _recipe(
        "avi",
        _video("testsrc2=size=320x180:rate=30:duration=2"),
        ["-c:v", "mpeg4", "-vtag", "XVID"],
    ),
}


class Clips:
    """Makes each clip on first use and keeps it for the session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, name: str) -> Path:
        return getattr(self, f"_{name}", None)() if hasattr(self, f"_{name}") else self._make(name)

    def _make(self, name: str) -> Path:
        extension, args = CLIP_RECIPES[name]
        path = self.folder / f"{name}.{extension}"
        if not path.exists():
            subprocess.run(
                [
                    "ffmpeg",
                    "-hide_banner",
                    "-nostdin",
                    "-loglevel",
                    "error",
                    "-y",
                    *args,
                    str(path),
                ],
                check=True,
            )
        return path

    def _portrait(self) -> Path:
        """A phone held upright: landscape pixels plus a display matrix (set on a remux;
        ffmpeg 5.1 drops the rotate tag when it encodes)."""
        path = self.folder / "portrait.mp4"
        if not path.exists():
            subprocess.run(
                [
                    *("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"),
                    *("-i", str(self._make("landscape_640")), "-c", "copy"),
                    *("-metadata:s:v:0", "rotate=90", str(path)),
                ],
                check=True,
            )
        return path

    # Damaged files are made from good ones.
    def _text_as_mp4(self) -> Path:
        path = self.folder / "notes.mp4"
        path.write_text("These are my lesson notes, not a video.\n" * 50)
        return path

    def _truncated(self) -> Path:
        """moov first: ffprobe trusts the index, but the second half of the data is gone."""
        data = self._make("moov_first").read_bytes()
        path = self.folder / "truncated.mp4"
        path.write_bytes(data[: len(data) // 2])
        return path

    def _truncated_no_index(self) -> Path:
        """moov last (ffmpeg's default), cut before it: nothing says what the data is."""
        data = self._make("small").read_bytes()
        path = self.folder / "truncated_no_index.mp4"
        path.write_bytes(data[: len(data) // 2])
        return path

    def _undecodable(self) -> Path:
        """A valid AVI whose video FourCC names a codec ffmpeg has no decoder for."""
        data = self._make("xvid_avi").read_bytes()
        path = self.folder / "undecodable.avi"
        path.write_bytes(data.replace(b"XVID", b"QQQQ"))
        return path

    def _audio_as_mp4(self) -> Path:
        return self._make("audio_only")


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture(autouse=True)
def _media_data_dir(settings, tmp_path: Path) -> Path:
    """Temp transcode folders of a test go to its own data dir."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def ingest(clips: Clips) -> Callable[..., Video]:
    """Create, probe and transcode a clip synchronously, as `ingest_video` does."""
    from media.pipeline.transcode import video_transcode
    from media.services import video_create

    def run(name: str, **transcode_options) -> Video:
        path = clips(name)
        with path.open("rb") as stream:
            video = video_create(title=name, file=stream, filename=path.name)
        return video_transcode(video=video, **transcode_options)

    return run
