"""Transcode benchmark (issue 4): Onramp's ladder against hand-written ffmpeg.

    .venv/bin/python benchmarks/transcode.py [--seconds 60] [--preset veryfast] [--threads 0]

Generates two 1080p30 clips with audio (cached under var/benchmarks/):
  lecture  static slides whose text changes every 6 s, with a small webcam-like
           picture-in-picture speaker (moving content, sensor noise) in a corner
  worst    full-frame testsrc2 motion
and measures for each, in one run on this machine:
  - Onramp's ingest (video_create + video_probe + video_transcode, in-process, as the
    worker runs it): wall time and realtime factor (clip seconds per wall second);
  - the same ladder as ONE hand-written ffmpeg command (split filter graph): Onramp's
    overhead over it (target ≤ 10 %);
  - ONE ffmpeg process PER RENDITION, run one after the other: Onramp's speed-up over
    that (below 1.05× would mean the single-decode pipeline wastes work);
  - per rung of Onramp's output: megabytes (10^6 bytes) per minute of video including
    audio and TS overhead, and SSIM against the source scaled to the rung (every 5th
    frame, timestamps aligned).
Targets for the lecture clip: 720p ≤ 4 MB/min at SSIM ≥ 0.99; realtime factor ≥ 1.0.

Wall time on a shared machine is noisy, so each approach runs --repeat times,
interleaved, and the best wall time counts; CPU seconds (user + sys of this process
and its ffmpeg children) are printed too because they barely move with other load.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "benchmarks"
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SLIDE_SECONDS = 6

SLIDES = [
    (
        "第一讲 公司与业务概览",
        [
            "我们是谁：互联网金融服务平台",
            "核心产品：消费信贷与财富管理",
            "组织：市场拓展部 · 产品研发部 · 风险控制部",
            "本课目标：了解业务全貌与各部门职责",
        ],
    ),
    (
        "风险控制部的职责",
        [
            "贷前审核：身份核验、反欺诈、信用评估",
            "贷中监控：额度管理与异常交易预警",
            "贷后管理：逾期分析与资产保全协作",
            "关键指标：首逾率 FPD、M1+ 逾期率",
        ],
    ),
    (
        "客户经理的一天",
        [
            "09:00 晨会：目标与线索分配",
            "10:00 拜访客户，收集资料",
            "14:00 录入系统，提交审批",
            "17:00 复盘：转化率与客户反馈",
        ],
    ),
    (
        "合规红线",
        [
            "不得承诺收益或保本",
            "不得泄露客户个人信息",
            "催收不得骚扰无关第三方",
            "发现违规：立即向法务部报告",
        ],
    ),
    (
        "产品经理的工作方法",
        [
            "用户访谈 → 需求池 → 优先级排序",
            "PRD 评审：研发、风控、法务共同参与",
            "上线后看数据：漏斗、留存、投诉",
            "每两周一次迭代复盘",
        ],
    ),
    (
        "客服沟通规范",
        [
            "首问负责制：问题不推诿",
            "标准话术 + 个性化关怀",
            "投诉 24 小时内响应",
            "敏感问题升级至主管",
        ],
    ),
    (
        "系统与工具",
        [
            "CRM：客户档案与跟进记录",
            "审批系统：进件、审批、放款",
            "BI 看板：每日业务数据",
            "知识库：制度、流程、FAQ",
        ],
    ),
    (
        "入职第一周清单",
        [
            "完成必修课程与测验",
            "参加面授培训并签到",
            "开通系统账号，阅读制度",
            "与导师完成第一次一对一",
        ],
    ),
    (
        "资产保全部协作流程",
        [
            "逾期 1–30 天：短信与电话提醒",
            "逾期 31–90 天：专员跟进与协商",
            "逾期 90 天以上：法务评估与诉讼",
            "全程留痕，合规第一",
        ],
    ),
    (
        "小结与下节预告",
        ["业务全貌与部门分工", "岗位职责与合规要求", "下节：信贷产品详解", "请完成训前调研问卷"],
    ),
]


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def ffmpeg(*args: str) -> None:
    run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args])


@dataclass
class Timing:
    wall: float
    cpu: float


class Stopwatch:
    """Wall and CPU time (this process plus waited-for children) of a block."""

    def __enter__(self) -> Stopwatch:
        self.started = time.monotonic()
        self.cpu_started = self._cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timing = Timing(time.monotonic() - self.started, self._cpu() - self.cpu_started)

    @staticmethod
    def _cpu() -> float:
        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            total += usage.ru_utime + usage.ru_stime
        return total


def best(timings: list[Timing]) -> Timing:
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


# --- sources ---------------------------------------------------------------------------


def render_slides(folder: Path) -> list[Path]:
    from PIL import Image, ImageDraw, ImageFont

    title_font = ImageFont.truetype(CJK_FONT, 64)
    body_font = ImageFont.truetype(CJK_FONT, 46)
    small_font = ImageFont.truetype(CJK_FONT, 28)
    paths = []
    for number, (title, bullets) in enumerate(SLIDES, start=1):
        image = Image.new("RGB", (1920, 1080), (246, 246, 240))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 1920, 150), fill=(31, 78, 121))
        draw.text((80, 38), title, font=title_font, fill=(255, 255, 255))
        for row, bullet in enumerate(bullets):
            y = 250 + row * 110
            draw.ellipse((90, y + 16, 110, y + 36), fill=(31, 78, 121))
            draw.text((140, y), bullet, font=body_font, fill=(34, 34, 34))
        # A small bar chart: slides are not only text.
        for bar in range(6):
            height = 40 + ((number * 37 + bar * 53) % 200)
            draw.rectangle((140 + bar * 90, 980 - height, 200 + bar * 90, 980), fill=(90, 140, 190))
        draw.text((1700, 1020), f"{number} / {len(SLIDES)}", font=small_font, fill=(120, 120, 120))
        path = folder / f"slide_{number:02d}.png"
        image.save(path)
        paths.append(path)
    return paths


def make_lecture(path: Path, seconds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        slides = render_slides(Path(tmp))
        listing = Path(tmp) / "slides.txt"
        count = -(-seconds // SLIDE_SECONDS)
        entries = [slides[i % len(slides)] for i in range(count)]
        listing.write_text(
            "".join(f"file '{p}'\nduration {SLIDE_SECONDS}\n" for p in entries)
            + f"file '{entries[-1]}'\n"
        )
        graph = (
            f"[0:v]fps=30,format=yuv420p,trim=duration={seconds}[slides];"
            # The speaker: a small window with moving content and camera sensor noise.
            "[1:v]noise=alls=6:allf=t,format=yuv420p[pip];"
            "[slides][pip]overlay=x=1520:y=790:shortest=1[v];"
            # Speech-like: a voice band tone with a syllable-rate envelope, plus room noise.
            "[2:a]volume='0.35+0.3*sin(2*PI*4*t)':eval=frame[voice];"
            "[voice][3:a]amix=inputs=2:duration=first[a]"
        )
        ffmpeg(
            *("-f", "concat", "-safe", "0", "-i", str(listing)),
            *("-f", "lavfi", "-i", f"testsrc2=size=352x256:rate=30:duration={seconds}"),
            *("-f", "lavfi", "-i", f"sine=frequency=190:sample_rate=48000:duration={seconds}"),
            *("-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude=0.02:duration={seconds}"),
            *("-filter_complex", graph, "-map", "[v]", "-map", "[a]"),
            *("-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-b:a", "192k", "-ac", "2", "-movflags", "+faststart", str(path)),
        )


def make_worst(path: Path, seconds: int) -> None:
    ffmpeg(
        *("-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}"),
        *("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"),
        *("-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-b:a", "192k", "-ac", "2", "-movflags", "+faststart", str(path)),
    )


def source(name: str, seconds: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}_{seconds}s_1080p30.mp4"
    if not path.exists():
        started = time.monotonic()
        print(f"generating {path.name} …", file=sys.stderr, flush=True)
        (make_lecture if name == "lecture" else make_worst)(path, seconds)
        print(f"  {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return path


# --- the baselines: hand-written ffmpeg ---------------------------------------------------

# (width, height, profile, maxrate, audio bitrate): what a person would type for this ladder.
HAND_LADDER = [
    (1920, 1080, "high", "6000k", "96k"),
    (1280, 720, "high", "3000k", "96k"),
    (854, 480, "main", "1200k", "64k"),
    (640, 360, "main", "600k", "64k"),
]


def hand_output(
    index: int, rung: tuple[int, int, str, str, str], out: Path, preset: str
) -> list[str]:
    _w, _h, profile, maxrate, audio = rung
    folder = out / str(index)
    folder.mkdir(parents=True, exist_ok=True)
    bufsize = f"{2 * int(maxrate[:-1])}k"
    return [
        *("-c:v", "libx264", "-preset", preset, "-profile:v", profile, "-crf", "23"),
        *("-maxrate", maxrate, "-bufsize", bufsize, "-g", "60", "-keyint_min", "60"),
        *("-sc_threshold", "0", "-force_key_frames", "expr:gte(t,n_forced*2)"),
        *("-c:a", "aac", "-b:a", audio, "-ac", "2"),
        *("-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod"),
        *("-hls_segment_filename", f"{folder}/seg_%05d.ts", f"{folder}/index.m3u8"),
    ]


def hand_single_process(src: Path, out: Path, preset: str) -> Timing:
    labels = "".join(f"[s{i}]" for i in range(len(HAND_LADDER)))
    alabels = "".join(f"[a{i}]" for i in range(len(HAND_LADDER)))
    graph = (
        f"[0:v]split={len(HAND_LADDER)}{labels};"
        + "".join(f"[s{i}]scale={w}:{h}[v{i}];" for i, (w, h, *_rest) in enumerate(HAND_LADDER))
        + f"[0:a]asplit={len(HAND_LADDER)}{alabels}"
    )
    args = ["-i", str(src), "-filter_complex", graph]
    for i, rung in enumerate(HAND_LADDER):
        args += ["-map", f"[v{i}]", "-map", f"[a{i}]", *hand_output(i, rung, out, preset)]
    with Stopwatch() as watch:
        ffmpeg(*args)
    shutil.rmtree(out, ignore_errors=True)
    return watch.timing


def hand_process_per_rung(src: Path, out: Path, preset: str) -> Timing:
    with Stopwatch() as watch:
        for i, rung in enumerate(HAND_LADDER):
            w, h = rung[0], rung[1]
            ffmpeg("-i", str(src), "-vf", f"scale={w}:{h}", *hand_output(i, rung, out, preset))
    shutil.rmtree(out, ignore_errors=True)
    return watch.timing


# --- Onramp ------------------------------------------------------------------------------


@dataclass
class RungResult:
    name: str
    width: int
    height: int
    mb_per_min: float
    bandwidth: int
    ssim: float


def onramp_ingest(src: Path, preset: str, threads: int) -> tuple[Timing, object]:
    from media.pipeline.probe import video_probe
    from media.pipeline.transcode import video_transcode
    from media.services import video_create

    with Stopwatch() as watch:
        with src.open("rb") as stream:
            video = video_create(title=src.stem, file=stream, filename=src.name)
        video = video_probe(video=video)
        video = video_transcode(video=video, preset=preset, threads=threads)
    if video.status != "ready":
        raise SystemExit(f"ingest failed: {video.failure_code}\n{video.ffmpeg_log}")
    return watch.timing, video


def ssim(rung_playlist: Path, src: Path, width: int, height: int) -> float:
    # setpts: TS segments start at ~1.4 s, the source at 0; framestep keeps every 5th
    # frame of both so the run stays short while the frames still pair up.
    graph = (
        "[0:v]setpts=PTS-STARTPTS,framestep=5,format=yuv420p[d];"
        f"[1:v]setpts=PTS-STARTPTS,scale={width}:{height}:flags=bicubic,setsar=1,"
        "format=yuv420p,framestep=5[r];[d][r]ssim"
    )
    result = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-i",
            str(rung_playlist),
            "-i",
            str(src),
            "-filter_complex",
            graph,
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"SSIM .* All:([0-9.]+)", result.stderr)
    if not match:
        raise RuntimeError(result.stderr[-2000:])
    return float(match.group(1))


def measure_rungs(video: object, src: Path) -> list[RungResult]:
    from django.core.files.storage import default_storage

    master = Path(default_storage.path(video.master_playlist.name))  # type: ignore[attr-defined]
    results = []
    for rendition in video.renditions.order_by("-height"):  # type: ignore[attr-defined]
        playlist = master.parent / rendition.playlist
        minutes = video.duration / 60  # type: ignore[attr-defined]
        results.append(
            RungResult(
                name=rendition.name,
                width=rendition.width,
                height=rendition.height,
                mb_per_min=rendition.size / 1e6 / minutes,
                bandwidth=rendition.bandwidth,
                ssim=ssim(playlist, src, rendition.width, rendition.height),
            )
        )
    return results


# --- main ----------------------------------------------------------------------------------


def setup_django(data_dir: Path) -> None:
    os.environ["ONRAMP_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--preset", default="")
    parser.add_argument("--threads", type=int, default=-1, help="x264 threads per rung (0 = auto)")
    parser.add_argument("--clips", default="lecture,worst")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--repeat", type=int, default=2, help="runs per approach; best counts")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="onramp-bench-") as tmp:
        setup_django(Path(tmp) / "data")
        from media.ffmpeg import encode as onramp_encode

        preset = options.preset or onramp_encode.X264_PRESET
        threads = options.threads if options.threads >= 0 else onramp_encode.X264_THREADS
        print(f"ffmpeg: {run(['ffmpeg', '-version']).stdout.splitlines()[0]}")
        print(
            f"CPU cores: {os.cpu_count()}; x264 preset {preset}, threads per rung {threads or 'auto'}"
        )
        for name in options.clips.split(","):
            src = source(name, options.seconds)
            print(f"\n== {name}: {src.name} ({src.stat().st_size / 1e6:.1f} MB source)", flush=True)
            onramp: list[Timing] = []
            single: list[Timing] = []
            per_rung: list[Timing] = []
            video = None
            for _round in range(options.repeat):
                timing, video = onramp_ingest(src, preset, threads)
                onramp.append(timing)
                if not options.skip_baselines:
                    out = Path(tmp) / f"hand-{name}"
                    single.append(hand_single_process(src, out / "single", preset))
                    per_rung.append(hand_process_per_rung(src, out / "per-rung", preset))
            duration = video.duration  # type: ignore[attr-defined]
            ours = best(onramp)
            print(
                f"Onramp ingest (probe, 1 ffmpeg: 4 rungs + sprite, poster)  "
                f"wall {ours.wall:6.1f} s  cpu {ours.cpu:6.1f} s  "
                f"realtime factor {duration / ours.wall:.2f}x"
            )
            if single:
                hand, split = best(single), best(per_rung)
                print(
                    f"hand-written single ffmpeg command                    "
                    f"wall {hand.wall:6.1f} s  cpu {hand.cpu:6.1f} s  "
                    f"realtime factor {duration / hand.wall:.2f}x  -> Onramp overhead "
                    f"{100 * (ours.wall / hand.wall - 1):+.1f} % wall, "
                    f"{100 * (ours.cpu / hand.cpu - 1):+.1f} % cpu"
                )
                print(
                    f"one ffmpeg process per rendition, one after another   "
                    f"wall {split.wall:6.1f} s  cpu {split.cpu:6.1f} s  "
                    f"realtime factor {duration / split.wall:.2f}x  -> Onramp speed-up "
                    f"{split.wall / ours.wall:.2f}x wall, {split.cpu / ours.cpu:.2f}x cpu"
                )
            print(f"{'rung':>6} {'size':>10} {'MB/min':>7} {'peak kbit/s':>12} {'SSIM':>7}")
            for rung in measure_rungs(video, src):
                print(
                    f"{rung.name:>6} {rung.width:>4}x{rung.height:<5} {rung.mb_per_min:7.2f} "
                    f"{rung.bandwidth / 1000:12.0f} {rung.ssim:7.4f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
