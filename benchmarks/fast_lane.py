"""The fast lane: time until a 10,000-person roster import has everyone on a path with
due dates, with a long lecture transcoding meanwhile, beside the same import with
nothing else running, measured in the same run, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/fast_lane.py [--people 10000] [--lecture 600] [--no-postgres]
    .venv/bin/python benchmarks/fast_lane.py --fifo      # one worker serving every lane

For each database it migrates a fresh one and starts the workers `make run` starts
(`run_worker --queues onboarding,default` and `run_worker --queues long`). The baseline
imports N people with the workers idle. Then a lecture of --lecture seconds is uploaded
and, once it is transcoding, 640 of Wagtail's reference-index updates are queued on
"default" (what saving pages leaves behind) and another N people are imported. Each
figure runs from the confirm click until every one of them has a path with due dates.
--fifo runs one worker for every lane instead, as before the lanes: the import waits
for the transcode (the run gives up after --give-up seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _postgres import fresh_database

ROOT = Path(__file__).resolve().parent.parent
PG_BENCH_DB = "onramp_bench_fast_lane"
LANES = [["--queues", "onboarding,default"], ["--queues", "long"]]
FIFO = [[]]


def make_lecture(path: Path, seconds: int) -> None:
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
            str(path),
        ],
        check=True,
    )  # fmt: skip


def roster_csv(people: int, prefix: str) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["工号", "姓名", "邮箱", "部门", "岗位", "职级", "入职日期", "上级工号"])
    for n in range(people):
        writer.writerow(
            [f"{prefix}{n:06d}", f"新员工{n}", f"{prefix.lower()}{n:06d}@example.com",
             "市场拓展部", "客户经理", "P1", f"2026/12/{1 + n % 28}",
             f"{prefix}{(n // 50) * 50:06d}" if n % 50 else ""]
        )  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def inner(people: int, lecture: Path, fifo: bool, give_up: float) -> dict[str, object]:
    """Runs inside a child process whose environment names the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    import io
    import signal

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef
    from wagtail.models import Page
    from wagtail.tasks import update_reference_index_task

    from lms.org.models import Department, Employee, Level, Position
    from lms.org.roster import roster_upload_create
    from lms.org.tasks import roster_upload_confirm
    from lms.paths.models import AssignmentRule, EnrolmentItem, LearningPath, PathItem, PathStage
    from media.models import Video
    from media.tasks import video_create_and_process

    call_command("migrate", verbosity=0)
    department = Department.objects.create(name="市场拓展部", code="market")
    Position.objects.create(name="客户经理", department=department)
    Level.objects.create(code="P1", rank=1)
    path = LearningPath.objects.create(name="客户经理入职路径")
    stage = PathStage.objects.create(path=path, name="入职第一周", sort_order=0)
    for n, days in enumerate((0, 1, 7)):
        PathItem.objects.create(
            stage=stage, sort_order=n, kind=PathItem.Kind.CHECKLIST, title=f"第{n}项", due_days=days
        )
    AssignmentRule.objects.create(path=path, department=department)

    def on_a_path(prefix: str) -> int:
        dated = EnrolmentItem.objects.filter(
            enrolment__employee=OuterRef("pk"), enrolment__path=path, due_date__isnull=False
        )
        return Employee.objects.filter(employee_no__startswith=prefix).filter(Exists(dated)).count()

    def import_and_wait(prefix: str) -> float | None:
        upload = roster_upload_create(
            file=io.BytesIO(roster_csv(people, prefix)), filename="roster.csv", uploaded_by=None
        )
        assert upload.counts["create"] == people, upload.report["problems"][:3]
        started = time.monotonic()
        assert roster_upload_confirm(roster_import=upload, confirmed_by=None)
        while time.monotonic() - started < give_up:
            if on_a_path(prefix) == people:
                return time.monotonic() - started
            time.sleep(0.5)
        return None

    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for args in (FIFO if fifo else LANES)
    ]
    results: dict[str, object] = {"database": connection.vendor}
    try:
        results["baseline_s"] = import_and_wait("A")
        with lecture.open("rb") as source:
            video = video_create_and_process(title="入职第一课", file=source, filename="l.mp4")
        while not Video.objects.filter(pk=video.pk, status=Video.Status.TRANSCODING).exists():
            time.sleep(0.5)
        root = Page.get_first_root_node()
        for _n in range(640):
            update_reference_index_task.enqueue("wagtailcore", "page", root.pk)
        results["with_transcode_s"] = import_and_wait("B")
        video.refresh_from_db()
        results["transcode_still_running"] = video.status == Video.Status.TRANSCODING
        results["transcode_progress_pct"] = video.progress
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    return results


def run(
    database_url: str, data_dir: Path, people: int, lecture: Path, fifo: bool, give_up: float
) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "ONRAMP_DATA_DIR": str(data_dir)}
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, __file__, "--inner", str(people), str(lecture), str(int(fifo)),
         str(give_up)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        people, lecture, fifo, give_up = sys.argv[2:6]
        print(json.dumps(inner(int(people), Path(lecture), fifo == "1", float(give_up))))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--lecture", type=int, default=600, help="seconds of video")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--fifo", action="store_true", help="one worker for every lane")
    parser.add_argument("--give-up", type=float, default=300.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        lecture = Path(tmp) / "lecture.mp4"
        make_lecture(lecture, args.lecture)
        databases = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
        if not args.no_postgres:
            url = fresh_database(PG_BENCH_DB)
            if url:
                databases.append(("postgresql", url))
        mode = "one FIFO worker" if args.fifo else "lanes: onboarding,default + long"
        print(f"{args.people} people, a {args.lecture} s 720p lecture, {mode}")
        for name, url in databases:
            data_dir = Path(tmp) / name
            data_dir.mkdir()
            r = run(url, data_dir, args.people, lecture, args.fifo, args.give_up)

            def fmt(value: object) -> str:
                return f"{value:6.1f} s" if isinstance(value, float) else f"> {args.give_up:.0f} s"

            print(
                f"  {name:10}  everyone on a path: no transcode {fmt(r['baseline_s'])}, "
                f"with a transcode running {fmt(r['with_transcode_s'])} "
                f"(transcode still running: {r['transcode_still_running']}, "
                f"at {r['transcode_progress_pct']}%)"
            )


if __name__ == "__main__":
    main()
