"""HR reporting at scale: 10,000 learners x 30 path items, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/reporting.py [--people 10000] [--no-postgres]

For each database it migrates a fresh one, bulk-creates the people (a department tree,
cohorts, one 30-item path in 5 stages, progress that looks real: most past-due items
done, some late, a few exempt), then times:
- the dashboard overview (every number, the funnel, the time series, departments)
- one department drill-down (its overview plus the first page of its people)
- a full XLSX transcript export (300,000 rows), sampling the resident memory while it
  runs: a flat line means rows stream through and never pile up
Baselines measured in the same run: counting the same items through the same joins and
filters (no sums) for the overview, and
reading every export row without writing a file for the export.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _postgres import fresh_database

ROOT = Path(__file__).resolve().parent.parent
PG_BENCH_DB = "onramp_bench_reports"
ITEMS_PER_STAGE = 6
STAGES = ["入职前", "入职第一天", "第一周", "第一个月", "转正前"]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """The highest resident memory seen while a block runs (sampled every 50 ms)."""

    def __enter__(self) -> RssSampler:
        self.start = rss_mb()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def build(people: int) -> dict[str, float]:
    import datetime as dt
    import random

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from lms.org.models import Cohort, Department, Employee, Level, Position
    from lms.paths.models import Enrolment, EnrolmentItem, LearningPath, PathItem, PathStage

    rng = random.Random(2026)
    today = timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        tops = [
            Department.objects.create(name=name, code=f"d{i}")
            for i, name in enumerate(
                ["市场拓展部", "产品研发部", "风险控制部", "资产保全部", "客服部"]
            )
        ]
        departments = list(tops)
        for top in tops:
            for n, region in enumerate(["华东区", "华南区", "华北区"]):
                departments.append(
                    Department.objects.create(name=region, code=f"{top.code}-{n}", parent=top)
                )
        position = Position.objects.create(name="客户经理", department=None)
        level = Level.objects.create(code="P1", rank=1)
        cohorts = [
            Cohort.objects.create(name=f"2026-{m:02d} 批次", start_date=dt.date(2026, m, 1))
            for m in range(3, 13)
        ]
        path = LearningPath.objects.create(name="客户经理入职路径")
        items = []
        for s, stage_name in enumerate(STAGES):
            stage = PathStage.objects.create(path=path, name=stage_name, sort_order=s)
            for i in range(ITEMS_PER_STAGE):
                items.append(
                    PathItem.objects.create(
                        stage=stage,
                        kind=PathItem.Kind.CHECKLIST,
                        title=f"{stage_name} 任务 {i + 1}",
                        due_days=-5 + 10 * s + 2 * i,
                        sort_order=i,
                    )
                )
        User = get_user_model()
        batch = 2000
        for start in range(0, people, batch):
            numbers = range(start, min(start + batch, people))
            users = User.objects.bulk_create(
                [User(username=f"B{n:06d}", password="!") for n in numbers], batch_size=batch
            )
            employees = Employee.objects.bulk_create(
                [
                    Employee(
                        user=user,
                        employee_no=f"B{n:06d}",
                        name=f"员工{n}",
                        department=departments[n % len(departments)],
                        position=position,
                        level=level,
                        cohort=cohorts[n % len(cohorts)],
                        start_date=today - dt.timedelta(days=rng.randint(0, 150)),
                    )
                    for n, user in zip(numbers, users, strict=True)
                ],
                batch_size=batch,
            )
            now = timezone.now()
            enrolments = Enrolment.objects.bulk_create(
                [
                    Enrolment(employee=e, path=path, source=Enrolment.Source.RULE, assigned_at=now)
                    for e in employees
                ],
                batch_size=batch,
            )
            rows = []
            diligence = {e.pk: rng.random() for e in employees}
            for employee, enrolment in zip(employees, enrolments, strict=True):
                for item in items:
                    due = item.due_date_for(employee.start_date)
                    past = due < today
                    chance = (0.6 + 0.4 * diligence[employee.pk]) if past else 0.15
                    status, completed_at = EnrolmentItem.Status.PENDING, None
                    roll = rng.random()
                    if roll < 0.02:
                        status = EnrolmentItem.Status.EXEMPT
                    elif roll < chance:
                        status = EnrolmentItem.Status.COMPLETED
                        done_on = min(due + dt.timedelta(days=rng.randint(-4, 3)), today)
                        done_on = max(done_on, employee.start_date - dt.timedelta(days=10))
                        completed_at = timezone.make_aware(
                            dt.datetime.combine(done_on, dt.time(9 + rng.randint(0, 9)))
                        )
                    rows.append(
                        EnrolmentItem(
                            enrolment=enrolment,
                            item=item,
                            title=item.title,
                            due_date=due,
                            status=status,
                            progress=100 if status == EnrolmentItem.Status.COMPLETED else 0,
                            completed_at=completed_at,
                        )
                    )
            EnrolmentItem.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"build_s": time.perf_counter() - started}


def inner(people: int, tmp: Path, phase: str) -> dict[str, float | str]:
    """Runs inside a child process whose environment names the database.

    Building and measuring are separate processes, so the measured one starts as a
    server's would, without the build's hundreds of thousands of objects in memory
    (their garbage collection once slowed every overview run by a tenth of a second).
    """
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lms.org.models import Department
    from lms.paths.models import EnrolmentItem
    from lms.reports.exports import ExportRequest, export_table, write_xlsx
    from lms.reports.scope import ReportScope
    from lms.reports.selectors import ReportFilters, report_items, report_overview, report_people

    if phase == "build":
        call_command("migrate", verbosity=0)
        return build(people)
    results: dict[str, float | str] = {"database": connection.vendor}
    everyone = ReportScope(everyone=True)
    results["items"] = EnrolmentItem.objects.count()

    def best_of(runs: int, func) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        return min(times)

    # The floor: counting the same rows, through the same joins and filters, unsummed.
    results["count_baseline_s"] = best_of(
        3, lambda: report_items(scope=everyone, filters=ReportFilters()).count()
    )
    cold = time.perf_counter()
    overview = report_overview(scope=everyone, filters=ReportFilters())
    results["overview_cold_s"] = time.perf_counter() - cold
    results["overview_s"] = best_of(
        3, lambda: report_overview(scope=everyone, filters=ReportFilters())
    )
    results["overview_people"] = overview.people
    results["overview_percent"] = overview.percent

    top = Department.objects.filter(parent=None).order_by("pk").first()
    assert top is not None
    department = ReportFilters(department_id=top.pk)

    def drill_down() -> None:
        report_overview(scope=everyone, filters=department)
        people_page = report_people(scope=everyone, filters=department)
        people_page.count()
        list(people_page[:50])

    results["drill_down_s"] = best_of(3, drill_down)

    table = export_table(ExportRequest(kind="transcript", scope=everyone, filters=ReportFilters()))
    start = time.perf_counter()
    read_rows = sum(1 for _row in table.rows())
    results["export_read_baseline_s"] = time.perf_counter() - start

    with RssSampler() as memory:
        start = time.perf_counter()
        with (tmp / "transcript.xlsx").open("wb") as handle:
            rows = write_xlsx(table, handle, title="transcript")
        results["export_s"] = time.perf_counter() - start
    assert rows == read_rows == results["items"], (rows, read_rows)
    results["export_rows"] = rows
    results["export_mb"] = (tmp / "transcript.xlsx").stat().st_size / 1024**2
    results["rss_before_export_mb"] = memory.start
    results["rss_peak_export_mb"] = memory.peak
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=["build", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.people, args.inner, args.phase)))
        return

    with tempfile.TemporaryDirectory(prefix="onramp-bench-") as tmp:
        targets = []
        if not args.no_sqlite:
            targets.append(("SQLite", {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}))
        pg_url = None if args.no_postgres else fresh_database(PG_BENCH_DB)
        if pg_url:
            targets.append(("PostgreSQL", {"DATABASE_URL": pg_url}))
        items = args.people * len(STAGES) * ITEMS_PER_STAGE
        print(f"{args.people} learners x {len(STAGES) * ITEMS_PER_STAGE} path items = {items} rows")
        # The machine is shared: the load says how much of its 2 cores this run had.
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for label, env in targets:
            # Production settings: DEBUG=0 keeps no query log and no debug wrappers.
            child_env = {
                **os.environ,
                **env,
                "ONRAMP_DATA_DIR": tmp,
                "DEBUG": "0",
                "SECRET_KEY": "benchmark-only-" + "x" * 50,
                "ALLOWED_HOSTS": "localhost",
                "LOG_LEVEL": "WARNING",
            }
            r: dict[str, float] = {}
            for phase in ("build", "measure"):
                output = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--people",
                        str(args.people),
                        "--inner",
                        tmp,
                        "--phase",
                        phase,
                    ],
                    env=child_env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if output.returncode:
                    print(f"\n{label}: {phase} failed\n{output.stderr[-3000:]}")
                    break
                r.update(json.loads(output.stdout.strip().splitlines()[-1]))
            else:
                report(label, r)


def report(label: str, r: dict[str, float]) -> None:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{label} (built in {r['build_s']:.0f} s; load average now {load})")
    print(
        f"  overview              {r['overview_s']:6.3f} s (first run {r['overview_cold_s']:.3f} s)"
        f"  {r['overview_people']} people, {r['overview_percent']}% complete"
        f"  -> {r['overview_s'] / r['count_baseline_s']:.1f}x counting the same rows unsummed"
        f" ({r['count_baseline_s']:.3f} s); target <= 1 s"
    )
    print(f"  department drill-down {r['drill_down_s']:6.3f} s  (overview + first page of people)")
    print(
        f"  XLSX export           {r['export_s']:6.1f} s  {r['export_rows']} rows, "
        f"{r['export_mb']:.1f} MB, {r['export_rows'] / r['export_s']:.0f} rows/s"
        f"  -> {r['export_s'] / r['export_read_baseline_s']:.1f}x reading the rows alone"
        f" ({r['export_read_baseline_s']:.1f} s); target <= 30 s"
    )
    print(
        f"  memory                RSS {r['rss_before_export_mb']:.0f} MB before the export, "
        f"peak {r['rss_peak_export_mb']:.0f} MB during it "
        f"(+{r['rss_peak_export_mb'] - r['rss_before_export_mb']:.0f} MB for "
        f"{r['export_rows']} rows)"
    )


if __name__ == "__main__":
    main()
