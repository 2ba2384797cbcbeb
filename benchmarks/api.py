"""API speed under load: GET /api/v1/me/path/ and POST /api/v1/progress/events/ (50-event
batches) against a trivial view as the floor.

    .venv/bin/python benchmarks/api.py [--people 10000] [--seconds 10] [--no-postgres]

For each database (SQLite, then PostgreSQL when it answers on 127.0.0.1:5432) it
builds a fresh database with 10,000 employees on learning paths over 20 courses,
serves the app with gunicorn (2 workers, as in production), and drives it from 20
concurrent keep-alive clients, each a different learner with an API token. The floor
is /healthz/ on the same server: the cost of Django + gunicorn + the client with no
work at all. Ratios say what the endpoint adds on top of that floor.

Progress events go to a lesson with a video in a course on every learner's path; each
batch is 50 "video.watched" events with fresh ids, as a phone sends after a while offline;
the phones were sent the video a day before, so every range is credited.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from _postgres import fresh_database

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "onramp_bench_api"
CONCURRENCY = 20
EVENTS_PER_BATCH = 50
VIDEO_SECONDS = 600.0


def build(people: int) -> dict[str, object]:
    """Runs in a child process whose environment names the database.

    Returns the learners' API tokens and the lesson and video that events are about.
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from wagtail.models import Page

    from courses.models import CourseIndexPage, CoursePage, CourseVisibility, LessonPage
    from lms.org.models import Cohort, Department, Employee, Level, Position
    from lms.org.services import api_token_create
    from lms.paths.models import AssignmentRule, LearningPath, PathItem, PathStage
    from lms.paths.services import paths_assign_for
    from media.models import Video, VideoDelivery

    call_command("migrate", verbosity=0)
    root = Page.get_first_root_node()
    courses = [
        root.add_child(instance=Page(title=f"课程{n}", slug=f"course-{n}")) for n in range(20)
    ]
    # The course the phones report progress on: a real course tree, seen through the path.
    index = root.add_child(instance=CourseIndexPage(title="课程", slug="courses"))
    video_course = index.add_child(
        instance=CoursePage(
            title="公司介绍与企业文化",
            slug="intro",
            summary="新员工入职必修课。",
            visibility=CourseVisibility.PATH,
        )
    )
    video = Video.objects.create(
        title="我们是谁", duration=VIDEO_SECONDS, status=Video.Status.READY
    )
    lesson = video_course.add_child(
        instance=LessonPage(
            title="我们是谁",
            slug="who",
            body=[("video", {"video": video, "must_watch_percent": 90})],
        )
    )
    departments = [Department.objects.create(name=f"部门{n}", code=f"d{n}") for n in range(10)]
    positions = [
        Position.objects.create(name=f"岗位{n}", department=d) for n, d in enumerate(departments)
    ]
    level = Level.objects.create(code="P1", rank=1)
    cohort = Cohort.objects.create(name="2026-12 校招", start_date=dt.date(2026, 12, 1))
    for n, department in enumerate(departments):
        path = LearningPath.objects.create(name=f"路径{n}")
        for s, stage_name in enumerate(["入职第一天", "第一周", "第一个月"]):
            stage = PathStage.objects.create(path=path, name=stage_name, sort_order=s)
            for i in range(4):
                PathItem.objects.create(
                    stage=stage,
                    kind=PathItem.Kind.COURSE,
                    course=courses[(n + s * 4 + i) % len(courses)],
                    due_days=s * 7 + i,
                    sort_order=i,
                )
        PathItem.objects.create(
            stage=stage, kind=PathItem.Kind.COURSE, course=video_course, sort_order=4
        )
        AssignmentRule.objects.create(path=path, department=department)
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"B{n:06d}", password="!") for n in range(people)], batch_size=1000
    )
    Employee.objects.bulk_create(
        [
            Employee(
                user=user,
                employee_no=user.username,
                name=f"员工{n}",
                department=departments[n % 10],
                position=positions[n % 10],
                level=level,
                cohort=cohort,
                start_date=dt.date(2026, 11, 1),
            )
            for n, user in enumerate(users)
        ],
        batch_size=1000,
    )
    paths_assign_for(employees=Employee.objects.all().order_by("pk"))
    sample = random.Random(7).sample(users, 200)
    # Their phones opened the video yesterday: watched time is credited against the
    # server's clock since then (lms/progress/events.py), so every range counts.
    yesterday = timezone.now() - dt.timedelta(days=1)
    VideoDelivery.objects.bulk_create(
        [VideoDelivery(user=user, video=video, first_delivered_at=yesterday) for user in sample]
    )
    return {
        "tokens": [api_token_create(user=user) for user in sample],
        "lesson": lesson.pk,
        "video": video.pk,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def events_body(lesson: int, video: int) -> Callable[[int], bytes]:
    """A body maker: each call a new batch of watched ranges with fresh event ids."""

    def body(request_number: int) -> bytes:
        events = []
        for i in range(EVENTS_PER_BATCH):
            n = request_number * EVENTS_PER_BATCH + i
            start = (n * 5.0) % (VIDEO_SECONDS - 5)
            events.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": "video.watched",
                    "lesson": lesson,
                    "video": video,
                    "start": start,
                    "end": start + 5.0,
                    "client_time": f"2026-12-01T09:{(n // 60) % 60:02d}:{n % 60:02d}+00:00",
                }
            )
        return json.dumps({"events": events}).encode()

    return body


def drive(
    port: int,
    path: str,
    tokens: list[str],
    seconds: float,
    body: Callable[[int], bytes] | None = None,
) -> dict[str, float]:
    """GET `path`, or POST what `body(request number)` makes, from CONCURRENCY clients."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Token {tokens[n % len(tokens)]}", "Host": "localhost"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        mine: list[float] = []
        bad = 0
        sent = 0
        while time.perf_counter() < stop_at:
            payload = body(sent) if body is not None else None
            sent += 1
            start = time.perf_counter()
            conn.request("POST" if payload else "GET", path, body=payload, headers=headers)
            response = conn.getresponse()
            content = response.read()
            mine.append(time.perf_counter() - start)
            # A batch with a rejected event counts as an error: none should be.
            if response.status != 200 or (payload and b'"rejected"' in content):
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "requests": len(latencies),
        "errors": errors,
    }


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time used so far by the gunicorn workers (Linux /proc), in seconds.

    Per request this says what the server itself spends, which stays comparable when
    other work on the machine makes the wall-clock figures noisy.
    """
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def measured(master_pid: int, run: Callable[[], dict[str, float]]) -> dict[str, float]:
    before = server_cpu_seconds(master_pid)
    result = run()
    used = server_cpu_seconds(master_pid) - before
    result["cpu_ms"] = 1000 * used / result["requests"] if result["requests"] else 0.0
    return result


def run(label: str, env: dict[str, str], people: int, seconds: float) -> None:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--build", "--people", str(people)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    built = json.loads(out.strip().splitlines()[-1])
    tokens = built["tokens"]
    batches = events_body(built["lesson"], built["video"])
    print(f"\n{label}: built {people} people on paths in {time.perf_counter() - started:.0f} s")
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz/")
                break
            except OSError:
                time.sleep(0.2)
        drive(port, "/api/v1/me/path/", tokens, 2)  # warm up both workers
        floor = measured(server.pid, lambda: drive(port, "/healthz/", tokens, seconds))
        result = measured(server.pid, lambda: drive(port, "/api/v1/me/path/", tokens, seconds))
        events = measured(
            server.pid,
            lambda: drive(port, "/api/v1/progress/events/", tokens, seconds, body=batches),
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"  {'endpoint':<26}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
        f"{'server CPU ms/req':>19}"
    )
    rows = (
        ("floor /healthz/", floor),
        ("GET me/path/", result),
        (f"POST events ({EVENTS_PER_BATCH}/batch)", events),
    )
    for name, r in rows:
        print(
            f"  {name:<26}{r['rps']:9.0f}{r['p50_ms']:9.1f}{r['p95_ms']:9.1f}"
            f"{r['errors']:8.0f}{r['cpu_ms']:19.2f}"
        )
    print(
        f"  me/path/ vs floor: {floor['rps'] / result['rps']:.1f}x fewer req/s, "
        f"p95 {result['p95_ms'] / floor['p95_ms']:.1f}x (target p95 <= 50 ms), "
        f"server CPU {result['cpu_ms'] / floor['cpu_ms']:.1f}x"
    )
    print(
        f"  events: {events['rps'] * EVENTS_PER_BATCH:.0f} events/s "
        f"(target >= 2,000); per batch vs floor: {floor['rps'] / events['rps']:.1f}x fewer "
        f"req/s, p95 {events['p95_ms'] / floor['p95_ms']:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(args.people)))
        return
    print(f"{CONCURRENCY} concurrent clients, gunicorn 2 workers, {os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory(prefix="onramp-bench-api-") as tmp:
        # Production settings (DEBUG=0: no query log, no debug wrappers), over plain HTTP
        # on loopback, so without the HTTPS redirect.
        base = {
            **os.environ,
            "ONRAMP_DATA_DIR": tmp,
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        run(
            "SQLite",
            {**base, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"},
            args.people,
            args.seconds,
        )
        pg = None if args.no_postgres else fresh_database(PG_DB)
        if pg:
            run("PostgreSQL", {**base, "DATABASE_URL": pg}, args.people, args.seconds)


if __name__ == "__main__":
    main()
