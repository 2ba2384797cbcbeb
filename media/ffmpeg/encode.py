"""The one transcode command: decode once, encode every rung and the scrub thumbnails,
segment for HLS; and how long it may take."""

from __future__ import annotations

from media.ffmpeg.ladder import AUDIO_SAMPLE_RATE, GOP_SECONDS, SEGMENT_SECONDS, Rung
from media.ffmpeg.probe import ProbeFacts, input_guard_args, output_guard_args
from media.ffmpeg.sprites import THUMB_PATTERN, SpritePlan

X264_PRESET = "veryfast"
X264_THREADS = 0  # per rung; 0 lets x264 choose

# zscale does the HDR → SDR tone mapping that swscale cannot; phones record HLG by default.
_TONEMAP = (
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
    "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv"
)


def transcode_args(
    *,
    source: str,
    facts: ProbeFacts,
    rungs: list[Rung],
    hls_dir: str,
    sprite: SpritePlan | None = None,
    sprite_dir: str = "",
    preset: str = X264_PRESET,
    threads: int = X264_THREADS,
) -> list[str]:
    """One ffmpeg process: decode once, split to every rung (and the sprite), encode, segment.

    Each rung is its own HLS output with muxed AAC so any player plays any variant alone;
    the master playlist is written by us afterwards from measured segment sizes, because
    ffmpeg's own BANDWIDTH is a guess made before the first segment exists.
    """
    video = facts.video
    if video is None or not rungs:
        raise ValueError("transcode_args needs a video stream and at least one rung")
    audio = facts.audio
    fps = video.frame_rate
    branches = len(rungs) + (1 if sprite else 0)
    labels = "".join(f"[s{i}]" for i in range(branches))
    # A constant rate first: VFR input would give uneven segments and GOPs that drift
    # apart between rungs; the fps filter also reads autorotated frames, so rotation
    # metadata is applied once, before the split.
    graph = [f"[0:{video.index}]fps={fps},split={branches}{labels}"]
    for i, rung in enumerate(rungs):
        steps = [] if rung.fps == fps else [f"fps={rung.fps}"]
        if video.hdr:
            steps += [f"zscale=w={rung.width}:h={rung.height}", _TONEMAP]
        else:
            steps.append(f"scale={rung.width}:{rung.height}:flags=bicubic")
        steps += ["setsar=1", "format=yuv420p"]
        graph.append(f"[s{i}]{','.join(steps)}[v{i}]")
    if sprite:
        # JPEG wants full range; converting here avoids swscale's "deprecated pixel
        # format" path that yuvj420p takes.
        graph.append(
            f"[s{branches - 1}]fps=1/{sprite.interval},"
            f"scale={sprite.tile_width}:{sprite.tile_height}:out_range=full,setsar=1,"
            f"format=yuv420p[thumbs]"
        )
    if audio:
        alabels = "".join(f"[a{i}]" for i in range(len(rungs)))
        # async=1 pads gaps with silence so audio stays in sync with the CFR video; the
        # aformat downmixes 5.1 (and upmixes mono) to the stereo every variant shares.
        graph.append(
            f"[0:{audio.index}]aresample={AUDIO_SAMPLE_RATE}:async=1,"
            f"aformat=sample_fmts=fltp:sample_rates={AUDIO_SAMPLE_RATE}:channel_layouts=stereo,"
            f"asplit={len(rungs)}{alabels}"
        )

    args = [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "warning",
        "-nostats",
        "-progress",
        "pipe:1",
        *input_guard_args(),
        "-i",
        source,
        "-filter_complex",
        ";".join(graph),
    ]
    for i, rung in enumerate(rungs):
        rung_dir = f"{hls_dir}/{rung.name}"
        args += ["-map", f"[v{i}]"]
        if audio:
            args += ["-map", f"[a{i}]"]
        args += [
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "-c:v",
            "libx264",
            "-preset",
            preset,
            "-profile:v",
            rung.profile,
            "-level:v",
            rung.level,
            "-pix_fmt",
            "yuv420p",
            "-crf",
            str(rung.crf),
            "-maxrate",
            str(rung.maxrate),
            "-bufsize",
            str(rung.bufsize),
            # Closed 2 s GOPs at the same instants in every rung, no scene-cut keyframes,
            # so a player can switch rungs at any segment boundary.
            "-g",
            str(rung.gop),
            "-keyint_min",
            str(rung.gop),
            "-sc_threshold",
            "0",
            "-flags",
            "+cgop",
            "-force_key_frames",
            f"expr:gte(t,n_forced*{GOP_SECONDS})",
        ]
        if threads:
            args += ["-threads:v", str(threads)]
        if audio:
            args += [
                "-c:a",
                "aac",
                "-b:a",
                str(rung.audio_bitrate),
                "-ac",
                "2",
                "-ar",
                str(AUDIO_SAMPLE_RATE),
            ]
        args += [
            # x264's lookahead holds video back while audio is ready at once; the default
            # queue of 128 packets overflows on 60 fps sources.
            "-max_muxing_queue_size",
            "4096",
            "-f",
            "hls",
            "-hls_time",
            str(SEGMENT_SECONDS),
            "-hls_playlist_type",
            "vod",
            "-hls_segment_type",
            "mpegts",
            "-hls_flags",
            "independent_segments",
            "-hls_segment_filename",
            f"{rung_dir}/seg_%05d.ts",
            *output_guard_args(),
            f"{rung_dir}/index.m3u8",
        ]
    if sprite:
        args += [
            "-map",
            "[thumbs]",
            "-map_metadata",
            "-1",
            "-fps_mode",
            "passthrough",
            "-c:v",
            "mjpeg",
            "-q:v",
            "5",
            "-strict",
            "unofficial",
            "-f",
            "image2",
            "-start_number",
            "1",
            f"{sprite_dir}/{THUMB_PATTERN}",
        ]
    return args


def transcode_timeout(duration: float, *, floor: float, per_second: float) -> float:
    """Seconds the whole transcode may take: proportional to the length, never below
    `floor` (start-up, the poster and the sprite cost the same for a short clip)."""
    return max(float(floor), duration * per_second)
