"""Playwright driving Debian's Chromium (never a downloaded browser)."""

import contextlib
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 850}

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made
# by the live server's fixtures here are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            "Debian's chromium is missing: run `make test` (it installs it) or apt-get install chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class _ServerRequests:
    """How many requests the live server is serving right now (it runs in this process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0

    def started(self, **kwargs) -> None:
        with self.lock:
            self.active += 1

    def finished(self, **kwargs) -> None:
        with self.lock:
            self.active = max(0, self.active - 1)


@contextlib.contextmanager
def _page_in(context):
    """A page whose test ends only once what its leaving sends has been served.

    Leaving a lesson sends the player's exit beacon. Sent by a context closed at
    teardown, it could reach the live server while the database was being flushed for
    the next test: a deadlock on PostgreSQL, foreign-key errors on SQLite.
    """
    from django.core.signals import request_finished, request_started

    requests = _ServerRequests()
    request_started.connect(requests.started, weak=False)
    request_finished.connect(requests.finished, weak=False)
    try:
        yield context.new_page()
        for page in context.pages:
            page.goto("about:blank")
        quiet_since, deadline = None, time.monotonic() + 10
        while time.monotonic() < deadline:
            if requests.active:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 0.5:
                break
            time.sleep(0.05)
    finally:
        context.close()
        request_started.disconnect(requests.started)
        request_finished.disconnect(requests.finished)


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    with _page_in(context) as page:
        yield page


@pytest.fixture
def laptop(chromium):
    context = chromium.new_context(viewport=LAPTOP, locale="zh-CN")
    with _page_in(context) as page:
        yield page


# --- shared by the learner journeys -------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def lesson_clip(tmp_path_factory):
    """A 10 s 640×360 clip with a tone: one HLS rung, three segments."""
    path = tmp_path_factory.mktemp("browser-clips") / "lesson.mp4"
    if not path.exists():
        subprocess.run(
            [
                *("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"),
                *("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=10"),
                *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=10"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
                *("-c:a", "aac", "-b:a", "64k", "-shortest", str(path)),
            ],
            check=True,
        )
    return path


@pytest.fixture
def transcoded_video(lesson_clip, settings, tmp_path):
    """The clip through the real pipeline (probe, HLS ladder, poster), synchronously."""
    from media.pipeline.transcode import video_transcode
    from media.services import video_create

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    with lesson_clip.open("rb") as stream:
        video = video_create(title="互联网金融与我们的公司", file=stream, filename="lesson.mp4")
    return video_transcode(video=video)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> Path:
        target = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)
        return target

    return shot


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail on serious or critical violations."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs npm ci in frontend/)")

    def check(page, screen: str) -> None:
        # Evaluated by the DevTools protocol, not added as an inline <script>: the pages'
        # Content-Security-Policy refuses inline scripts, as it should.
        page.evaluate(AXE.read_text())
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"accessibility problems on {screen}:\n" + "\n".join(bad)

    return check
