"""In-person sessions: sign-up speed with and without contention, and the brief's cost.

    .venv/bin/python benchmarks/sessions.py [--people 200] [--threads 8] [--no-postgres]

For each database (SQLite, then PostgreSQL when it answers on 127.0.0.1:5432) it builds
a fresh database and measures:
- sign-ups one after another (the baseline), then the same number racing from several
  threads for half as many seats: per sign-up time, the ratio to the baseline, and a
  check that exactly the capacity is seated (no overbooking under load);
- building the trainer's brief for 10× more respondents than a small session: the
  ratio says how the brief scales (queries stay constant; Python work grows).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _postgres import fresh_database

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "onramp_bench_sessions"


def run_child(people: int, threads: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    django.setup()
    import datetime as dt
    import threading

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from lms.org.models import Department, Employee
    from lms.sessions.models import InPersonSession, SessionPart, SignUp
    from lms.sessions.services import session_sign_up
    from lms.surveys.brief import session_brief
    from lms.surveys.models import Survey, SurveyQuestion, SurveyResponse

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    department = Department.objects.create(name="市场拓展部", code="bench-market")
    users = []
    User = get_user_model()
    for n in range(people * 2):
        user = User.objects.create(username=f"bench{n:05d}", email=f"bench{n}@example.com")
        Employee.objects.create(
            user=user,
            employee_no=f"B{n:05d}",
            name=f"学员{n}",
            department=department,
            start_date=dt.date(2026, 12, 1),
        )
        users.append(user)

    def session(capacity: int, survey: Survey | None = None) -> InPersonSession:
        s = InPersonSession.objects.create(title="基准面授", capacity=capacity, survey=survey)
        start = timezone.now() + dt.timedelta(days=7)
        SessionPart.objects.create(
            session=s, starts_at=start, ends_at=start + dt.timedelta(hours=3)
        )
        return s

    # Baseline: one after another.
    first = session(capacity=people // 2)
    started = time.perf_counter()
    for user in users[:people]:
        session_sign_up(session=first, user=user)
    sequential = (time.perf_counter() - started) / people

    # Contended: the same number racing from threads for the same number of seats.
    second = session(capacity=people // 2)
    chunks = [users[people + i :: threads][: people // threads] for i in range(threads)]
    barrier = threading.Barrier(threads)

    def worker(chunk: list) -> None:
        barrier.wait()
        for user in chunk:
            session_sign_up(session=second, user=user)
        connections.close_all()

    pool = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    total = sum(len(c) for c in chunks)
    contended = (time.perf_counter() - started) / total
    seated = SignUp.objects.filter(session=second, status__in=SignUp.SEATED).count()

    # The brief: 10× the respondents.
    survey = Survey.objects.create(title="基准调研")
    for n, kind in enumerate(["single", "multiple", "text"]):
        SurveyQuestion.objects.create(
            survey=survey,
            kind=kind,
            prompt=f"问题{n}",
            options="甲\n乙\n丙",
            max_choices=2,
            sort_order=n,
        )
    questions = list(survey.questions.order_by("sort_order"))

    def brief_time(count: int) -> float:
        s = session(capacity=count, survey=survey)
        for user in users[:count]:
            SignUp.objects.create(
                session=s, user=user, status="confirmed", queued_at=timezone.now()
            )
            SurveyResponse.objects.create(
                survey=survey,
                session=s,
                user=user,
                answers={
                    str(questions[0].pk): "o1",
                    str(questions[1].pk): ["o1", "o3"],
                    str(questions[2].pk): "想听案例",
                },
            )
        session_brief(session=s)  # warm
        runs = 5
        started = time.perf_counter()
        for _ in range(runs):
            session_brief(session=s)
        return (time.perf_counter() - started) / runs

    small, large = brief_time(people // 10), brief_time(people)
    print(f"[{vendor}] sign-up, one after another: {sequential * 1000:.1f} ms each (baseline)")
    print(
        f"[{vendor}] sign-up, {threads} threads racing: {contended * 1000:.1f} ms each, "
        f"{contended / sequential:.2f}× baseline; seated {seated} of {people // 2} seats "
        f"({'no overbooking' if seated == people // 2 else 'WRONG'})"
    )
    print(
        f"[{vendor}] brief for {people // 10} respondents: {small * 1000:.1f} ms (baseline); "
        f"for {people}: {large * 1000:.1f} ms, {large / small:.2f}× for 10× the people"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.people, args.threads)
        return
    targets = [None]
    pg_url = None if args.no_postgres else fresh_database(PG_DB)
    if pg_url:
        targets.append(pg_url)
    for url in targets:
        with tempfile.TemporaryDirectory() as data:
            env = {**os.environ, "ONRAMP_DATA_DIR": data, "LOG_LEVEL": "WARNING"}
            env.pop("DATABASE_URL", None)
            if url:
                env["DATABASE_URL"] = url
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    f"--people={args.people}",
                    f"--threads={args.threads}",
                ],
                check=True,
                env=env,
                cwd=ROOT,
            )


if __name__ == "__main__":
    main()
