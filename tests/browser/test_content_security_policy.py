"""The Content-Security-Policy is on, and nothing Onramp serves trips it.

Every page opened here, as a learner on a phone and as an administrator on a laptop,
is watched for violations two ways: the `securitypolicyviolation` events of every frame
(reported through an init script, which the policy itself does not govern) and
Chromium's console, where refusals such as framing show up.
"""

import pytest

from tests.courses.factories import answer_key
from tests.factories import EmployeeFactory
from tests.learner.factories import PASSWORD, learning_world

from .test_learner_journey import VIDEO, play_until, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.onrampCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} in ` +
    `${event.sourceFile || document.URL}:${event.lineNumber} ${event.sample}`
  );
});
"""


def watch_violations(page) -> list[str]:
    violations: list[str] = []
    page.context.expose_binding("onrampCspViolation", lambda source, text: violations.append(text))
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            violations.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


def test_a_learner_journey_trips_no_policy(live_server, phone, transcoded_video):
    world = learning_world(video=transcoded_video)
    violations = watch_violations(phone)
    base = live_server.url

    response = phone.goto(f"{base}/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    sign_in(phone, base, world.employee.employee_no)
    phone.locator(".continue", has_text="公司介绍与企业文化").wait_for()
    # The service worker is allowed: it registers and takes control.
    assert phone.evaluate("navigator.serviceWorker.ready.then((r) => r.active !== null)")

    phone.click(".continue")
    phone.locator("h1", has_text="公司介绍与企业文化").wait_for()
    phone.click(".lesson-list a")
    phone.wait_for_function(f"() => {VIDEO} && {VIDEO}.readyState >= 1", timeout=15_000)
    play_until(phone, 2)
    # hls.js plays it (MediaSource behind a blob: URL), not Chromium natively.
    assert phone.evaluate(f"{VIDEO}.src").startswith("blob:")

    # The quiz steps through its questions, one per screen, then shows the result.
    key = answer_key(world.quiz)
    questions = phone.locator("fieldset.question")
    for index in range(questions.count()):
        question = questions.nth(index)
        qid = question.locator("input").first.get_attribute("name").removeprefix("q-")
        for option in key[qid]:
            question.locator(f"input[value='{option}']").check()
        if index < questions.count() - 1:
            phone.click(".quiz-steps .button:not([hidden]) >> nth=-1")
    phone.click(".quiz-form button[type=submit]")
    phone.locator(".score-value", has_text="100%").wait_for()

    phone.goto(f"{base}/learn/me/transcript/")
    phone.locator(".transcript").first.wait_for()
    assert violations == [], "\n".join(violations)


def test_the_admin_page_editor_with_its_preview_and_the_api_docs_trip_no_policy(
    live_server, laptop
):
    world = learning_world()
    admin = EmployeeFactory(employee_no="A0001", user__is_superuser=True)
    admin.user.set_password(PASSWORD)
    admin.user.save()
    violations = watch_violations(laptop)
    base = live_server.url
    sign_in(laptop, base, "A0001")

    laptop.goto(f"{base}/admin/")
    # The sidebar is drawn by the admin's scripts.
    laptop.get_by_role("link", name="学习报表").wait_for()

    laptop.goto(f"{base}/admin/pages/{world.lesson.pk}/edit/")
    laptop.locator("#page-edit-form").wait_for()
    laptop.locator(".Draftail-Editor").first.wait_for()  # StreamField and Draftail mounted
    laptop.click("[data-side-panel-toggle='preview']")
    preview = laptop.frame_locator("#w-preview-iframe")
    preview.locator("h1", has_text="互联网金融与我们的公司").wait_for(timeout=20_000)

    laptop.goto(f"{base}/api/v1/docs/")
    laptop.locator(".swagger-ui .opblock-tag").first.wait_for(timeout=20_000)
    assert violations == [], "\n".join(violations)
