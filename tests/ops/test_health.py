import datetime as dt

import pytest
from django.utils import timezone

from lms.ops.models import WorkerHeartbeat
from lms.ops.services import worker_heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_503_and_names_the_worker_when_none_reported(client):
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"
    assert body["checks"]["worker"].startswith("error: no task worker")


def test_readyz_is_200_with_a_fresh_heartbeat(client):
    worker_heartbeat(worker_id="w1", hostname="h", backend="db", started_at=timezone.now())
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_reports_a_stale_heartbeat(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = 60
    worker_heartbeat(worker_id="w1", hostname="h", backend="db", started_at=timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert "heartbeat" in response.json()["checks"]["worker"]


def test_readyz_reports_unwritable_storage(client, settings, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked / "uploads"
    worker_heartbeat(worker_id="w1", hostname="h", backend="db", started_at=timezone.now())
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error")
