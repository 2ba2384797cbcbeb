"""Roster import speed: 10,000 generated new hires, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/import_roster.py [--rows 10000] [--no-postgres]
    .venv/bin/python benchmarks/import_roster.py --hostile

--hostile reads each hostile file of tests/sheets/factories.py (declared A1:XFD1048576,
zip bombs, millions of cells…) the way an upload is read, and prints its time and
peak Python memory (tracemalloc) beside a normal 500-person roster, as XLSX and as CSV,
read in the same run: a hostile file should cost no more than an ordinary one.

For each database it migrates a fresh one, then times a dry run, a real import,
and a re-import of the same file (all rows unchanged). The baseline is the floor
of the same work without any checking: a bare bulk_create of the same users and
employees, measured in the same run on the same database; the ratio says what
validation, lookups and the all-or-nothing plan cost on top of that.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _postgres import fresh_database

ROOT = Path(__file__).resolve().parent.parent
PG_BENCH_DB = "onramp_bench_import"

DEPARTMENTS = ["市场拓展部", "产品研发部", "风险控制部", "资产保全部", "法务部", "客服部"]
POSITIONS = ["客户经理", "产品经理", "风控专员", "催收专员", "法务专员", "客服专员"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛"]


def write_roster(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["工号", "姓名", "手机", "邮箱", "部门", "岗位", "职级", "入职日期", "上级工号"]
        )
        for n in range(rows):
            d = n % len(DEPARTMENTS)
            writer.writerow(
                [
                    f"B{n:06d}",
                    SURNAMES[n % len(SURNAMES)]
                    + GIVEN[n % len(GIVEN)]
                    + GIVEN[(n // 7) % len(GIVEN)],
                    f"139{n:08d}",
                    f"b{n:06d}@example.com",
                    DEPARTMENTS[d],
                    POSITIONS[d],
                    f"P{1 + n % 3}",
                    f"2026/12/{1 + n % 28}",
                    f"B{(n // 50) * 50:06d}" if n % 50 else "",
                ]
            )


def inner(path: Path, rows: int) -> dict[str, float]:
    """Runs inside a child process whose environment names the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from lms.org.models import Department, Employee, Level, Position
    from lms.org.roster import roster_import

    call_command("migrate", verbosity=0)
    for i, name in enumerate(DEPARTMENTS):
        department = Department.objects.create(name=name, code=f"d{i}")
        Position.objects.create(name=POSITIONS[i], department=department)
    for rank in (1, 2, 3):
        Level.objects.create(code=f"P{rank}", rank=rank)

    def timed(**kwargs: object) -> tuple[float, dict]:
        with path.open("rb") as stream:
            start = time.perf_counter()
            plan, _applied = roster_import(stream=stream, filename=path.name, **kwargs)
            elapsed = time.perf_counter() - start
        assert plan.is_valid, plan.report()["problems"][:5]
        return elapsed, plan.counts

    results: dict[str, float] = {"database": connection.vendor}
    results["dry_run_s"], counts = timed(dry_run=True)
    assert counts["create"] == rows
    results["import_s"], counts = timed()
    assert Employee.objects.count() == rows
    results["reimport_unchanged_s"], counts = timed()
    assert counts["unchanged"] == rows

    # Baseline: the same rows written with no checking at all, then rolled back.
    User = get_user_model()
    departments = list(Department.objects.all())
    start = time.perf_counter()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"X{n:06d}", password="!") for n in range(rows)], batch_size=500
        )
        Employee.objects.bulk_create(
            [
                Employee(
                    user=user,
                    employee_no=f"X{n:06d}",
                    name="x",
                    department=departments[n % len(departments)],
                    start_date=dt.date(2026, 12, 1),
                )
                for n, user in enumerate(users)
            ],
            batch_size=500,
        )
        results["baseline_bulk_insert_s"] = time.perf_counter() - start
        transaction.set_rollback(True)
    return results


def hostile() -> None:
    import io
    import tracemalloc

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation
    from openpyxl import Workbook

    from lms.org.roster import RosterFileError, read_roster
    from tests.sheets.factories import HOSTILE

    def normal_xlsx() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "roster.csv"
            write_roster(path, 500)
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle))
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        target = io.BytesIO()
        workbook.save(target)
        return target.getvalue()

    def normal_csv() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "roster.csv"
            write_roster(path, 500)
            return path.read_bytes()

    files: list[tuple[str, str, bytes]] = [
        ("baseline: 500 people", "roster.xlsx", normal_xlsx()),
        ("baseline: 500 people", "roster.csv", normal_csv()),
    ]
    files += [(name, "roster.xlsx", build()) for name, build in HOSTILE.items()]
    header = "工号,姓名,部门,入职日期\n".encode()
    files.append(("3 M blank lines", "roster.csv", header + b"\n" * 3_000_000))
    files.append(("a 200,000-character line", "roster.csv", header + b"x" * 200_000 + b"\n"))
    print(f"{'file':34s} {'kind':5s} {'size':>10s} {'time':>8s} {'peak':>10s}  result")
    with translation.override("en"):
        for _name, filename, data in files[:2]:  # imports, translations: not the file's cost
            read_roster(io.BytesIO(data), filename=filename)
        for name, filename, data in files:
            # Timed without tracemalloc (it slows Python down), then measured with it.
            start = time.perf_counter()
            result = _read_once(read_roster, RosterFileError, data, filename)
            elapsed = time.perf_counter() - start
            tracemalloc.start()
            _read_once(read_roster, RosterFileError, data, filename)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                f"{name:34s} {filename.rsplit('.', 1)[1]:5s} {len(data) / 1024:8.1f} KB "
                f"{elapsed * 1000:6.0f} ms {peak / 2**20:7.1f} MiB  {result}"
            )


def _read_once(read_roster, error, data: bytes, filename: str) -> str:
    import io

    try:
        table = read_roster(io.BytesIO(data), filename=filename)
    except error as exc:
        return "refused: " + str(exc.message)[:58]
    return f"read, {len(table.rows)} people"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--hostile", action="store_true", help="hostile files vs a normal one")
    args = parser.parse_args()
    if args.hostile:
        hostile()
        return
    if args.inner:
        print(json.dumps(inner(args.inner, args.rows)))
        return

    with tempfile.TemporaryDirectory(prefix="onramp-bench-") as tmp:
        roster = Path(tmp) / "roster.csv"
        write_roster(roster, args.rows)
        print(f"roster: {args.rows} rows, {roster.stat().st_size / 1024:.0f} KiB (UTF-8 with BOM)")
        targets = [("SQLite", {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})]
        pg_url = None if args.no_postgres else fresh_database(PG_BENCH_DB)
        if pg_url:
            targets.append(("PostgreSQL", {"DATABASE_URL": pg_url}))
        for label, env in targets:
            child_env = {
                **os.environ,
                **env,
                "ONRAMP_DATA_DIR": tmp,
                "DEBUG": "1",
                "LOG_LEVEL": "WARNING",
            }
            output = subprocess.run(
                [sys.executable, __file__, "--rows", str(args.rows), "--inner", str(roster)],
                env=child_env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(output.strip().splitlines()[-1])
            rows = args.rows
            print(f"\n{label}")
            print(
                f"  dry run            {r['dry_run_s']:6.2f} s  {rows / r['dry_run_s']:8.0f} rows/s"
            )
            print(
                f"  import             {r['import_s']:6.2f} s  {rows / r['import_s']:8.0f} rows/s"
            )
            print(
                f"  re-import (no-op)  {r['reimport_unchanged_s']:6.2f} s  "
                f"{rows / r['reimport_unchanged_s']:8.0f} rows/s"
            )
            print(
                f"  baseline bulk insert, no checks {r['baseline_bulk_insert_s']:6.2f} s  "
                f"-> import costs {r['import_s'] / r['baseline_bulk_insert_s']:.1f}x the bare insert"
            )


if __name__ == "__main__":
    main()
