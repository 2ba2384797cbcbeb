"""Running ffmpeg for a video: claiming the run, short steps under a timeout, the long
transcode under a watchdog with progress writes, failing a run, and the guard that
every step runs in."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from media.ffmpeg import progress, validate
from media.models import Video

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, float | None], None]

PROGRESS_WRITE_INTERVAL = 1.0  # seconds between progress writes (and liveness checks)
STALL_SECONDS = 300  # ffmpeg printing no progress for this long is killed
LOG_TAIL_LINES = 30
WORKER_ID_ENV = "ONRAMP_WORKER_ID"  # set by the task worker (lms.ops.services.worker_become)


def claim_run(
    video: Video,
    *,
    attempt: int,
    statuses: Iterable[str],
    to_status: str,
    require_probe: bool = False,
) -> str | None:
    """Make this run the owner of the video; None when the attempt is not ours to run."""
    token = uuid.uuid4().hex
    now = timezone.now()
    query = Video.objects.filter(pk=video.pk, attempt=attempt, status__in=list(statuses))
    if require_probe:
        query = query.filter(duration__isnull=False)
    claimed = query.update(
        status=to_status,
        job_id=token,
        worker_id=_worker_id(),
        progress=0,
        progress_eta=None,
        progress_updated_at=now,
        processing_started_at=now,
        updated_at=now,
    )
    return token if claimed else None


def update_if_current(video_id: int, token: str, **fields: Any) -> bool:
    """Write only while the run still owns the video: False means stop."""
    fields.setdefault("updated_at", timezone.now())
    return Video.objects.filter(pk=video_id, job_id=token).update(**fields) == 1


def fail_run(video_id: int, token: str, rejection: validate.Rejection, log: str = "") -> bool:
    now = timezone.now()
    return update_if_current(
        video_id,
        token,
        status=Video.Status.FAILED,
        failure_code=rejection.code,
        failure_params=rejection.params,
        ffmpeg_log=log[-20_000:],
        progress_eta=None,
        progress_updated_at=now,
        processing_finished_at=now,
    )


def refreshed(video: Video) -> Video:
    with contextlib.suppress(Video.DoesNotExist):
        video.refresh_from_db()
    return video


def log_tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _child_setup(nice: int) -> None:  # pragma: no cover - runs in the forked child
    # Niced: on a server of two cores a transcode would otherwise take both from the web
    # server and from the worker of the onboarding lane.
    if nice > 0:
        with contextlib.suppress(OSError):
            os.nice(nice)
    if sys.platform.startswith("linux"):
        # A worker killed with SIGKILL cannot stop its ffmpeg; the kernel can.
        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL


def _popen(args: list[str]) -> subprocess.Popen[str]:
    nice = max(0, min(19, int(getattr(settings, "FFMPEG_NICE", 0))))
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        # Its own process group, so a timeout stops whatever ffmpeg started as well.
        start_new_session=True,
        preexec_fn=functools.partial(_child_setup, nice),
    )


def _signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)


def run_short(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a short ffmpeg/ffprobe step; past `timeout` seconds its process group is
    killed and `subprocess.TimeoutExpired` raised."""
    with _popen(args) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.communicate()
            raise
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def step_timeout() -> float:
    return float(settings.FFPROBE_TIMEOUT)


def _worker_id() -> str:
    """The task worker running this job, "" outside one. An environment variable, as
    media sits below the app that runs workers (and RQ's forked job processes inherit it)."""
    return os.environ.get(WORKER_ID_ENV, "")


@functools.lru_cache(maxsize=4)
def _load_progress_hook(dotted_path: str) -> Callable[[], None]:
    try:
        hook = import_string(dotted_path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"ONRAMP_TASK_PROGRESS_HOOK={dotted_path!r} cannot be imported: {exc}"
        ) from exc
    return hook  # type: ignore[no-any-return]


def _report_task_progress() -> None:
    """Tell the task worker that this job moved forward: a worker whose task stays silent
    past its budget shows as "stuck" in /readyz/. Named in settings, as media does not
    know the worker (see media/access.py for the same seam)."""
    dotted_path = getattr(settings, "ONRAMP_TASK_PROGRESS_HOOK", "")
    if dotted_path:
        _load_progress_hook(dotted_path)()


@dataclass
class FfmpegResult:
    returncode: int
    log: str
    cancelled: bool = False
    stalled: bool = False
    timed_out: bool = False


def run_transcode_process(
    args: list[str],
    *,
    video_id: int,
    token: str,
    duration: float,
    timeout: float,
    on_progress: ProgressCallback | None,
) -> FfmpegResult:
    proc = _popen(args)
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    # stderr must be drained while we read stdout, or ffmpeg blocks on a full pipe.
    drain = threading.Thread(
        target=lambda: tail.extend(line.rstrip() for line in proc.stderr or ()),
        name="ffmpeg-stderr",
        daemon=True,
    )
    drain.start()
    result = FfmpegResult(returncode=-1, log="")
    last_progress = [time.monotonic()]
    last_out_time = [-1.0]
    finished = threading.Event()

    deadline = time.monotonic() + timeout

    def watchdog() -> None:
        while not finished.wait(min(5.0, max(0.1, timeout / 10))):
            now = time.monotonic()
            if now - last_progress[0] > STALL_SECONDS or now > deadline:
                result.stalled = now - last_progress[0] > STALL_SECONDS
                result.timed_out = not result.stalled
                _signal_group(proc, signal.SIGKILL)
                return

    threading.Thread(target=watchdog, name="ffmpeg-watchdog", daemon=True).start()
    parser = progress.ProgressParser()
    started = last_write = time.monotonic()
    try:
        for line in proc.stdout or ():
            update = parser.feed(line)
            if update is None:
                continue
            now = time.monotonic()
            # ffmpeg prints a block every half second even when stuck; only output
            # that moves forward counts as progress for the watchdog.
            moved = update.out_time > last_out_time[0] or update.done
            if moved:
                last_out_time[0] = update.out_time
                last_progress[0] = now
            percent = progress.progress_percent(update.out_time, duration)
            remaining = progress.estimate_remaining(elapsed=now - started, percent=percent)
            if on_progress is not None:
                on_progress(percent, remaining)
            if now - last_write >= PROGRESS_WRITE_INTERVAL:
                last_write = now
                if moved:
                    _report_task_progress()
                wall = timezone.now()
                still_ours = update_if_current(
                    video_id,
                    token,
                    progress=percent,
                    progress_eta=wall + timedelta(seconds=remaining) if remaining else None,
                    progress_updated_at=wall,
                )
                if not still_ours:
                    result.cancelled = True
                    _signal_group(proc, signal.SIGTERM)
                    break
    finally:
        finished.set()
        if proc.poll() is None and (result.cancelled or sys.exc_info()[0] is not None):
            _signal_group(proc, signal.SIGTERM)
        try:
            result.returncode = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            result.returncode = proc.wait()
        drain.join(timeout=10)
    result.log = "\n".join(tail)
    return result


@contextlib.contextmanager
def guarded_step(
    video_id: int, token: str, *, work: Path, remove_if_empty: Path | None = None
) -> Iterator[None]:
    """Run one step of a claimed run (probe or transcode) in its temp folder `work`.

    An unexpected error marks the video FAILED with "internal_error" and the traceback's
    last lines as its log, and is raised again. Whatever happens, `work` is removed, and
    `remove_if_empty` too when nothing is left in it (another run may be starting there).
    """
    try:
        yield
    except Exception:
        fail_run(
            video_id,
            token,
            validate.Rejection("internal_error", {}),
            log_tail(traceback.format_exc()),
        )
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if remove_if_empty is not None:
            with contextlib.suppress(OSError):
                remove_if_empty.rmdir()
