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
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
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


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not redis_available(), reason="Redis does not answer on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_redis_worker_runs_tasks_enqueued_by_another_process():
    """REDIS_URL alone moves tasks to RQ: one process enqueues, the worker runs it."""
    import redis

    redis_url = f"redis://127.0.0.1:6379/{7 + os.getpid() % 8}"
    redis.Redis.from_url(redis_url).flushdb()
    WorkerHeartbeat.objects.create(
        worker_id="gone-host:2",
        started_at=timezone.now() - dt.timedelta(days=3),
        seen_at=timezone.now() - dt.timedelta(days=2),
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    enqueue = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; from lms.ops.tasks import prune_worker_heartbeats as t; "
            "r = t.enqueue(); print(settings.TASKS['default']['BACKEND'], r.id)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    backend, _result_id = enqueue.stdout.split()[-2:]
    assert backend == "django_tasks_rq.RQBackend"
    assert WorkerHeartbeat.objects.filter(worker_id="gone-host:2").exists(), "queued, not run yet"

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--heartbeat", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(
            lambda: not WorkerHeartbeat.objects.filter(worker_id="gone-host:2").exists()
        )
        assert wait_for(lambda: WorkerHeartbeat.objects.filter(backend__contains="RQ").exists())
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
        redis.Redis.from_url(redis_url).flushdb()
    assert worker.returncode == 0, output
