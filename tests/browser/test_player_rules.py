"""The player's rules in Chromium: no skipping ahead, and progress sent as the page goes."""

import pytest

from lms.progress.models import VideoWatch
from tests.learner.world import PASSWORD, learning_world

pytestmark = pytest.mark.django_db(transaction=True)

VIDEO = "document.querySelector('video.player-video')"


def open_lesson(page, base: str, world) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", world.employee.employee_no)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}{world.lesson.url}")
    page.wait_for_function(f"{VIDEO} && {VIDEO}.readyState >= 1", timeout=15_000)


def test_no_skipping_keeps_the_learner_before_the_furthest_point(
    live_server, phone, transcoded_video, artifacts
):
    world = learning_world(video=transcoded_video, no_skipping=True)
    open_lesson(phone, live_server.url, world)
    phone.evaluate(f"{VIDEO}.currentTime = 8")
    phone.wait_for_function(f"!{VIDEO}.seeking && {VIDEO}.currentTime < 1.5", timeout=10_000)
    assert phone.locator(".player-message").inner_text().strip()
    artifacts(phone, "player-no-skip")


def test_skipping_is_allowed_in_other_courses(live_server, phone, transcoded_video):
    world = learning_world(video=transcoded_video, no_skipping=False)
    open_lesson(phone, live_server.url, world)
    phone.evaluate(f"{VIDEO}.currentTime = 8")
    phone.wait_for_function(f"!{VIDEO}.seeking && {VIDEO}.currentTime >= 7.9", timeout=10_000)


def test_leaving_the_page_while_playing_sends_the_progress(live_server, phone, transcoded_video):
    world = learning_world(video=transcoded_video)
    # The API is unreachable: only the beacon can deliver.
    phone.context.route("**/api/v1/progress/events/", lambda route: route.abort())
    open_lesson(phone, live_server.url, world)
    phone.evaluate(f"{VIDEO}.muted = true; {VIDEO}.play()")
    phone.wait_for_function(f"{VIDEO}.currentTime >= 3", timeout=30_000, polling=100)
    # No pause: the learner taps a link. pagehide hands the events to sendBeacon.
    phone.goto(f"{live_server.url}/learn/me/profile/")
    deadline = 150  # 30 s: on a loaded CI machine the beacon can queue behind the next page
    while deadline and not VideoWatch.objects.filter(user=world.employee.user).exists():
        phone.wait_for_timeout(200)
        deadline -= 1
    watch = VideoWatch.objects.get(user=world.employee.user)
    assert watch.last_position >= 2.5
    assert watch.watched_seconds >= 2.5
    # The outbox still holds the events until the API acknowledges them: nothing is lost
    # should the beacon not have arrived.
    assert (
        phone.evaluate(
            """() => new Promise((resolve) => {
          const open = indexedDB.open("onramp-progress", 1);
          open.onsuccess = () => {
            const all = open.result.transaction("outbox").objectStore("outbox").count();
            all.onsuccess = () => resolve(all.result);
          };
        })"""
        )
        >= 1
    )
