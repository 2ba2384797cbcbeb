"""/readyz/ tells everyone its status, and only staff and the probe what failed."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from lms.ops.services import worker_heartbeat
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-probe-token"


@pytest.fixture(autouse=True)
def _probe_token(settings):
    settings.READYZ_TOKEN = TOKEN


def signed_in(*roles: str) -> Client:
    client = Client()
    client.force_login(EmployeeFactory(roles=list(roles)).user)
    return client


def test_an_anonymous_caller_gets_the_status_alone():
    failing = Client().get("/readyz/")  # no worker has reported
    assert failing.status_code == 503
    assert failing.json() == {"status": "unavailable"}

    worker_heartbeat(worker_id="w1", hostname="h", backend="db", started_at=timezone.now())
    ready = Client().get("/readyz/")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}


def test_a_learner_gets_the_status_alone():
    response = signed_in("Learner").get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.parametrize("role", ["Admin", "Trainer"])
def test_staff_read_which_check_failed(role):
    response = signed_in(role).get("/readyz/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["worker"] == "error: no task worker has reported"


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {TOKEN}"}, {"X-Probe-Token": TOKEN}],
    ids=["bearer", "x-probe-token"],
)
def test_the_probe_token_reads_which_check_failed(headers):
    response = Client(headers=headers).get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "error: no task worker has reported"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer wrong-token"},
        {"X-Probe-Token": TOKEN[:-1]},
        {"Authorization": TOKEN},  # not a Bearer credential
        # Behind nginx every caller comes from the proxy's own address.
        {"X-Forwarded-For": "127.0.0.1"},
    ],
    ids=["wrong-bearer", "truncated", "no-bearer-scheme", "local-address"],
)
def test_anything_but_the_token_gets_the_status_alone(headers):
    response = Client(headers=headers, REMOTE_ADDR="127.0.0.1").get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_without_a_configured_token_no_header_opens_the_details(settings):
    settings.READYZ_TOKEN = ""
    response = Client(headers={"Authorization": "Bearer ", "X-Probe-Token": ""}).get("/readyz/")
    assert response.json() == {"status": "unavailable"}


def _storage_blocked(settings, tmp_path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked / "uploads"


def test_the_storage_round_trip_runs_at_most_every_30_seconds(settings, tmp_path):
    assert settings.READYZ_STORAGE_CHECK_SECONDS == 30
    worker_heartbeat(worker_id="w1", hostname="h", backend="db", started_at=timezone.now())
    probe = Client(headers={"X-Probe-Token": TOKEN})
    now = timezone.now()
    with freeze_time(now) as clock:
        assert probe.get("/readyz/").json()["checks"]["storage"] == "ok"
        # The storage breaks: within 30 s nothing is written to find out.
        _storage_blocked(settings, tmp_path)
        clock.tick(dt.timedelta(seconds=20))
        assert probe.get("/readyz/").status_code == 200
        # Once the result is 30 s old, the round-trip runs again and finds the fault.
        clock.tick(dt.timedelta(seconds=11))
        late = probe.get("/readyz/")
    assert late.status_code == 503
    assert late.json()["checks"]["storage"].startswith("error: ")


def test_a_storage_failure_is_kept_as_long_so_a_failing_store_is_not_hammered(settings, tmp_path):
    worker_heartbeat(worker_id="w1", hostname="h", backend="db", started_at=timezone.now())
    probe = Client(headers={"X-Probe-Token": TOKEN})
    media_root = settings.MEDIA_ROOT
    _storage_blocked(settings, tmp_path)
    now = timezone.now()
    with freeze_time(now) as clock:
        first = probe.get("/readyz/").json()["checks"]["storage"]
        assert first.startswith("error: ")
        settings.MEDIA_ROOT = media_root  # repaired
        clock.tick(dt.timedelta(seconds=29))
        assert probe.get("/readyz/").json()["checks"]["storage"] == first
        clock.tick(dt.timedelta(seconds=2))
        assert probe.get("/readyz/").json()["checks"]["storage"] == "ok"
