"""A file that would make ffprobe or ffmpeg wait must not hold the task worker."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from media.models import Video
from media.pipeline import runner
from media.pipeline.probe import video_probe
from media.pipeline.transcode import video_transcode
from media.services import video_create

pytestmark = pytest.mark.django_db

RESCUE_AFTER = 20.0  # seconds; far beyond what a refusal or a timeout needs


def _child_pids() -> list[int]:
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            pids += [int(pid) for pid in (task / "children").read_text().split()]
    return pids


class Rescue:
    """Kills this test's own child processes if the code under test still waits after
    RESCUE_AFTER seconds: a regression then fails the test instead of hanging it."""

    fired = False


@contextlib.contextmanager
def rescued() -> Iterator[Rescue]:
    rescue = Rescue()
    done = threading.Event()

    def watch() -> None:
        if not done.wait(RESCUE_AFTER):
            rescue.fired = True
            for pid in _child_pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield rescue
    finally:
        done.set()
        thread.join()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def _upload(path: Path, name: str) -> Video:
    with path.open("rb") as stream:
        return video_create(title=name, file=stream, filename=name)


def test_a_live_hls_playlist_named_mp4_is_refused_at_once(tmp_path, silent_server):
    # What a screen recorder's "stream" export or a renamed .m3u8 looks like: a live
    # playlist (no ENDLIST) whose segment never arrives. ffprobe used to wait for it forever.
    playlist = tmp_path / "lesson.mp4"
    playlist.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-01-05T09:00:00.000+08:00\n"
        f"#EXTINF:4.000,\nhttp://127.0.0.1:{silent_server}/live/lesson_00000.ts\n"
    )
    assert 150 <= playlist.stat().st_size <= 250
    video = _upload(playlist, "lesson.mp4")

    started = time.monotonic()
    with rescued() as rescue:
        video = video_transcode(video=video)
    elapsed = time.monotonic() - started

    assert not rescue.fired, "the pipeline waited on the playlist's segment"
    assert elapsed < 5
    assert video.status == Video.Status.FAILED
    assert video.failure_code == "not_media"
    with translation.override("en"):
        assert video.failure_reason.startswith("This file is not a video Onramp can read.")
    assert not default_storage.exists(f"videos/{video.pk}/hls")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 200, "not_media"),  # a zip
        (b"<!DOCTYPE html><html><body>Video</body></html>", "not_media"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 50, "audio_only"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 200, "audio_only"),
    ],
)
def test_files_that_are_not_containers_never_reach_ffprobe(tmp_path, monkeypatch, content, code):
    def forbidden(args, *more, **kwargs):
        raise AssertionError(f"{args[0]} ran on a file that is not a container")

    monkeypatch.setattr("subprocess.Popen", forbidden)
    path = tmp_path / "upload.mp4"
    path.write_bytes(content)
    video = video_probe(video=_upload(path, "upload.mp4"))
    assert video.status == Video.Status.FAILED and video.failure_code == code


def test_a_source_that_stalls_ffprobe_times_out_and_leaves_nothing(clips, settings):
    """A read that never ends (a stalled network disk, a FIFO): ffprobe is stopped."""
    settings.FFPROBE_TIMEOUT = 2
    data = clips("small").read_bytes()
    video = _upload(clips("small"), "small.mp4")
    source = Path(default_storage.path(video.source.name))
    source.unlink()
    os.mkfifo(source)
    # Opened for reading and writing: readers find the container's first bytes and then
    # wait for more, as long as this descriptor is open.
    fifo = os.open(source, os.O_RDWR | os.O_NONBLOCK)
    try:
        os.write(fifo, data[:60_000])
        started = time.monotonic()
        with rescued() as rescue:
            video = video_transcode(video=video)
        elapsed = time.monotonic() - started
        leftovers = _child_pids()
    finally:
        os.close(fifo)

    assert not rescue.fired, "ffprobe was left waiting"
    assert elapsed < 2 + 5
    assert leftovers == [], "ffprobe's process was not stopped"
    assert video.status == Video.Status.FAILED
    assert video.failure_code == "probe_timeout"
    with translation.override("en"):
        assert video.failure_reason.startswith(
            "Reading this file took longer than 2 seconds and was stopped."
        )
    work = Path(settings.DATA_DIR) / "tmp" / "videos" / str(video.pk)
    assert not work.exists() or not any(work.iterdir())
    assert not default_storage.exists(f"videos/{video.pk}/hls")


def test_a_transcode_past_its_deadline_is_stopped_and_nothing_is_published(ingest, settings):
    settings.FFMPEG_TIMEOUT_MIN = 0.3
    settings.FFMPEG_TIMEOUT_PER_SECOND = 0
    video = ingest("landscape")
    assert video.status == Video.Status.FAILED
    assert video.failure_code == "transcode_timeout"
    with translation.override("en"):
        assert video.failure_reason.startswith(
            "Converting this video took longer than 0:00:00 and was stopped."
        )
    assert _child_pids() == []
    assert video.renditions.count() == 0 and not video.master_playlist
    assert not default_storage.exists(f"videos/{video.pk}/hls")
    work = Path(settings.DATA_DIR) / "tmp" / "videos" / str(video.pk)
    assert not work.exists() or not any(work.iterdir())


def test_a_small_mp4_made_by_ffmpeg_still_transcodes(ingest):
    video = ingest("small")
    assert video.status == Video.Status.READY and video.failure_code == ""


def test_the_worker_and_its_progress_are_recorded(ingest, monkeypatch):
    from lms.ops.models import WorkerHeartbeat  # the app that runs workers, above media

    monkeypatch.setattr(runner, "PROGRESS_WRITE_INTERVAL", 0)
    monkeypatch.setenv(runner.WORKER_ID_ENV, "host:1:abcdef")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    WorkerHeartbeat.objects.create(
        worker_id="host:1:abcdef",
        started_at=long_ago,
        seen_at=timezone.now(),
        task="media.tasks.process_video 1",
        task_started_at=long_ago,
        progress_at=long_ago,
    )
    video = ingest("long")
    assert video.status == Video.Status.READY
    assert video.worker_id == "host:1:abcdef"
    beat = WorkerHeartbeat.objects.get()
    assert beat.progress_at > long_ago + dt.timedelta(minutes=59)
    assert settings.ONRAMP_TASK_PROGRESS_HOOK == "lms.ops.services.worker_task_progress"
