"""The transcode step: encode the ladder, make the poster and the scrub sprites, measure
the rungs, publish and switch the video to the new files."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageStat

from media import hls
from media.ffmpeg import encode, ladder, probe, sprites, validate
from media.ffmpeg.poster import poster_args, poster_is_usable, poster_positions, poster_size
from media.models import Rendition, Video, video_prefix
from media.pipeline import captions, runner, storage
from media.pipeline.probe import video_probe

logger = logging.getLogger(__name__)


def _luma_stats(path: Path) -> tuple[float, float]:
    with Image.open(path) as image:
        stat = ImageStat.Stat(image.convert("L"))
    return stat.mean[0], stat.stddev[0]


def _make_poster(
    *, source: str, facts: probe.ProbeFacts, rungs: list[ladder.Rung], out_dir: Path
) -> Path | None:
    """The first candidate frame that is not black or flat, else the liveliest one."""
    assert facts.video is not None and facts.duration is not None
    width, height = poster_size(rungs)
    best: tuple[float, Path] | None = None
    for number, at in enumerate(poster_positions(facts.duration)):
        candidate = out_dir / f"poster-{number}.jpg"
        try:
            result = runner.run_short(
                poster_args(
                    source=source,
                    stream_index=facts.video.index,
                    at=at,
                    duration=facts.duration,
                    width=width,
                    height=height,
                    out=str(candidate),
                ),
                timeout=runner.step_timeout(),
            )
        except subprocess.TimeoutExpired:
            logger.warning("poster at %.1fs timed out", at)
            candidate.unlink(missing_ok=True)
            continue
        if result.returncode != 0 or not candidate.exists():
            logger.warning("poster at %.1fs failed: %s", at, runner.log_tail(result.stderr, 5))
            continue
        mean, stddev = _luma_stats(candidate)
        if poster_is_usable(mean=mean, stddev=stddev):
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


def _tile_sprites(images_dir: Path, plan: sprites.SpritePlan) -> list[Path]:
    """Tile the single thumbnails ffmpeg wrote into sprite sheets (black where a last
    sheet is not full, as players expect fixed-size sheets) and remove them."""
    thumbs = sorted(images_dir.glob(sprites.THUMB_GLOB))[: plan.count]
    sheets: dict[int, Image.Image] = {}
    size = (plan.columns * plan.tile_width, plan.rows * plan.tile_height)
    for n, thumb in enumerate(thumbs):
        number, x, y = sprites.sprite_position(plan, n)
        sheet = sheets.setdefault(number, Image.new("RGB", size))
        with Image.open(thumb) as image:
            sheet.paste(image.convert("RGB").resize((plan.tile_width, plan.tile_height)), (x, y))
    paths = []
    for number, sheet in sorted(sheets.items()):
        path = images_dir / sprites.sprite_sheet_name(number)
        sheet.save(path, "JPEG", quality=80, optimize=True)
        paths.append(path)
    for leftover in images_dir.glob(sprites.THUMB_GLOB):
        leftover.unlink()
    return paths


def _first_pts(segment: Path) -> int:
    result = runner.run_short(
        probe.probe_first_pts_args(str(segment)), timeout=runner.step_timeout()
    )
    with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
        stream = json.loads(result.stdout)["streams"][0]
        return max(0, int(stream["start_pts"]))
    return 0


@dataclass(frozen=True)
class _RungOutput:
    rung: ladder.Rung
    bandwidth: int
    average_bandwidth: int
    size: int


def _measure_rungs(hls_dir: Path, rungs: list[ladder.Rung]) -> list[_RungOutput]:
    outputs = []
    for rung in rungs:
        playlist_path = hls_dir / ladder.rung_playlist(rung)
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
    on_progress: runner.ProgressCallback | None = None,
    preset: str = encode.X264_PRESET,
    threads: int = encode.X264_THREADS,
) -> Video:
    """Encode the whole ladder in one ffmpeg process and publish it with poster, scrub
    thumbnails and captions. Probes first if that has not happened yet."""
    attempt = video.attempt if attempt is None else attempt
    if video.duration is None or video.status == Video.Status.UPLOADED:
        video = video_probe(video=video, attempt=attempt)
        if video.status != Video.Status.PROBING:
            return video
    token = runner.claim_run(
        video,
        attempt=attempt,
        statuses=[Video.Status.PROBING, Video.Status.TRANSCODING],
        to_status=Video.Status.TRANSCODING,
        require_probe=True,
    )
    if token is None:
        return runner.refreshed(video)
    video.refresh_from_db()
    root = storage.work_root(video.pk)
    # Whatever an earlier, killed run of this video left behind.
    if root.exists():
        for stale in root.iterdir():
            if stale.name != token:
                shutil.rmtree(stale, ignore_errors=True)
    work = root / token
    with runner.guarded_step(video.pk, token, work=work, remove_if_empty=root):
        _transcode(
            video, token=token, work=work, on_progress=on_progress, preset=preset, threads=threads
        )
    return runner.refreshed(video)


def _transcode(
    video: Video,
    *,
    token: str,
    work: Path,
    on_progress: runner.ProgressCallback | None,
    preset: str,
    threads: int,
) -> None:
    facts = probe.ProbeFacts.from_json(video.probe)
    assert facts.video is not None and facts.duration is not None
    rungs = ladder.choose_ladder(
        width=facts.video.width, height=facts.video.height, fps=facts.video.frame_rate
    )
    sprite = sprites.plan_sprite(
        duration=facts.duration, width=facts.video.width, height=facts.video.height
    )
    hls_dir, images_dir = work / "hls", work / "images"
    for rung in rungs:
        (hls_dir / rung.name).mkdir(parents=True, exist_ok=True)
    images_dir.mkdir(parents=True, exist_ok=True)

    with storage.local_source(video, work) as source:
        args = encode.transcode_args(
            source=source,
            facts=facts,
            rungs=rungs,
            hls_dir=str(hls_dir),
            sprite=sprite,
            sprite_dir=str(images_dir),
            preset=preset,
            threads=threads,
        )
        timeout = encode.transcode_timeout(
            facts.duration,
            floor=settings.FFMPEG_TIMEOUT_MIN,
            per_second=settings.FFMPEG_TIMEOUT_PER_SECOND,
        )
        result = runner.run_transcode_process(
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
            limit = validate.format_duration(timeout)
            runner.fail_run(
                video.pk,
                token,
                validate.Rejection("transcode_timeout", {"limit": limit}),
                result.log,
            )
            return
        if result.stalled or result.returncode != 0:
            code = "stalled" if result.stalled else "transcode_failed"
            runner.fail_run(video.pk, token, validate.Rejection(code, {}), result.log)
            return
        poster = _make_poster(source=source, facts=facts, rungs=rungs, out_dir=images_dir)

    outputs = _measure_rungs(hls_dir, rungs)
    sheets = _tile_sprites(images_dir, sprite)
    if sheets:
        (images_dir / "thumbnails.vtt").write_text(
            sprites.sprite_vtt(sprite, duration=facts.duration, sheets=len(sheets))
        )
    first_segment = next((hls_dir / rungs[0].name).glob("seg_*.ts"))
    ts_offset = _first_pts(first_segment)

    if not runner.update_if_current(
        video.pk, token, progress=99, progress_updated_at=timezone.now()
    ):
        return
    run = token[:12]
    hls_prefix = f"{video_prefix(video.pk)}/hls/{run}"
    images_prefix = f"{video_prefix(video.pk)}/images/{run}"
    storage.publish_tree(hls_dir, hls_prefix)
    storage.publish_tree(images_dir, images_prefix)

    with transaction.atomic():
        locked = Video.objects.select_for_update().filter(pk=video.pk, job_id=token).first()
        if locked is None:
            # Deleted or superseded while we published: take our files back out.
            transaction.on_commit(partial(storage.storage_delete_tree, hls_prefix))
            transaction.on_commit(partial(storage.storage_delete_tree, images_prefix))
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
                playlist=ladder.rung_playlist(out.rung),
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
        captions.write_master(locked)
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
        for folder in storage.storage_folders(prefix):
            if folder != keep:
                storage.storage_delete_tree(f"{prefix}/{folder}")
