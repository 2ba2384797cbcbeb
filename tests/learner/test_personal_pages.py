"""What a shared phone may keep of a person, as the server tells it (see lms/learner/
middleware.py and templates/learner/sw.js; the browser side is tests/browser/
test_shared_phone.py)."""

import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from lms.progress.models import ProgressEvent
from tests.factories import EmployeeFactory
from tests.learner.factories import learning_world
from tests.media.published import publish_fake_video

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/progress/events/"
BEACON = "/learn/progress/beacon/"


@pytest.fixture
def world():
    return learning_world(video=publish_fake_video(), must_watch=50)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def watched(world) -> list[dict]:
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "video.watched",
            "client_time": timezone.now().isoformat(),
            "lesson": world.lesson.pk,
            "video": world.video.pk,
            "start": 0,
            "end": 4,
        }
    ]


def test_pages_name_the_person_they_are_for(world):
    client = signed_in(world.employee.user)
    for url in ("/", "/learn/me/transcript/", world.lesson.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Onramp-User"] == str(world.employee.user.pk)
        assert "private" in response["Cache-Control"]
    signed_out = Client().get("/accounts/login/")
    assert signed_out.status_code == 200
    assert "X-Onramp-User" not in signed_out


def test_pages_that_must_never_be_kept_say_so(world):
    client = signed_in(world.employee.user)
    for url in ("/learn/me/profile/", "/accounts/password/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control, url
        assert "private" in cache_control, url
    assert "no-store" not in client.get("/learn/me/transcript/")["Cache-Control"]


def test_signing_out_clears_the_browser_cache_but_not_its_storage(world):
    client = signed_in(world.employee.user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    # "storage" would also wipe IndexedDB, where the outbox keeps unsent progress.
    assert response["Clear-Site-Data"] == '"cache"'
    assert "_auth_user_id" not in client.session


def test_a_batch_from_another_persons_page_is_refused_and_kept(world):
    other = EmployeeFactory()
    client = signed_in(world.employee.user)
    events = watched(world)
    refused = client.post(
        EVENTS,
        {"events": events},
        content_type="application/json",
        headers={"X-Onramp-User": str(other.user.pk)},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "other_user"
    assert not ProgressEvent.objects.exists()

    mine = client.post(
        EVENTS,
        {"events": events},
        content_type="application/json",
        headers={"X-Onramp-User": str(world.employee.user.pk)},
    )
    assert mine.status_code == 200
    assert [ack["status"] for ack in mine.json()["acks"]] == ["applied"]
    # Clients that do not name a person (the API's other users) are not affected.
    again = client.post(EVENTS, {"events": watched(world)}, content_type="application/json")
    assert again.status_code == 200


def test_a_beacon_from_another_persons_page_is_refused(world):
    other = EmployeeFactory()
    client = signed_in(world.employee.user)
    form = {"events": json.dumps(watched(world))}
    refused = client.post(BEACON, {**form, "user": str(other.user.pk)})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "other_user"
    assert not ProgressEvent.objects.exists()
    assert client.post(BEACON, {**form, "user": str(world.employee.user.pk)}).status_code == 200


def test_the_refusal_is_in_the_persons_language(world):
    other = EmployeeFactory()
    client = signed_in(world.employee.user)
    response = client.post(
        EVENTS,
        {"events": watched(world)},
        content_type="application/json",
        headers={"X-Onramp-User": str(other.user.pk)},
    )
    assert response.status_code == 409
    assert (
        response.json()["error"]["message"]
        == "当前登录的是其他人；这些学习进度已为原本的学员保留。"
    )
    client.post("/i18n/setlang/", {"language": "en"})
    response = client.post(
        EVENTS,
        {"events": watched(world)},
        content_type="application/json",
        headers={"X-Onramp-User": str(other.user.pk)},
    )
    assert response.json()["error"]["message"] == (
        "Someone else is signed in now; this progress is kept for the person who made it."
    )
