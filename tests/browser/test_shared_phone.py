"""One phone, several new hires: nothing of one person reaches the next.

The service worker keeps pages for offline use per person and drops them when that
person signs out; the progress outbox keeps unsent events per person, and a page of A
left open after B signed in cannot send them as B's.
"""

import pytest
from playwright.sync_api import Error as PlaywrightError

from lms.paths.services import enrolment_assign_manually
from lms.progress.models import ProgressEvent
from tests.browser.test_learner_journey import VIDEO, outbox, play_until, sign_in, wait_outbox
from tests.factories import EmployeeFactory
from tests.learner.factories import PASSWORD, learning_world

pytestmark = pytest.mark.django_db(transaction=True)

TRANSCRIPT = "/learn/me/transcript/"


def person(employee_no: str, name: str):
    employee = EmployeeFactory(employee_no=employee_no, name=name)
    employee.user.set_password(PASSWORD)
    employee.user.save()
    return employee


def controlled_by_the_worker(page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


# Any of the worker's caches, whatever the stored page's Vary says (Cookie, language).
KEPT = "async (path) => Boolean(await caches.match(path, { ignoreVary: true }))"


def kept(page, path: str) -> bool:
    """Whether the service worker holds a copy of the page."""
    return page.evaluate(KEPT, path)


def wait_kept(page, path: str) -> None:
    page.wait_for_function(KEPT, arg=path)


def nothing_to_show(page, url: str) -> str:
    """Open `url` offline and expect the phone to have no page for it; the text shown."""
    with pytest.raises(PlaywrightError, match="net::ERR_FAILED"):
        page.goto(url)
    # Chromium now shows its own error page; read it once it has settled.
    for _attempt in range(50):
        try:
            return page.content()
        except PlaywrightError:
            page.wait_for_timeout(100)
    return page.content()


def sign_out(page, base: str) -> None:
    page.locator("footer.foot button[type=submit]").click()
    page.wait_for_url(f"{base}/accounts/login/")


def test_signing_out_leaves_nothing_to_read_offline(live_server, phone):
    base = live_server.url
    a = person("E2026101", "周晓雯")
    sign_in(phone, base, a.employee_no)
    controlled_by_the_worker(phone)
    phone.goto(base + TRANSCRIPT)
    phone.locator(".page-head .hint", has_text="周晓雯").wait_for()
    wait_kept(phone, TRANSCRIPT)

    # While A is signed in, A's transcript opens offline: the phone did keep it.
    phone.context.set_offline(True)
    phone.goto(base + TRANSCRIPT)
    assert "周晓雯" in phone.locator(".page-head").inner_text()
    phone.context.set_offline(False)

    phone.goto(base + "/")
    sign_out(phone, base)
    assert not kept(phone, TRANSCRIPT)
    assert not kept(phone, "/")
    assert [name for name in phone.evaluate("caches.keys()") if "user" in name] == []

    phone.context.set_offline(True)
    for path in (TRANSCRIPT, "/", "/learn/me/profile/"):
        content = nothing_to_show(phone, base + path)
        assert "周晓雯" not in content
        assert "E2026101" not in content
    phone.context.set_offline(False)


def test_the_next_person_offline_sees_only_their_own_pages(live_server, phone):
    base = live_server.url
    a = person("E2026102", "陈思远")
    b = person("E2026103", "刘一鸣")
    sign_in(phone, base, a.employee_no)
    controlled_by_the_worker(phone)
    phone.goto(base + TRANSCRIPT)
    wait_kept(phone, TRANSCRIPT)
    sign_out(phone, base)

    sign_in(phone, base, b.employee_no)
    phone.locator("h1", has_text="刘一鸣").wait_for()
    wait_kept(phone, "/")
    phone.context.set_offline(True)
    # B never opened the transcript: offline, the phone shows B's own path map instead.
    phone.goto(base + TRANSCRIPT)
    content = phone.content()
    assert "陈思远" not in content
    assert "E2026102" not in content
    assert "刘一鸣" in phone.locator("h1").inner_text()
    phone.context.set_offline(False)


def test_unsent_progress_waits_for_its_own_person(
    live_server, phone, transcoded_video, monkeypatch
):
    from rest_framework.response import Response

    from lms.api.v1.progress import ProgressEventsApi

    base = live_server.url
    world = learning_world(video=transcoded_video)
    a = world.employee
    b = person("E2026104", "赵子涵")
    enrolment_assign_manually(employee=b, path=world.path)  # B may see the same lesson

    # The progress API is down while A watches: A's events stay in the outbox.
    monkeypatch.setattr(ProgressEventsApi, "post", lambda self, request: Response(status=503))
    sign_in(phone, base, a.employee_no)
    phone.goto(f"{base}{world.lesson.url}")
    phone.wait_for_function(f"() => {VIDEO} && {VIDEO}.readyState >= 1", timeout=15_000)
    play_until(phone, 2)
    queued = wait_outbox(phone, empty=False)

    # A's lesson stays open in one tab while, in another, A signs out and B signs in.
    other = phone.context.new_page()
    other.goto(f"{base}/")
    sign_out(other, base)
    sign_in(other, base, b.employee_no)
    monkeypatch.undo()  # the API is back

    # A's tab tries again, now with B's session: refused, and kept for A.
    with phone.expect_response(lambda r: "/api/v1/progress/events/" in r.url) as sent:
        phone.evaluate("window.dispatchEvent(new Event('online'))")
    assert not ProgressEvent.objects.filter(client_id__in=queued).exists()
    assert sent.value.status == 409
    # B's own pages send B's events only.
    other.reload()
    other.wait_for_load_state("networkidle")
    assert not ProgressEvent.objects.filter(client_id__in=queued).exists()
    assert sorted(outbox(other)) == sorted(queued)

    # A signs in again on the phone: A's events go, as A's.
    sign_out(other, base)
    sign_in(other, base, a.employee_no)
    wait_outbox(other, empty=True)
    assert ProgressEvent.objects.filter(client_id__in=queued, user=a.user).count() == len(queued)
    assert not ProgressEvent.objects.filter(user=b.user).exists()
