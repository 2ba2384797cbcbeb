"""Long work never blocks onboarding work: the lanes, with real workers and real ffmpeg.

Two worker processes as `make run` starts them (the fast lane `onboarding,default`, the
long lane `long`), a long lecture transcoding in one, a backlog of Wagtail's
reference-index updates on "default", and a 1,000-person roster import confirmed
behind them: everyone has a path with due dates within the bound while the lecture is
still transcoding. With the one FIFO worker of before, the import waits for the whole
transcode (benchmarks/fast_lane.py measures 10,000 people).
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.models import Exists, OuterRef
from wagtail.models import Page
from wagtail.tasks import update_reference_index_task

from lms.org.models import Employee
from lms.org.roster import roster_upload_create
from lms.org.tasks import roster_upload_confirm
from lms.paths.models import AssignmentRule, EnrolmentItem, LearningPath, PathItem, PathStage
from media.models import Video
from media.tasks import video_create_and_process
from tests.factories import DepartmentFactory, LevelFactory, PositionFactory
from tests.ops.test_worker import ROOT, database_url, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PEOPLE = 1000
BOUND_SECONDS = 30.0
LECTURE_SECONDS = 150
# The workers `make run` starts (scripts/run.sh).
WORKERS = [["--queues", "onboarding,default"], ["--queues", "long"]]


@pytest.fixture
def lecture(tmp_path: Path) -> Path:
    """A lecture long enough to still be transcoding when the import is done."""
    path = tmp_path / "lecture.mp4"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=854x480:rate=25:duration={LECTURE_SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={LECTURE_SECONDS}",
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
            str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path


def roster_csv(people: int, department: str, position: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["工号", "姓名", "邮箱", "部门", "岗位", "职级", "入职日期"])
    for n in range(people):
        writer.writerow(
            [f"L{n:05d}", f"新员工{n}", f"l{n:05d}@example.com", department, position, "P1",
             "2026/12/1"]
        )  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def on_a_path_with_due_dates(path: LearningPath) -> int:
    dated = EnrolmentItem.objects.filter(
        enrolment__employee=OuterRef("pk"), enrolment__path=path, due_date__isnull=False
    )
    return Employee.objects.filter(Exists(dated)).count()


def start_worker(args: list[str], data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ONRAMP_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--heartbeat", "1", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # stopped with everything it started, ffmpeg included
    )


def test_a_roster_import_gets_paths_while_a_long_lecture_transcodes(settings, tmp_path, lecture):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    data_dir = tmp_path / "data"
    settings.MEDIA_ROOT = data_dir / "uploads"
    department = DepartmentFactory(name="市场拓展部", code="market")
    PositionFactory(name="客户经理", department=department)
    LevelFactory(code="P1", rank=1)
    path = LearningPath.objects.create(name="客户经理入职路径")
    stage = PathStage.objects.create(path=path, name="入职第一周", sort_order=0)
    PathItem.objects.create(stage=stage, kind=PathItem.Kind.CHECKLIST, title="领取工牌", due_days=0)
    AssignmentRule.objects.create(path=path, department=department)

    workers = [start_worker(args, data_dir) for args in WORKERS]
    try:
        with lecture.open("rb") as source:
            video = video_create_and_process(title="入职第一课", file=source, filename="l.mp4")
        assert wait_for(
            lambda: Video.objects.filter(pk=video.pk, status=Video.Status.TRANSCODING).exists(),
            timeout=30,
        ), "the lecture never started transcoding"
        # What Wagtail enqueues on "default" as pages and snippets are saved.
        # The tree root may be gone: a transactional test before this one flushes tables.
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        for _n in range(300):
            update_reference_index_task.enqueue("wagtailcore", "page", root.pk)

        upload = roster_upload_create(
            file=io.BytesIO(roster_csv(PEOPLE, department.name, "客户经理")),
            filename="roster.csv",
            uploaded_by=None,
        )
        assert upload.counts["create"] == PEOPLE, upload.report["problems"][:3]
        started = time.monotonic()
        assert roster_upload_confirm(roster_import=upload, confirmed_by=None)
        everyone = wait_for(lambda: on_a_path_with_due_dates(path) == PEOPLE, timeout=BOUND_SECONDS)
        elapsed = time.monotonic() - started
        transcoding = Video.objects.filter(pk=video.pk, status=Video.Status.TRANSCODING).exists()
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)

    assert everyone, (
        f"after {elapsed:.1f}s only {on_a_path_with_due_dates(path)} of {PEOPLE} had a path"
    )
    assert elapsed <= BOUND_SECONDS
    assert transcoding, "the lecture finished first: it proves nothing about the lanes"
