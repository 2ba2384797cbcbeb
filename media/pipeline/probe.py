"""The probe step: read the source with ffprobe, check it, decode a frame at each end."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from media.ffmpeg import probe, validate
from media.models import Video
from media.pipeline import runner, storage

_RUNNABLE = [Video.Status.UPLOADED, Video.Status.PROBING, Video.Status.TRANSCODING]


@dataclass(frozen=True)
class _ProbeOutcome:
    facts: probe.ProbeFacts | None
    rejection: validate.Rejection | None
    log: str


def _probe_timed_out() -> _ProbeOutcome:
    seconds = round(runner.step_timeout())
    return _ProbeOutcome(
        None,
        validate.Rejection("probe_timeout", {"seconds": seconds}),
        f"stopped after {seconds}s (FFPROBE_TIMEOUT)",
    )


def _probe_file(path: str) -> _ProbeOutcome:
    with open(path, "rb") as stream:
        head = stream.read(1024)
    refused = validate.refuse_by_signature(head)
    if refused is not None:
        return _ProbeOutcome(None, refused, "")
    try:
        result = runner.run_short(probe.probe_args(path), timeout=runner.step_timeout())
    except subprocess.TimeoutExpired:
        return _probe_timed_out()
    try:
        data = json.loads(result.stdout) if result.returncode == 0 else None
    except ValueError:
        data = None
    if not data:
        return _ProbeOutcome(
            None, validate.classify_probe_failure(head), runner.log_tail(result.stderr)
        )
    facts = probe.parse_probe(data)
    rejection = validate.validate_probe(
        facts, max_duration=settings.VIDEO_MAX_DURATION, max_side=settings.VIDEO_MAX_SIDE
    )
    if rejection is not None or facts.video is None or facts.duration is None:
        return _ProbeOutcome(facts, rejection, "")
    # Decode a frame at the start and one near the end of the video track: catches
    # codecs without a decoder and files whose index promises more than they hold.
    track_end = facts.video.duration or facts.duration
    for seek in (None, max(0.0, track_end - 1.0)):
        try:
            result = runner.run_short(
                validate.decode_check_args(source=path, stream_index=facts.video.index, seek=seek),
                timeout=runner.step_timeout(),
            )
        except subprocess.TimeoutExpired:
            return _probe_timed_out()
        if result.returncode != 0 or not validate.decoded_a_frame(result.stdout):
            return _ProbeOutcome(
                facts,
                validate.classify_decode_failure(result.stderr),
                runner.log_tail(result.stderr),
            )
    return _ProbeOutcome(facts, None, "")


def video_probe(*, video: Video, attempt: int | None = None) -> Video:
    """Read the source with ffprobe and check it; a rejected source ends FAILED with a
    reason and is never transcoded. Leaves an accepted video PROBING with its facts."""
    attempt = video.attempt if attempt is None else attempt
    token = runner.claim_run(
        video, attempt=attempt, statuses=_RUNNABLE, to_status=Video.Status.PROBING
    )
    if token is None:
        return runner.refreshed(video)
    work = storage.work_root(video.pk) / token
    with runner.guarded_step(video.pk, token, work=work), storage.local_source(video, work) as path:
        outcome = _probe_file(path)
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
        runner.update_if_current(video.pk, token, **fields)
        runner.fail_run(video.pk, token, outcome.rejection, outcome.log)
    else:
        assert facts is not None
        runner.update_if_current(video.pk, token, duration=facts.duration, **fields)
    return runner.refreshed(video)
