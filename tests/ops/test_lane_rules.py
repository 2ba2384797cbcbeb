"""Which lane each task runs in, who schedules the periodic tasks, what /readyz/ says of
a lane no worker serves, and ffmpeg's nice level."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lms.ops.models import WorkerHeartbeat
from lms.ops.selectors import scheduler_worker_id, unserved_queues
from lms.reports.tasks import report_export_start
from media.pipeline import runner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LANES = {
    "lms.org.tasks.roster_import_apply": "onboarding",
    "lms.paths.tasks.assign_paths": "onboarding",
    "lms.paths.tasks.sync_path": "onboarding",
    "lms.sessions.mail.send_invite": "onboarding",
    "lms.sessions.mail.send_seat_offer": "onboarding",
    "lms.sessions.mail.send_approval_request": "onboarding",
    "lms.sessions.mail.send_readiness_reminders": "onboarding",
    "lms.sessions.tasks.sweep_offers": "onboarding",
    "lms.reports.tasks.reminders_send": "onboarding",
    "media.tasks.process_video": "long",
    "lms.reports.tasks.report_export_run": "default",
    "lms.reports.tasks.requeue_orphaned_exports": "default",
    "lms.ops.tasks.requeue_orphaned_videos": "default",
    "lms.ops.tasks.prune_worker_heartbeats": "default",
    "media.tasks.clean_upload_sessions": "default",
    "wagtail.tasks.update_reference_index_task": "default",
}


@pytest.mark.parametrize(("dotted", "lane"), LANES.items())
def test_each_task_runs_in_its_lane(dotted, lane):
    from django.utils.module_loading import import_string

    task = import_string(dotted)
    assert task.queue_name == lane
    if lane == "onboarding":  # ahead of Wagtail's on a worker serving both lanes
        assert task.priority > import_string("wagtail.tasks.update_reference_index_task").priority


def test_a_big_export_goes_to_the_long_lane_a_small_one_to_default(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.EXPORT_LONG_ROWS = 100
    hr = UserFactory()
    for rows in (99, 100):
        with django_capture_on_commit_callbacks(execute=True):
            report_export_start(
                requested_by=hr, kind="progress", format="csv", params={}, rows_total=rows
            )
    queued = DBTaskResult.objects.filter(task_path="lms.reports.tasks.report_export_run")
    lanes = list(queued.order_by("enqueued_at").values_list("queue_name", flat=True))
    assert lanes == ["default", "long"]


def beat(worker_id: str, *, started_minutes_ago: int, queues: str, seen_minutes_ago: int = 0):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        queues=queues,
        started_at=now - dt.timedelta(minutes=started_minutes_ago),
        seen_at=now - dt.timedelta(minutes=seen_minutes_ago),
    )


def test_the_longest_running_live_worker_schedules_the_periodic_tasks():
    beat("dead", started_minutes_ago=90, queues="onboarding,default", seen_minutes_ago=30)
    beat("long", started_minutes_ago=60, queues="long")
    beat("fast", started_minutes_ago=5, queues="onboarding,default")
    assert scheduler_worker_id() == "long"
    WorkerHeartbeat.objects.filter(worker_id="long").delete()
    assert scheduler_worker_id() == "fast"


def test_readyz_names_a_lane_that_no_live_worker_serves(client):
    beat("fast", started_minutes_ago=5, queues="onboarding,default")
    beat("dead-long", started_minutes_ago=90, queues="long", seen_minutes_ago=30)
    assert unserved_queues() == ["long"]
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert "long" in response.content.decode()
    beat("long", started_minutes_ago=1, queues="long")
    assert unserved_queues() == []
    assert client.get("/readyz/").status_code == 200


def test_a_worker_of_an_unknown_lane_refuses_to_start():
    with pytest.raises(CommandError, match="unknown queue media"):
        call_command("run_worker", "--queues", "onboarding,media")


def test_ffmpeg_runs_niced(settings):
    settings.FFMPEG_NICE = 10
    own = os.getpriority(os.PRIO_PROCESS, 0)
    args = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=duration=30", "-f", "null", "-"]
    with runner._popen(args) as proc:
        try:
            time.sleep(0.3)
            assert os.getpriority(os.PRIO_PROCESS, proc.pid) == min(19, own + 10)
        finally:
            proc.kill()
            proc.communicate()
