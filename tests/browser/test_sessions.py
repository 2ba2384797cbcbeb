"""A new hire signs up for a session and answers its survey on a phone; the trainer
reads the brief on a laptop."""

import pytest

from lms.sessions.models import SignUp
from lms.surveys.models import SurveyResponse
from lms.surveys.services import survey_add_default_questions
from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory
from tests.factories import EmployeeFactory
from tests.sessions.factories import InPersonSessionFactory
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, url, employee_no):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", employee_no)
    page.fill("#id_password", "a-long-password-1")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


@pytest.fixture
def risk_course():
    return CoursePageFactory(
        parent=CourseIndexPageFactory(),
        title="风险控制入门",
        topics=["风险控制部的职责", "贷前、贷中、贷后", "从案例中学习"],
    )


def person(employee_no, roles):
    employee = EmployeeFactory(employee_no=employee_no, roles=roles)
    employee.user.set_password("a-long-password-1")
    employee.user.save()
    return employee


def test_sign_up_and_answer_the_survey_on_a_phone_then_read_the_brief(
    live_server, phone, laptop, risk_course
):
    course = risk_course
    survey = SurveyFactory(course=course, title="「风险控制入门」训前调研")
    survey_add_default_questions(survey=survey)
    trainer = person("T9001", ["Trainer"])
    session = InPersonSessionFactory(
        title="「风险控制入门」面授", survey=survey, capacity=5, trainers=[trainer.user]
    )
    learner = person("E9001", ["Learner"])

    sign_in(phone, live_server.url, "E9001")
    phone.goto(f"{live_server.url}/sessions/")
    phone.click("text=「风险控制入门」面授")
    phone.click("button:has-text('报名')")
    phone.wait_for_load_state("load")
    assert SignUp.objects.get(user=learner.user).status == "confirmed"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.click("text=填写调研")
    phone.wait_for_load_state("load")
    ranked, confidence, _text = survey.questions.order_by("sort_order")
    topics = [f"t{t.pk}" for t in course.topics.order_by("sort_order")]
    phone.select_option(f"#q{ranked.pk}_rank1", topics[1])
    phone.select_option(f"#q{ranked.pk}_rank2", topics[0])
    for key in topics:
        phone.check(f"input[name=q{confidence.pk}_{key}][value='2']")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("button[type=submit]")
    phone.wait_for_load_state("load")
    assert SurveyResponse.objects.get(user=learner.user).answers[str(ranked.pk)] == topics[1::-1]

    sign_in(laptop, live_server.url, "T9001")
    laptop.goto(f"{live_server.url}/admin/sessions/{session.pk}/brief/")
    assert laptop.locator("svg.demand-chart rect").count() == len(topics)
    assert "100.0%" in laptop.locator(".brief-stats").inner_text()
    # The one person coming has answered and has no prerequisites: nobody to remind.
    assert laptop.locator("input[name=user]").count() == 0
