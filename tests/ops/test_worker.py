"""The task worker as `make run` starts it: a real process on the real database."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus

from lms.ops.models import WorkerHeartbeat
from lms.ops.tasks import prune_worker_heartbeats

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_tasks_and_reports_a_heartbeat(settings, client):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    WorkerHeartbeat.objects.create(
        worker_id="gone-host:1",
        started_at=timezone.now() - dt.timedelta(days=3),
        seen_at=timezone.now() - dt.timedelta(days=2),
    )
    result = prune_worker_heartbeats.enqueue()
    assert client.get("/readyz/").status_code == 503

    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--heartbeat", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(lambda: WorkerHeartbeat.objects.exclude(worker_id="gone-host:1").exists())
        assert wait_for(lambda: prune_worker_heartbeats.get_result(result.id).is_finished)
        finished = prune_worker_heartbeats.get_result(result.id)
        assert finished.status == TaskResultStatus.SUCCESSFUL
        assert finished.return_value == 1
        assert not WorkerHeartbeat.objects.filter(worker_id="gone-host:1").exists()
        assert client.get("/readyz/").status_code == 200
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert worker.returncode == 0, output
    assert not WorkerHeartbeat.objects.exists(), "a stopped worker removes its heartbeat"
