"""Page weight and speed on a phone: the path map and a lesson, over a throttled network.

    .venv/bin/python benchmarks/page_weight.py [--keep DIR]

Builds a fresh data directory with the demo data (`seed_demo`) and one lesson video
through the real pipeline (ffmpeg → HLS ladder), serves it the production way
(gunicorn, DEBUG=0, collectstatic: whitenoise's hashed, gzip-compressed, long-cached
files) and loads it in headless Debian Chromium at 390×844 as demo.learner over
Lighthouse's "slow 4G" profile (Network.emulateNetworkConditions via CDP: 562.5 ms
request latency, 1.47 Mbit/s down, 675 kbit/s up).

Prints, per page: bytes transferred by resource type (compressed, as on the wire), first
contentful paint, and for the lesson the time from pressing play to the first video frame.
Service workers are blocked while measuring so that the first load is a real first load;
a second visit shows what the HTTP cache saves. The baseline is the sign-in page, the
smallest page the app serves; the budget is 100 KB of gzip JS + CSS on the path map.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLOW_4G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}
BUDGET_JS_CSS = 100 * 1024
LESSON_SLUG = "internet-finance-and-us"
PASSWORD = "onramp-demo-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def prepare(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ONRAMP_DATA_DIR": str(data_dir),
        "DEBUG": "1",
        "ONRAMP_DEMO_VIDEOS": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if not (data_dir / "ready").exists():
        print("Preparing a data directory with the demo data (about a minute)…", flush=True)
        run([PYTHON, "manage.py", "migrate", "-v0"], env)
        run([PYTHON, "manage.py", "seed_demo"], env, stdout=subprocess.DEVNULL)
        # Transcode the one video the benchmark plays, synchronously (the others stay
        # queued: their lessons are not loaded here).
        run(
            [
                PYTHON,
                "-c",
                "import django; django.setup()\n"
                "from courses.models import LessonPage\n"
                "from media.pipeline.transcode import video_transcode\n"
                f"lesson = LessonPage.objects.get(slug={LESSON_SLUG!r}, locale__language_code='zh-hans')\n"
                "for _id, video, _t in lesson.video_blocks():\n"
                "    video_transcode(video=video)\n",
            ],
            {**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        )
        # Video access goes through Wagtail's reference index, which a worker would fill.
        run([PYTHON, "manage.py", "rebuild_references_index"], env, stdout=subprocess.DEVNULL)
        (data_dir / "ready").write_text("ok")
    prod = {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
    }
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], prod)
    run(
        [PYTHON, "manage.py", "compilemessages", "-v0", "--ignore=.venv", "--ignore=frontend"], prod
    )
    return prod


class Recorder:
    """Bytes on the wire per resource type, from the DevTools protocol."""

    def __init__(self, cdp) -> None:
        self.types: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.cached: set[str] = set()
        self.bytes: dict[str, int] = defaultdict(int)
        self.files: list[tuple[str, str, int]] = []
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))

    def _response(self, event) -> None:
        self.types[event["requestId"]] = event.get("type", "Other")
        self.urls[event["requestId"]] = event["response"]["url"]
        if event["response"].get("fromDiskCache") or event["response"].get("fromServiceWorker"):
            self.cached.add(event["requestId"])

    def _finished(self, event) -> None:
        rid = event["requestId"]
        kind = self.types.get(rid, "Other")
        size = 0 if rid in self.cached else int(event.get("encodedDataLength", 0))
        self.bytes[kind] += size
        self.files.append((kind, self.urls.get(rid, "?"), size))

    def reset(self) -> None:
        self.bytes.clear()
        self.files.clear()


def measure(base: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    results: dict[str, object] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            service_workers="block",
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        recorder = Recorder(cdp)

        def load(name: str, url: str) -> dict[str, object]:
            recorder.reset()
            started = time.perf_counter()
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")
            fcp = page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
            )
            figures = {
                "bytes": dict(recorder.bytes),
                "files": list(recorder.files),
                "fcp_ms": fcp,
                "load_s": time.perf_counter() - started,
            }
            results[name] = figures
            return figures

        page.goto(f"{base}/accounts/login/")  # warm the server and the connection
        cdp.send("Network.clearBrowserCache")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        load("sign-in (baseline)", f"{base}/accounts/login/")
        # Signing in itself is not measured.
        cdp.send(
            "Network.emulateNetworkConditions",
            {**SLOW_4G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.fill("#id_username", "demo.learner")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        cdp.send("Network.clearBrowserCache")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        load("path map, first visit", f"{base}/")
        load("path map, second visit", f"{base}/")
        lesson = load("lesson, first visit", f"{base}/courses/company-culture/{LESSON_SLUG}/")
        # Press play (muted, as autoplay rules allow) and wait for a decoded frame.
        recorder.reset()
        first_frame_ms = page.evaluate(
            """() => new Promise((resolve, reject) => {
              const video = document.querySelector('video.player-video');
              if (!video) return reject(new Error('no player'));
              const started = performance.now();
              video.muted = true;
              video.requestVideoFrameCallback(() => resolve(performance.now() - started));
              video.play().catch(reject);
              setTimeout(() => reject(new Error('no frame in 60 s')), 60000);
            })"""
        )
        page.wait_for_timeout(3000)  # a few seconds of playback: what the first segments cost
        lesson["first_frame_ms"] = first_frame_ms
        lesson["playback_bytes"] = dict(recorder.bytes)
        lesson["level"] = page.evaluate(
            "document.querySelector('.player-quality option')?.textContent || ''"
        )
        # Cold: a new visit with an empty cache, pressing play as soon as the player is there.
        cdp.send("Network.clearBrowserCache")
        page.goto(f"{base}/", wait_until="load")
        page.goto(f"{base}/courses/company-culture/{LESSON_SLUG}/", wait_until="commit")
        page.wait_for_selector("video.player-video", state="attached", timeout=60_000)
        lesson["cold_first_frame_ms"] = page.evaluate(
            """() => new Promise((resolve, reject) => {
              const video = document.querySelector('video.player-video');
              video.muted = true;
              video.requestVideoFrameCallback((now) => resolve(now));
              video.play().catch(reject);
              setTimeout(() => reject(new Error('no frame in 60 s')), 60000);
            })"""
        )
        browser.close()
    return results


def kb(value: float) -> str:
    return f"{value / 1024:7.1f} KB"


def report(results: dict[str, object]) -> None:
    baseline = results["sign-in (baseline)"]
    base_total = sum(baseline["bytes"].values()) or 1
    base_fcp = baseline["fcp_ms"] or 1
    print()
    print("Network: slow 4G (562.5 ms latency, 1.47 Mbit/s down); phone 390×844, DPR 2")
    print()
    header = f"{'page':28} {'Document':>10} {'Script':>10} {'Stylesheet':>10} {'Image':>10} {'other':>10} {'total':>10} {'FCP':>9}  ratio(bytes, FCP) to baseline"
    print(header)
    print("-" * len(header))
    for name, figures in results.items():
        b = figures["bytes"]
        other = sum(
            v for k, v in b.items() if k not in ("Document", "Script", "Stylesheet", "Image")
        )
        total = sum(b.values())
        fcp = figures["fcp_ms"]
        print(
            f"{name:28} {kb(b.get('Document', 0)):>10} {kb(b.get('Script', 0)):>10} "
            f"{kb(b.get('Stylesheet', 0)):>10} {kb(b.get('Image', 0)):>10} {kb(other):>10} "
            f"{kb(total):>10} {fcp or 0:7.0f} ms  {total / base_total:5.2f}×, {(fcp or 0) / base_fcp:5.2f}×"
        )
    first = results["path map, first visit"]["bytes"]
    js_css = first.get("Script", 0) + first.get("Stylesheet", 0)
    verdict = "within" if js_css <= BUDGET_JS_CSS else "OVER"
    print()
    print(
        f"Path map JS + CSS on first load: {kb(js_css).strip()} gzip "
        f"({js_css / BUDGET_JS_CSS:.2f}× the 100 KB budget: {verdict} budget)"
    )
    lesson = results["lesson, first visit"]
    print(
        f"Lesson: press play → first video frame {lesson['first_frame_ms']:.0f} ms; "
        f"3 s of playback fetched {kb(sum(lesson['playback_bytes'].values())).strip()} "
        f"(quality: {lesson['level']})"
    )
    print(
        "Lesson, empty cache, play pressed as soon as the player appears: first video frame "
        f"{lesson['cold_first_frame_ms']:.0f} ms after navigation start"
    )
    print()
    print("Files on the lesson's first visit:")
    for kind, url, size in sorted(lesson["files"], key=lambda f: -f[2])[:12]:
        print(f"  {kind:11} {kb(size)}  {url.split('//', 1)[-1].split('/', 1)[-1][:80]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="reuse (or create) this data directory")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("Debian's chromium is missing: apt-get install chromium")
    temp = None
    if options.keep:
        data_dir = options.keep.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.TemporaryDirectory(prefix="onramp-weight-")
        data_dir = Path(temp.name)
    env = prepare(data_dir)
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://localhost:{port}"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        results = measure(base)
        report(results)
        (data_dir / "page_weight.json").write_text(json.dumps(results, indent=1, default=str))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    main()
