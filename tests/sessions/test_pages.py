"""The learner's session pages, as a learner uses them on the phone."""

import pytest
from django.utils import timezone

from lms.paths.models import EnrolmentItem
from lms.paths.services import enrolment_assign_manually
from lms.sessions.models import SignUp
from tests.factories import CohortFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory
from tests.sessions.factories import InPersonSessionFactory, SignUpFactory, in_days, learner
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_pages_need_sign_in(client):
    session = InPersonSessionFactory()
    for url in ("/sessions/", f"/sessions/{session.pk}/", f"/sessions/{session.pk}/survey/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(f"/sessions/{session.pk}/signup/").status_code == 302
    assert not SignUp.objects.exists()


def test_list_detail_sign_up_and_cancel(client):
    session = InPersonSessionFactory(title="客户经理展业实务", capacity=1)
    user = learner()
    client.force_login(user)
    listing = client.get("/sessions/").content.decode()
    assert "客户经理展业实务" in listing
    detail = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f"/sessions/{session.pk}/signup/" in detail
    response = client.post(f"/sessions/{session.pk}/signup/", follow=True)
    assert response.status_code == 200
    assert SignUp.objects.get(user=user).status == "confirmed"
    assert f"/sessions/{session.pk}/calendar.ics" in response.content.decode()
    client.post(f"/sessions/{session.pk}/cancel/")
    assert SignUp.objects.get(user=user).status == "cancelled"


def test_full_session_offers_the_waitlist(client):
    session = InPersonSessionFactory(capacity=1)
    SignUpFactory(session=session, user=learner())
    user = learner()
    client.force_login(user)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "候补" in page
    client.post(f"/sessions/{session.pk}/signup/")
    assert SignUp.objects.get(user=user).status == "waitlisted"


def test_refusal_is_shown_not_a_500(client):
    session = InPersonSessionFactory(signup_closes_at=timezone.now())
    client.force_login(learner())
    response = client.post(f"/sessions/{session.pk}/signup/", follow=True)
    assert response.status_code == 200
    assert not SignUp.objects.exists()
    assert "message error" in response.content.decode()


def test_other_cohorts_session_is_404(client):
    session = InPersonSessionFactory()
    session.audience_cohorts.set([CohortFactory()])
    session.save()
    client.force_login(learner())
    assert client.get(f"/sessions/{session.pk}/").status_code == 404
    assert client.post(f"/sessions/{session.pk}/signup/").status_code == 404
    assert client.get("/sessions/").content.decode().count(f"/sessions/{session.pk}/") == 0


def test_wrong_methods_and_hostile_input(client):
    session = InPersonSessionFactory()
    client.force_login(learner())
    assert client.get(f"/sessions/{session.pk}/signup/").status_code == 405
    assert client.get("/sessions/?page=9999&course=<script>").status_code == 200
    assert (
        client.post(f"/sessions/{session.pk}/feedback/", {"rating": "9" * 500}).status_code == 302
    )
    assert client.get(f"/sessions/{session.pk}/check-in/?t=" + "x" * 5000).status_code == 200


def test_feedback_from_attendees(client):
    session = InPersonSessionFactory(parts=[(in_days(-1), in_days(-1, 3))])
    user = learner()
    SignUpFactory(session=session, user=user, status="attended", queued_at=timezone.now())
    client.force_login(user)
    assert (
        f"/sessions/{session.pk}/feedback/"
        in client.get(f"/sessions/{session.pk}/").content.decode()
    )
    client.post(f"/sessions/{session.pk}/feedback/", {"rating": "5", "comment": "<b>很好</b>"})
    signup = SignUp.objects.get(user=user)
    assert (signup.feedback_rating, signup.feedback_comment) == (5, "<b>很好</b>")
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "<b>很好</b>" not in page  # escaped


def test_path_map_links_session_and_survey_items(client):
    survey = SurveyFactory()
    session = InPersonSessionFactory(title="客户经理展业实务", survey=survey)
    path = LearningPathFactory(name="客户经理入职路径")
    stage = PathStageFactory(path=path, name="第一个月")
    session_item = PathItemFactory(stage=stage, kind="session", title="面授：客户开发实战演练")
    survey_item = PathItemFactory(stage=stage, kind="survey", title="训前调研", sort_order=1)
    session.path_items.set([session_item])
    session.save()
    survey.path_items.set([survey_item])
    survey.save()
    user = learner()
    enrolment_assign_manually(employee=user.employee, path=path)
    client.force_login(user)
    home = client.get("/").content.decode()
    mine = EnrolmentItem.objects.get(item=session_item)
    mine_survey = EnrolmentItem.objects.get(item=survey_item)
    assert f"/sessions/path-item/{mine.pk}/" in home
    assert f"/sessions/path-item/{mine_survey.pk}/" in home
    # Not signed up: the only open session opens; the survey asks to sign up first.
    assert client.get(f"/sessions/path-item/{mine.pk}/")["Location"] == f"/sessions/{session.pk}/"
    assert client.get(f"/sessions/path-item/{mine_survey.pk}/")["Location"] == "/sessions/"
    client.post(f"/sessions/{session.pk}/signup/")
    assert (
        client.get(f"/sessions/path-item/{mine_survey.pk}/")["Location"]
        == f"/sessions/{session.pk}/survey/"
    )
    home = client.get("/").content.decode()
    # The upcoming-session card, with the survey still to answer.
    assert "客户经理展业实务" in home and f'href="/sessions/{session.pk}/"' in home
    assert "survey-due" in home
    # Someone else's path item is not reachable.
    client.force_login(learner())
    assert client.get(f"/sessions/path-item/{mine.pk}/").status_code == 404
