"""Refresh the README's screenshots from a running Onramp with the demo data.

    make run   # in another terminal (or any server with seed_demo loaded)
    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000]

Uses Debian's Chromium through Playwright; writes small PNGs to docs/screenshots/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
# The demo password documented in the README (lms/demo/org.py sets it).
PASSWORD = "onramp-demo-2026"  # noqa: S105
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


def sign_in(page: Page, url: str, username: str, admin: bool = False) -> None:
    if admin:
        page.goto(f"{url}/admin/login/")
    else:
        page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


LESSON = "/courses/company-culture/internet-finance-and-us/"
QUIZ_LESSON = "/courses/company-culture/culture-and-learning/"


def learner_phone_screens(page: Page, url: str) -> None:
    """The player, a quiz one question per screen, the transcript (demo.learner)."""
    page.goto(f"{url}{LESSON}")
    page.wait_for_selector("video.player-video")
    page.evaluate(
        "(() => { const v = document.querySelector('video.player-video');"
        " v.muted = true; return v.play(); })()"
    )
    page.wait_for_timeout(2500)
    page.evaluate("document.querySelector('video.player-video').pause()")
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "learner-player-phone.png")
    page.goto(f"{url}{QUIZ_LESSON}")
    quiz = page.locator("form.quiz-form")
    if quiz.count():
        quiz.locator("fieldset.question input").first.check()
        quiz.scroll_into_view_if_needed()
        page.locator(".quiz").first.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=OUT / "learner-quiz-phone.png")
    page.goto(f"{url}/learn/me/transcript/")
    page.screenshot(path=OUT / "learner-transcript-phone.png")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)

        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
        )
        page = phone.new_page()
        page.goto(f"{args.url}/accounts/login/")
        page.screenshot(path=OUT / "learner-sign-in-phone.png")
        sign_in(page, args.url, "demo.learner")
        page.screenshot(path=OUT / "learner-home-phone.png")
        learner_phone_screens(page, args.url)
        phone.close()

        laptop = browser.new_context(viewport={"width": 1366, "height": 850}, locale="zh-CN")
        page = laptop.new_page()
        sign_in(page, args.url, "demo.hr", admin=True)
        page.goto(f"{args.url}/admin/snippets/org/employee/?cohort=&status=active")
        page.screenshot(path=OUT / "hr-employees-laptop.png")
        page.goto(f"{args.url}/admin/snippets/org/department/")
        page.screenshot(path=OUT / "hr-departments-laptop.png")
        # HR tracking (lms/reports): the dashboard, a department's people, one transcript.
        page.goto(f"{args.url}/admin/reports/")
        page.screenshot(path=OUT / "hr-reports-dashboard-laptop.png", full_page=True)
        page.goto(f"{args.url}/admin/reports/people/?department=1&o=-overdue")
        page.screenshot(path=OUT / "hr-reports-people-laptop.png")
        page.click("table.listing tbody tr:first-child a")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "hr-reports-person-laptop.png", full_page=True)
        laptop.close()
        browser.close()
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(OUT.parent.parent)}  {png.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
