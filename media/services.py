"""State changes of videos: create, probe, transcode, retry, delete; captions; the record
of who was first sent a video.

The ffmpeg knowledge is in `media/ffmpeg.py` (and playlist/caption text in `hls.py` and
`captions.py`); this module runs it, moves files into storage and records state.

Crash safety rests on three rules:
- a run works in its own temp folder under DATA_DIR/tmp and publishes into a storage
  folder named after its job id, so a killed worker never leaves half-written files
  where a player looks, and a later run never has to overwrite anything;
- every state write of a run is conditional on the video still carrying the run's job
  id, so a run that was superseded (retry), or whose video was deleted, notices at its
  next progress write (about every second), stops ffmpeg and cleans up;
- the database switches to the new files only after they are all in place.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import logging
import os
import re
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
from fractions import Fraction
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from PIL import Image, ImageStat

from media import captions as caption_text
from media import ffmpeg, hls
from media.models import Caption, Rendition, Video, VideoDelivery, video_prefix

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, float | None], None]

PROGRESS_WRITE_INTERVAL = 1.0  # seconds between progress writes (and liveness checks)
STALL_SECONDS = 300  # ffmpeg printing no progress for this long is killed
STALE_AFTER = timedelta(minutes=2)  # a job silent for this long belongs to a dead worker
LOG_TAIL_LINES = 30
WORKER_ID_ENV = "ONRAMP_WORKER_ID"  # set by the task worker (lms.ops.services.worker_become)

_RUNNABLE = [Video.Status.UPLOADED, Video.Status.PROBING, Video.Status.TRANSCODING]


# --- files ---------------------------------------------------------------------------


def _work_root(video_id: int) -> Path:
    return Path(settings.DATA_DIR) / "tmp" / "videos" / str(video_id)


def _local_storage_path(name: str) -> Path | None:
    """Where default storage keeps `name` on this machine, or None (S3 and friends)."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


def _storage_write(name: str, content: bytes) -> None:
    # Storages rename on collision instead of overwriting; our names are fixed.
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        raise RuntimeError(f"storage saved {name!r} as {saved!r}")


def _storage_delete_tree(prefix: str) -> None:
    local = _local_storage_path(prefix)
    if local is not None:
        shutil.rmtree(local, ignore_errors=True)
        return
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
    for folder in folders:
        _storage_delete_tree(f"{prefix}/{folder}")


def _storage_folders(prefix: str) -> list[str]:
    try:
        folders, _files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    return list(folders)


def _publish_tree(local_dir: Path, prefix: str) -> None:
    """Move every file under `local_dir` to storage under `prefix`, keeping the layout."""
    for path in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        name = f"{prefix}/{path.relative_to(local_dir).as_posix()}"
        target = _local_storage_path(name)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            # A rename when the data dir and MEDIA_ROOT share a disk (the default).
            shutil.move(path, target)
            continue
        with path.open("rb") as stream:
            saved = default_storage.save(name, File(stream))
        if saved != name:
            raise RuntimeError(f"storage saved {name!r} as {saved!r}")


@contextlib.contextmanager
def _local_source(video: Video, work: Path) -> Iterator[str]:
    """A path ffmpeg can read: the stored file itself on local disk, else a download."""
    local = _local_storage_path(video.source.name)
    if local is not None:
        yield str(local)
        return
    work.mkdir(parents=True, exist_ok=True)
    target = work / ("source" + PurePosixPath(video.source.name).suffix)
    with default_storage.open(video.source.name, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, 8 * 1024 * 1024)
    try:
        yield str(target)
    finally:
        target.unlink(missing_ok=True)


def _remove_video_files(video_id: int) -> None:
    _storage_delete_tree(video_prefix(video_id))
    shutil.rmtree(_work_root(video_id), ignore_errors=True)


# --- run bookkeeping -------------------------------------------------------------------


def _claim(
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


def _update_if_current(video_id: int, token: str, **fields: Any) -> bool:
    """Write only while the run still owns the video: False means stop."""
    fields.setdefault("updated_at", timezone.now())
    return Video.objects.filter(pk=video_id, job_id=token).update(**fields) == 1


def _fail(video_id: int, token: str, rejection: ffmpeg.Rejection, log: str = "") -> bool:
    now = timezone.now()
    return _update_if_current(
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


def _refreshed(video: Video) -> Video:
    with contextlib.suppress(Video.DoesNotExist):
        video.refresh_from_db()
    return video


def _tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    # A worker killed with SIGKILL cannot stop its ffmpeg; the kernel can.
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL


def _popen(args: list[str]) -> subprocess.Popen[str]:
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
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )


def _signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
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


def _step_timeout() -> float:
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


# --- create ------------------------------------------------------------------------------


def _stream_size(file: IO[bytes] | File) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def _enqueue_processing(video: Video) -> None:
    from media.tasks import process_video

    video_id, attempt = video.pk, video.attempt
    # After commit: a rolled-back request must never start a job for a row that is not there.
    transaction.on_commit(partial(process_video.enqueue, video_id, attempt))


def video_create(
    *,
    title: str,
    file: IO[bytes] | File,
    filename: str = "",
    created_by: AbstractBaseUser | None = None,
    enqueue: bool = True,
) -> Video:
    """Store an uploaded source and (after commit) queue its processing."""
    name = PurePosixPath(filename or getattr(file, "name", "") or "video").name
    size = _stream_size(file)
    if size > settings.VIDEO_MAX_UPLOAD_BYTES:
        raise ValidationError(
            ffmpeg.rejection_message(
                "file_too_big",
                {
                    "size": ffmpeg.format_size(size),
                    "limit": ffmpeg.format_size(settings.VIDEO_MAX_UPLOAD_BYTES),
                },
            ),
            code="file_too_big",
        )
    with transaction.atomic():
        video = Video.objects.create(
            title=title[:255] or name,
            original_filename=name[:255],
            source_size=size,
            created_by=created_by,
        )
        try:
            video.source.save(name, file if isinstance(file, File) else File(file), save=False)
            video.save(update_fields=["source", "updated_at"])
        except BaseException:
            _remove_video_files(video.pk)
            raise
        if enqueue:
            _enqueue_processing(video)
    return video


# --- probe ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ProbeOutcome:
    facts: ffmpeg.ProbeFacts | None
    rejection: ffmpeg.Rejection | None
    log: str


def _probe_timed_out() -> _ProbeOutcome:
    seconds = round(_step_timeout())
    return _ProbeOutcome(
        None,
        ffmpeg.Rejection("probe_timeout", {"seconds": seconds}),
        f"stopped after {seconds}s (FFPROBE_TIMEOUT)",
    )


def _probe_file(path: str) -> _ProbeOutcome:
    with open(path, "rb") as stream:
        head = stream.read(1024)
    refused = ffmpeg.refuse_by_signature(head)
    if refused is not None:
        return _ProbeOutcome(None, refused, "")
    try:
        result = _run(ffmpeg.probe_args(path), timeout=_step_timeout())
    except subprocess.TimeoutExpired:
        return _probe_timed_out()
    try:
        data = json.loads(result.stdout) if result.returncode == 0 else None
    except ValueError:
        data = None
    if not data:
        return _ProbeOutcome(None, ffmpeg.classify_probe_failure(head), _tail(result.stderr))
    facts = ffmpeg.parse_probe(data)
    rejection = ffmpeg.validate_probe(
        facts, max_duration=settings.VIDEO_MAX_DURATION, max_side=settings.VIDEO_MAX_SIDE
    )
    if rejection is not None or facts.video is None or facts.duration is None:
        return _ProbeOutcome(facts, rejection, "")
    # Decode a frame at the start and one near the end of the video track: catches
    # codecs without a decoder and files whose index promises more than they hold.
    track_end = facts.video.duration or facts.duration
    for seek in (None, max(0.0, track_end - 1.0)):
        try:
            result = _run(
                ffmpeg.decode_check_args(source=path, stream_index=facts.video.index, seek=seek),
                timeout=_step_timeout(),
            )
        except subprocess.TimeoutExpired:
            return _probe_timed_out()
        if result.returncode != 0 or not ffmpeg.decoded_a_frame(result.stdout):
            return _ProbeOutcome(
                facts, ffmpeg.classify_decode_failure(result.stderr), _tail(result.stderr)
            )
    return _ProbeOutcome(facts, None, "")


def video_probe(*, video: Video, attempt: int | None = None) -> Video:
    """Read the source with ffprobe and check it; a rejected source ends FAILED with a
    reason and is never transcoded. Leaves an accepted video PROBING with its facts."""
    attempt = video.attempt if attempt is None else attempt
    token = _claim(video, attempt=attempt, statuses=_RUNNABLE, to_status=Video.Status.PROBING)
    if token is None:
        return _refreshed(video)
    work = _work_root(video.pk) / token
    try:
        with _local_source(video, work) as path:
            outcome = _probe_file(path)
    except Exception:
        _fail(
            video.pk, token, ffmpeg.Rejection("internal_error", {}), _tail(traceback.format_exc())
        )
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    facts = outcome.facts
    fields: dict[str, Any] = {}
    if facts is not None:
        fields = {
            "probe": facts.to_json(),
            "has_audio": facts.audio is not None,
        }
        if facts.video is not None:
            fields |= {
                "width": facts.video.width,
                "height": facts.video.height,
                "rotation": facts.video.rotation,
            }
    if outcome.rejection is not None:
        _update_if_current(video.pk, token, **fields)
        _fail(video.pk, token, outcome.rejection, outcome.log)
    else:
        assert facts is not None
        _update_if_current(video.pk, token, duration=facts.duration, **fields)
    return _refreshed(video)


# --- transcode ------------------------------------------------------------------------------


@dataclass
class _FfmpegResult:
    returncode: int
    log: str
    cancelled: bool = False
    stalled: bool = False
    timed_out: bool = False


def _run_transcode_process(
    args: list[str],
    *,
    video_id: int,
    token: str,
    duration: float,
    timeout: float,
    on_progress: ProgressCallback | None,
) -> _FfmpegResult:
    proc = _popen(args)
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    # stderr must be drained while we read stdout, or ffmpeg blocks on a full pipe.
    drain = threading.Thread(
        target=lambda: tail.extend(line.rstrip() for line in proc.stderr or ()),
        name="ffmpeg-stderr",
        daemon=True,
    )
    drain.start()
    result = _FfmpegResult(returncode=-1, log="")
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
    parser = ffmpeg.ProgressParser()
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
            percent = ffmpeg.progress_percent(update.out_time, duration)
            remaining = ffmpeg.estimate_remaining(elapsed=now - started, percent=percent)
            if on_progress is not None:
                on_progress(percent, remaining)
            if now - last_write >= PROGRESS_WRITE_INTERVAL:
                last_write = now
                if moved:
                    _report_task_progress()
                wall = timezone.now()
                still_ours = _update_if_current(
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


def _luma_stats(path: Path) -> tuple[float, float]:
    with Image.open(path) as image:
        stat = ImageStat.Stat(image.convert("L"))
    return stat.mean[0], stat.stddev[0]


def _make_poster(
    *, source: str, facts: ffmpeg.ProbeFacts, rungs: list[ffmpeg.Rung], out_dir: Path
) -> Path | None:
    """The first candidate frame that is not black or flat, else the liveliest one."""
    assert facts.video is not None and facts.duration is not None
    width, height = ffmpeg.poster_size(rungs)
    best: tuple[float, Path] | None = None
    for number, at in enumerate(ffmpeg.poster_positions(facts.duration)):
        candidate = out_dir / f"poster-{number}.jpg"
        try:
            result = _run(
                ffmpeg.poster_args(
                    source=source,
                    stream_index=facts.video.index,
                    at=at,
                    duration=facts.duration,
                    width=width,
                    height=height,
                    out=str(candidate),
                ),
                timeout=_step_timeout(),
            )
        except subprocess.TimeoutExpired:
            logger.warning("poster at %.1fs timed out", at)
            candidate.unlink(missing_ok=True)
            continue
        if result.returncode != 0 or not candidate.exists():
            logger.warning("poster at %.1fs failed: %s", at, _tail(result.stderr, 5))
            continue
        mean, stddev = _luma_stats(candidate)
        if ffmpeg.poster_is_usable(mean=mean, stddev=stddev):
            best = (float("inf"), candidate)
            break
        if best is None or stddev > best[0]:
            best = (stddev, candidate)
    if best is None:
        return None
    poster = out_dir / "poster.jpg"
    best[1].rename(poster)
    for leftover in out_dir.glob("poster-*.jpg"):
        leftover.unlink()
    return poster


def _tile_sprites(images_dir: Path, plan: ffmpeg.SpritePlan) -> list[Path]:
    """Tile the single thumbnails ffmpeg wrote into sprite sheets (black where a last
    sheet is not full, as players expect fixed-size sheets) and remove them."""
    thumbs = sorted(images_dir.glob(ffmpeg.THUMB_GLOB))[: plan.count]
    sheets: dict[int, Image.Image] = {}
    size = (plan.columns * plan.tile_width, plan.rows * plan.tile_height)
    for n, thumb in enumerate(thumbs):
        number, x, y = ffmpeg.sprite_position(plan, n)
        sheet = sheets.setdefault(number, Image.new("RGB", size))
        with Image.open(thumb) as image:
            sheet.paste(image.convert("RGB").resize((plan.tile_width, plan.tile_height)), (x, y))
    paths = []
    for number, sheet in sorted(sheets.items()):
        path = images_dir / ffmpeg.sprite_sheet_name(number)
        sheet.save(path, "JPEG", quality=80, optimize=True)
        paths.append(path)
    for leftover in images_dir.glob(ffmpeg.THUMB_GLOB):
        leftover.unlink()
    return paths


def _first_pts(segment: Path) -> int:
    result = _run(ffmpeg.probe_first_pts_args(str(segment)), timeout=_step_timeout())
    with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
        stream = json.loads(result.stdout)["streams"][0]
        return max(0, int(stream["start_pts"]))
    return 0


@dataclass(frozen=True)
class _RungOutput:
    rung: ffmpeg.Rung
    bandwidth: int
    average_bandwidth: int
    size: int


def _measure_rungs(hls_dir: Path, rungs: list[ffmpeg.Rung]) -> list[_RungOutput]:
    outputs = []
    for rung in rungs:
        playlist_path = hls_dir / ffmpeg.rung_playlist(rung)
        playlist = hls.parse_media_playlist(playlist_path.read_text())
        sizes = [(playlist_path.parent / s.uri).stat().st_size for s in playlist.segments]
        peak, average = hls.measure_bandwidth(
            [(s.duration, size) for s, size in zip(playlist.segments, sizes, strict=True)]
        )
        outputs.append(_RungOutput(rung, peak, average, sum(sizes)))
    return outputs


def video_transcode(
    *,
    video: Video,
    attempt: int | None = None,
    on_progress: ProgressCallback | None = None,
    preset: str = ffmpeg.X264_PRESET,
    threads: int = ffmpeg.X264_THREADS,
) -> Video:
    """Encode the whole ladder in one ffmpeg process and publish it with poster, scrub
    thumbnails and captions. Probes first if that has not happened yet."""
    attempt = video.attempt if attempt is None else attempt
    if video.duration is None or video.status == Video.Status.UPLOADED:
        video = video_probe(video=video, attempt=attempt)
        if video.status != Video.Status.PROBING:
            return video
    token = _claim(
        video,
        attempt=attempt,
        statuses=[Video.Status.PROBING, Video.Status.TRANSCODING],
        to_status=Video.Status.TRANSCODING,
        require_probe=True,
    )
    if token is None:
        return _refreshed(video)
    video.refresh_from_db()
    root = _work_root(video.pk)
    # Whatever an earlier, killed run of this video left behind.
    if root.exists():
        for stale in root.iterdir():
            if stale.name != token:
                shutil.rmtree(stale, ignore_errors=True)
    work = root / token
    try:
        _transcode(
            video, token=token, work=work, on_progress=on_progress, preset=preset, threads=threads
        )
    except Exception:
        _fail(
            video.pk, token, ffmpeg.Rejection("internal_error", {}), _tail(traceback.format_exc())
        )
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            root.rmdir()  # only when empty: another run may be starting
    return _refreshed(video)


def _transcode(
    video: Video,
    *,
    token: str,
    work: Path,
    on_progress: ProgressCallback | None,
    preset: str,
    threads: int,
) -> None:
    facts = ffmpeg.ProbeFacts.from_json(video.probe)
    assert facts.video is not None and facts.duration is not None
    rungs = ffmpeg.choose_ladder(
        width=facts.video.width, height=facts.video.height, fps=facts.video.frame_rate
    )
    sprite = ffmpeg.plan_sprite(
        duration=facts.duration, width=facts.video.width, height=facts.video.height
    )
    hls_dir, images_dir = work / "hls", work / "images"
    for rung in rungs:
        (hls_dir / rung.name).mkdir(parents=True, exist_ok=True)
    images_dir.mkdir(parents=True, exist_ok=True)

    with _local_source(video, work) as source:
        args = ffmpeg.transcode_args(
            source=source,
            facts=facts,
            rungs=rungs,
            hls_dir=str(hls_dir),
            sprite=sprite,
            sprite_dir=str(images_dir),
            preset=preset,
            threads=threads,
        )
        timeout = ffmpeg.transcode_timeout(
            facts.duration,
            floor=settings.FFMPEG_TIMEOUT_MIN,
            per_second=settings.FFMPEG_TIMEOUT_PER_SECOND,
        )
        result = _run_transcode_process(
            args,
            video_id=video.pk,
            token=token,
            duration=facts.duration,
            timeout=timeout,
            on_progress=on_progress,
        )
        if result.cancelled:
            logger.info("video %s: job %s superseded or deleted; stopped", video.pk, token)
            return
        if result.timed_out:
            limit = ffmpeg.format_duration(timeout)
            _fail(
                video.pk, token, ffmpeg.Rejection("transcode_timeout", {"limit": limit}), result.log
            )
            return
        if result.stalled or result.returncode != 0:
            code = "stalled" if result.stalled else "transcode_failed"
            _fail(video.pk, token, ffmpeg.Rejection(code, {}), result.log)
            return
        poster = _make_poster(source=source, facts=facts, rungs=rungs, out_dir=images_dir)

    outputs = _measure_rungs(hls_dir, rungs)
    sheets = _tile_sprites(images_dir, sprite)
    if sheets:
        (images_dir / "thumbnails.vtt").write_text(
            ffmpeg.sprite_vtt(sprite, duration=facts.duration, sheets=len(sheets))
        )
    first_segment = next((hls_dir / rungs[0].name).glob("seg_*.ts"))
    ts_offset = _first_pts(first_segment)

    if not _update_if_current(video.pk, token, progress=99, progress_updated_at=timezone.now()):
        return
    run = token[:12]
    hls_prefix = f"{video_prefix(video.pk)}/hls/{run}"
    images_prefix = f"{video_prefix(video.pk)}/images/{run}"
    _publish_tree(hls_dir, hls_prefix)
    _publish_tree(images_dir, images_prefix)

    with transaction.atomic():
        locked = Video.objects.select_for_update().filter(pk=video.pk, job_id=token).first()
        if locked is None:
            # Deleted or superseded while we published: take our files back out.
            transaction.on_commit(partial(_storage_delete_tree, hls_prefix))
            transaction.on_commit(partial(_storage_delete_tree, images_prefix))
            return
        locked.renditions.all().delete()
        Rendition.objects.bulk_create(
            Rendition(
                video=locked,
                name=out.rung.name,
                width=out.rung.width,
                height=out.rung.height,
                bandwidth=out.bandwidth,
                average_bandwidth=out.average_bandwidth,
                codecs=out.rung.codecs(has_audio=facts.audio is not None),
                frame_rate=str(out.rung.fps),
                playlist=ffmpeg.rung_playlist(out.rung),
                size=out.size,
            )
            for out in outputs
        )
        now = timezone.now()
        locked.master_playlist.name = f"{hls_prefix}/master.m3u8"
        locked.poster.name = f"{images_prefix}/poster.jpg" if poster else ""
        locked.thumbnails_sprite.name = f"{images_prefix}/{sheets[0].name}" if sheets else ""
        locked.thumbnails_vtt.name = f"{images_prefix}/thumbnails.vtt" if sheets else ""
        locked.hls_ts_offset = ts_offset
        _write_master(locked)
        locked.status = Video.Status.READY
        locked.progress = 100
        locked.progress_eta = None
        locked.progress_updated_at = now
        locked.processing_finished_at = now
        locked.failure_code = ""
        locked.failure_params = {}
        locked.ffmpeg_log = result.log[-20_000:]
        locked.save()
        transaction.on_commit(partial(_remove_other_runs, video.pk, run))


def _remove_other_runs(video_id: int, keep: str) -> None:
    for kind in ("hls", "images"):
        prefix = f"{video_prefix(video_id)}/{kind}"
        for folder in _storage_folders(prefix):
            if folder != keep:
                _storage_delete_tree(f"{prefix}/{folder}")


# --- playlists and captions --------------------------------------------------------------


def _language_slug(language: str) -> str:
    return slugify(language).lower() or "und"


def _write_master(video: Video) -> None:
    """(Re)write the master playlist and the subtitle renditions from the database."""
    hls_dir = video.hls_dir
    if not hls_dir or video.duration is None:
        return
    tracks: list[hls.SubtitleTrack] = []
    wanted: set[str] = set()
    for caption in video.captions.order_by("-is_default", "language"):
        slug = _language_slug(caption.language)
        with caption.file.open("rb") as stream:
            vtt = stream.read().decode("utf-8")
        _storage_write(
            f"{hls_dir}/subs/{slug}.vtt",
            caption_text.add_timestamp_map(vtt, mpegts=video.hls_ts_offset).encode(),
        )
        _storage_write(
            f"{hls_dir}/subs/{slug}.m3u8",
            hls.build_subtitle_playlist(duration=video.duration, uri=f"{slug}.vtt").encode(),
        )
        wanted |= {f"{slug}.vtt", f"{slug}.m3u8"}
        tracks.append(
            hls.SubtitleTrack(
                uri=f"subs/{slug}.m3u8",
                language=caption.language,
                name=caption.label,
                default=caption.is_default,
            )
        )
    with contextlib.suppress(FileNotFoundError):
        for name in default_storage.listdir(f"{hls_dir}/subs")[1]:
            if name not in wanted:
                default_storage.delete(f"{hls_dir}/subs/{name}")
    variants = [
        hls.Variant(
            uri=r.playlist,
            bandwidth=r.bandwidth,
            average_bandwidth=r.average_bandwidth,
            width=r.width,
            height=r.height,
            codecs=r.codecs,
            frame_rate=Fraction(r.frame_rate),
        )
        for r in video.renditions.all()
    ]
    _storage_write(video.master_playlist.name, hls.build_master_playlist(variants, tracks).encode())


def _language_label(language: str) -> str:
    try:
        return str(get_language_info(language.lower())["name_local"])
    except KeyError:
        return language


def _clean_language(language: str) -> str:
    language = language.strip().replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", language):
        raise ValidationError(
            _("“%(language)s” is not a language code such as zh-Hans or en.")
            % {"language": language},
            code="language",
        )
    return language


def caption_add(
    *,
    video: Video,
    language: str,
    file: IO[bytes] | File,
    label: str = "",
    is_default: bool = False,
) -> Caption:
    """Add (or replace) the captions of one language: SRT or WebVTT, UTF-8 or GBK.

    Stored as UTF-8 WebVTT; a ready video's master playlist gains a subtitle rendition.
    """
    language = _clean_language(language)
    data = file.read(caption_text.CAPTION_MAX_BYTES + 1)
    try:
        vtt = caption_text.caption_to_vtt(data)
    except caption_text.CaptionError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    caption = Caption(
        video=video,
        language=language,
        label=(label or _language_label(language))[:100],
        is_default=is_default,
    )
    caption.file.save(
        f"{_language_slug(language)}-{uuid.uuid4().hex[:8]}.vtt",
        ContentFile(vtt.encode("utf-8")),
        save=False,
    )
    try:
        with transaction.atomic():
            locked = Video.objects.select_for_update().get(pk=video.pk)
            caption.video = locked
            for old in Caption.objects.filter(video=locked, language__iexact=language):
                transaction.on_commit(partial(default_storage.delete, old.file.name))
                old.delete()
            if is_default:
                Caption.objects.filter(video=locked).update(is_default=False)
            caption.save()
            _write_master(locked)
    except BaseException:
        default_storage.delete(caption.file.name)
        raise
    return caption


def caption_delete(*, caption: Caption) -> None:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=caption.video_id)
        name = caption.file.name
        caption.delete()
        _write_master(video)
        transaction.on_commit(partial(default_storage.delete, name))


# --- retry and delete ---------------------------------------------------------------------


def video_is_stale(video: Video) -> bool:
    """A job that has not reported for a while: its worker died."""
    last = video.progress_updated_at or video.updated_at
    return last is None or timezone.now() - last > STALE_AFTER


def video_retry(*, video: Video, force: bool = False) -> Video:
    """Start over with a new attempt. A ready video is left alone, and so is one whose job
    is alive (unless `force`); a dead job's leftovers are removed by the new run."""
    with transaction.atomic():
        locked = Video.objects.select_for_update().get(pk=video.pk)
        if locked.status == Video.Status.READY:
            return locked
        running = locked.status in (Video.Status.PROBING, Video.Status.TRANSCODING)
        if running and not force and not video_is_stale(locked):
            return locked
        locked.attempt += 1
        locked.status = Video.Status.UPLOADED
        locked.job_id = ""
        locked.worker_id = ""
        locked.requeues = 0
        locked.failure_code = ""
        locked.failure_params = {}
        locked.ffmpeg_log = ""
        locked.progress = 0
        locked.progress_eta = None
        locked.progress_updated_at = None
        locked.save()
        _enqueue_processing(locked)
    return locked


@dataclass(frozen=True)
class RequeueResult:
    requeued: int
    failed: int


def videos_requeue_orphaned(*, live_worker_ids: Iterable[str]) -> RequeueResult:
    """Put videos whose worker died mid-job back in the queue, as a new attempt.

    A job belongs to a dead worker when the worker it names is not among
    `live_worker_ids` (those with a fresh heartbeat), or, for a job run outside a worker
    (`ingest_video`), when it has stopped reporting. After WORKER_MAX_REQUEUES
    re-queues the video fails instead: a file that kills its worker every time
    (out of memory, say) must not take the queue down with it forever.
    """
    live = set(live_worker_ids)
    limit = settings.WORKER_MAX_REQUEUES
    running = Video.objects.filter(status__in=[Video.Status.PROBING, Video.Status.TRANSCODING])
    requeued = failed = 0
    for video in running.exclude(worker_id__in=live).order_by("pk"):
        if not video.worker_id and not video_is_stale(video):
            continue
        with transaction.atomic():
            locked = (
                Video.objects.select_for_update()
                .filter(pk=video.pk, job_id=video.job_id, status=video.status)
                .first()
            )
            if locked is None:
                continue  # it moved on meanwhile
            logger.warning(
                "video %s: worker %r is gone; re-queueing (%d so far)",
                locked.pk,
                locked.worker_id,
                locked.requeues,
            )
            now = timezone.now()
            if locked.requeues >= limit:
                locked.status = Video.Status.FAILED
                locked.failure_code = "worker_lost"
                locked.failure_params = {"count": locked.requeues + 1}
                locked.processing_finished_at = now
                failed += 1
            else:
                locked.attempt += 1
                locked.requeues += 1
                locked.status = Video.Status.UPLOADED
                locked.progress = 0
                requeued += 1
                _enqueue_processing(locked)
            locked.job_id = ""
            locked.worker_id = ""
            locked.progress_eta = None
            locked.progress_updated_at = now
            locked.save()
    return RequeueResult(requeued=requeued, failed=failed)


def video_delete(*, video: Video) -> None:
    """Delete a video with its files. A running job finds its video gone at its next
    progress write, stops ffmpeg and removes its temp folder."""
    video_id = video.pk
    with transaction.atomic():
        Video.objects.filter(pk=video_id).delete()
        transaction.on_commit(partial(_remove_video_files, video_id))


def video_process(*, video_id: int, attempt: int) -> Video | None:
    """The background job: probe, then transcode. Does nothing for an attempt that is not
    the video's current one, or for a video that is ready, failed or gone."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None or video.attempt != attempt:
        return video
    video = video_probe(video=video, attempt=attempt)
    if video.status != Video.Status.PROBING:
        return video
    return video_transcode(video=video, attempt=attempt)


# --- deliveries -------------------------------------------------------------------------

# How long a process remembers that a (person, video) delivery is already recorded. The
# record never changes once written, so this only bounds the cache's memory.
DELIVERY_CACHE_SECONDS = 24 * 60 * 60


def _delivery_cache_key(user_id: object, video_id: int) -> str:
    return f"media:delivered:{user_id}:{video_id}"


def video_delivery_record(*, user: AbstractBaseUser, video_id: int) -> None:
    """Remember when `user` was first sent one of `video_id`'s playlists.

    Called on every playlist a player fetches (the master first, then a rung's), so it
    must be cheap: a cache hit once recorded, otherwise one insert that does nothing when
    the row exists (`ON CONFLICT DO NOTHING`), never a read-then-write race. The first
    time wins and is never moved later.
    """
    key = _delivery_cache_key(user.pk, video_id)
    if cache.get(key):
        return
    VideoDelivery.objects.bulk_create(
        [VideoDelivery(user_id=user.pk, video_id=video_id, first_delivered_at=timezone.now())],
        ignore_conflicts=True,
    )
    # Only after the row is written: a failed insert must not be remembered as done.
    cache.set(key, True, DELIVERY_CACHE_SECONDS)
