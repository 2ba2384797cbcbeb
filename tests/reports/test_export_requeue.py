"""An export left "running" by a worker that died is written after all."""

import datetime as dt

import pytest
from django.utils import timezone

from lms.ops.models import WorkerHeartbeat
from lms.ops.services import worker_heartbeat
from lms.reports.models import ReportExport
from lms.reports.tasks import requeue_orphaned_exports

pytestmark = pytest.mark.django_db


def left_running(role_client, *, worker_id: str, requeues: int = 0) -> ReportExport:
    hr = role_client("HR").employee.user
    return ReportExport.objects.create(
        requested_by=hr,
        kind="people",
        format=ReportExport.Format.CSV,
        params={"kind": "people"},
        language="en",
        status=ReportExport.Status.RUNNING,
        rows_total=5,
        rows_done=2,
        worker_id=worker_id,
        requeues=requeues,
    )


def test_a_dead_workers_export_is_queued_again_and_written(
    role_client, org, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("ONRAMP_WORKER_ID", "host:3:new000")
    WorkerHeartbeat.objects.create(
        worker_id="host:1:dead00",
        started_at=timezone.now() - dt.timedelta(hours=1),
        seen_at=timezone.now() - dt.timedelta(minutes=10),
    )
    export = left_running(role_client, worker_id="host:1:dead00")
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_orphaned_exports.call() == {"requeued": 1, "failed": 0}
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE and export.requeues == 1
    assert export.file and export.rows_done == export.rows_total
    assert export.worker_id == "host:3:new000"  # who wrote it this time


def test_a_live_workers_export_and_one_written_outside_a_worker_are_left_alone(
    role_client, org, django_capture_on_commit_callbacks
):
    worker_heartbeat(
        worker_id="host:2:alive0", hostname="h", backend="db", started_at=timezone.now()
    )
    alive = left_running(role_client, worker_id="host:2:alive0")
    unknown = left_running(role_client, worker_id="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert requeue_orphaned_exports.call() == {"requeued": 0, "failed": 0}
    assert callbacks == []
    for export in (alive, unknown):
        export.refresh_from_db()
        assert export.status == ReportExport.Status.RUNNING


def test_after_the_maximum_the_export_fails_with_a_reason(
    role_client, org, settings, django_capture_on_commit_callbacks
):
    settings.WORKER_MAX_REQUEUES = 1
    export = left_running(role_client, worker_id="host:1:dead00", requeues=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert requeue_orphaned_exports.call() == {"requeued": 0, "failed": 1}
    assert callbacks == []
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    assert export.error.startswith(
        "Writing this export was interrupted 2 times because the background worker stopped."
    )
