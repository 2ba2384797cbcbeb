"""A new hire on a phone: path map → lesson → play → resume → offline → quiz → done.

One journey, as a person goes through it at 390×844, with an axe-core check and a
screenshot (var/test-artifacts/) on each screen.
"""

import time

import pytest

from courses.models import CoursePage
from lms.progress.models import ProgressEvent, VideoWatch
from tests.courses.factories import answer_key
from tests.learner.factories import PASSWORD, learning_world

pytestmark = pytest.mark.django_db(transaction=True)

OUTBOX_IDS = """
() => new Promise((resolve, reject) => {
  const open = indexedDB.open("onramp-progress", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("outbox")) return resolve([]);
    const all = db.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result.map((r) => r.id));
    all.onerror = () => reject(all.error);
  };
})
"""

VIDEO = "document.querySelector('video.player-video')"


def outbox(page) -> list[str]:
    return page.evaluate(OUTBOX_IDS)


def wait_outbox(page, *, empty: bool, timeout: float = 15) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        ids = outbox(page)
        if bool(ids) != empty:
            return ids
        assert time.monotonic() < deadline, f"outbox still {'not ' if empty else ''}empty: {ids}"
        page.wait_for_timeout(250)


def play_until(page, seconds: float) -> None:
    # Muted playback is allowed without a tap, as on a phone with the sound off.
    page.evaluate(f"{VIDEO}.muted = true; {VIDEO}.play()")
    page.wait_for_function(f"() => {VIDEO}.currentTime >= {seconds}", timeout=30_000, polling=100)
    page.evaluate(f"{VIDEO}.pause()")


def sign_in(page, base: str, login: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_new_hire_learns_on_a_phone(live_server, phone, transcoded_video, artifacts, axe_check):
    world = learning_world(video=transcoded_video, must_watch=60)
    base = live_server.url
    user = world.employee.user

    # Path map
    sign_in(phone, base, world.employee.employee_no)
    phone.locator(".continue", has_text="公司介绍与企业文化").wait_for()
    axe_check(phone, "path map")
    artifacts(phone, "journey-1-path-map")

    # Course page → lesson
    phone.click(".continue")
    phone.locator("h1", has_text="公司介绍与企业文化").wait_for()
    axe_check(phone, "course page")
    artifacts(phone, "journey-2-course")
    phone.click(".lesson-list a")
    phone.locator("h1", has_text="互联网金融与我们的公司").wait_for()
    phone.wait_for_function(f"() => {VIDEO} && {VIDEO}.readyState >= 1", timeout=15_000)
    axe_check(phone, "lesson")

    # Play 5 s; pausing sends the watched range and the position.
    play_until(phone, 5)
    wait_outbox(phone, empty=True)
    artifacts(phone, "journey-3-player")
    watch = VideoWatch.objects.get(user=user, video_id=transcoded_video.pk)
    assert watch.last_position >= 4.5
    assert watch.watched_seconds >= 4

    # Reload: the player resumes where the learner stopped.
    phone.reload()
    phone.wait_for_function(f"() => {VIDEO} && {VIDEO}.currentTime >= 4", timeout=15_000)
    assert phone.locator(".player-message").inner_text().strip() != ""

    # Buffer to the end while online, then lose the connection and keep watching.
    phone.evaluate(f"{VIDEO}.muted = true; {VIDEO}.play()")
    phone.wait_for_function(
        f"() => {VIDEO}.buffered.length && {VIDEO}.buffered.end({VIDEO}.buffered.length - 1) >= 9.5",
        timeout=30_000,
    )
    phone.context.set_offline(True)
    phone.wait_for_function(f"() => {VIDEO}.currentTime >= 7.5", timeout=30_000, polling=100)
    phone.evaluate(f"{VIDEO}.pause()")
    queued = wait_outbox(phone, empty=False)
    assert phone.locator("#offline-banner").is_visible()
    assert not ProgressEvent.objects.filter(user=user, client_id__in=queued).exists()
    artifacts(phone, "journey-4-offline")

    # Back online: the queue drains by itself, and the server has each event once.
    phone.context.set_offline(False)
    wait_outbox(phone, empty=True)
    assert ProgressEvent.objects.filter(user=user, client_id__in=queued).count() == len(queued)
    watch.refresh_from_db()
    assert watch.last_position >= 7
    # Seconds are counted once however often a range was sent: never more than the video.
    assert 7 <= watch.watched_seconds <= transcoded_video.duration + 0.5
    assert watch.percent >= 60

    # The quiz: one question per screen, then the result with explanations.
    key = answer_key(world.quiz)
    questions = phone.locator("fieldset.question")
    count = questions.count()
    assert count == 3
    for index in range(count):
        question = questions.nth(index)
        assert question.is_visible()
        qid = question.locator("input").first.get_attribute("name").removeprefix("q-")
        for option in key[qid]:
            question.locator(f"input[value='{option}']").check()
        if index < count - 1:
            assert phone.locator(".quiz-form button[type=submit]").is_hidden()
            phone.click(".quiz-steps .button:not([hidden]) >> nth=-1")
    axe_check(phone, "quiz")
    artifacts(phone, "journey-5-quiz")
    phone.click(".quiz-form button[type=submit]")
    phone.locator(".score-value", has_text="100%").wait_for()
    assert phone.locator(".explanation").count() == 3
    axe_check(phone, "quiz result")
    artifacts(phone, "journey-6-quiz-result")

    # The path map shows the course done.
    phone.goto(f"{base}/")
    done = phone.locator(".item.state-done", has_text="公司介绍与企业文化")
    done.wait_for()
    artifacts(phone, "journey-7-path-map-done")
    assert CoursePage.objects.filter(pk=world.course.pk).exists()

    # The transcript lists it, with a certificate.
    phone.goto(f"{base}/learn/me/transcript/")
    phone.locator(".transcript", has_text="公司介绍与企业文化").first.wait_for()
    axe_check(phone, "transcript")
    phone.locator("a[href*='/me/certificates/']").first.click()
    phone.locator(".certificate-name", has_text="李佳怡").wait_for()
    axe_check(phone, "certificate")
    artifacts(phone, "journey-8-certificate")
