"""Reads behind HR's dashboard, drill-downs and exports.

Every number is an aggregate the database computes (COUNT … FILTER, GROUP BY): the
number of queries and the rows that reach Python do not grow with the number of people.
An item counts as done when it is completed or exempt (as on the learner's path map);
items and enrolments that are no longer required do not count at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from lms.org.models import Department, Employee
from lms.paths.models import Enrolment, EnrolmentItem, PathItem
from lms.progress.models import QuizAttempt
from lms.reports.scope import ReportScope

CURRENT_ENROLMENTS = [Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED]
REQUIRED_ITEMS = [
    EnrolmentItem.Status.PENDING,
    EnrolmentItem.Status.COMPLETED,
    EnrolmentItem.Status.EXEMPT,
]
DONE_ITEMS = [EnrolmentItem.Status.COMPLETED, EnrolmentItem.Status.EXEMPT]


def due_soon_days() -> int:
    return int(getattr(settings, "REPORTS_DUE_SOON_DAYS", 3))


@dataclass(frozen=True)
class ReportFilters:
    """What HR narrowed the view to; empty fields mean "all"."""

    cohort_id: int | None = None
    department_id: int | None = None
    position_id: int | None = None
    level_id: int | None = None
    path_id: int | None = None
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    include_left: bool = False

    def to_params(self) -> dict[str, str]:
        """As query parameters (for links, and for exports run later by a task)."""
        params = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value in (None, False):
                continue
            params[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return params

    @classmethod
    def from_params(cls, params: dict[str, str]) -> ReportFilters:
        """The reverse of to_params, for values this app wrote itself."""
        values: dict[str, object] = {}
        for name in ("cohort_id", "department_id", "position_id", "level_id", "path_id"):
            if str(params.get(name, "")).isdigit():
                values[name] = int(params[name])
        for name in ("start_from", "start_to"):
            with contextlib.suppress(ValueError):
                values[name] = dt.date.fromisoformat(str(params.get(name, "")))
        values["include_left"] = str(params.get("include_left", "")).lower() in ("1", "true")
        return cls(**values)  # type: ignore[arg-type]


def _people_q(scope: ReportScope, filters: ReportFilters, prefix: str) -> Q:
    condition = scope.people_q(prefix)
    if not filters.include_left:
        condition &= Q(**{f"{prefix}status": Employee.Status.ACTIVE})
    if filters.cohort_id:
        condition &= Q(**{f"{prefix}cohort_id": filters.cohort_id})
    if filters.department_id:
        subtree = department_descendant_ids_of(filters.department_id)
        condition &= Q(**{f"{prefix}department_id__in": sorted(subtree)})
    if filters.position_id:
        condition &= Q(**{f"{prefix}position_id": filters.position_id})
    if filters.level_id:
        condition &= Q(**{f"{prefix}level_id": filters.level_id})
    if filters.start_from:
        condition &= Q(**{f"{prefix}start_date__gte": filters.start_from})
    if filters.start_to:
        condition &= Q(**{f"{prefix}start_date__lte": filters.start_to})
    return condition


def department_descendant_ids_of(department_id: int) -> set[int]:
    from lms.org.selectors import department_descendant_ids

    return department_descendant_ids(Department(pk=department_id))


def report_items(*, scope: ReportScope, filters: ReportFilters) -> QuerySet[EnrolmentItem]:
    """Every required item of the people in view (pending, done or exempt)."""
    items = EnrolmentItem.objects.filter(
        status__in=REQUIRED_ITEMS, enrolment__status__in=CURRENT_ENROLMENTS
    ).filter(_people_q(scope, filters, "enrolment__employee__"))
    if filters.path_id:
        items = items.filter(enrolment__path_id=filters.path_id)
    return items


# --- the overview -----------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    name: str
    people: int  # people with items in this stage
    finished: int  # … of whom every item of the stage is done

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.people) if self.people else 0


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    people: int
    items: int
    done: int
    people_overdue: int
    has_children: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.items) if self.items else 0


@dataclass
class Overview:
    today: dt.date
    due_soon_days: int
    people: int = 0
    people_completed: int = 0
    people_on_track: int = 0
    people_due_soon: int = 0
    people_overdue: int = 0
    items: int = 0
    items_done: int = 0
    items_overdue: int = 0
    items_due_soon: int = 0
    funnel: list[FunnelStage] = field(default_factory=list)
    # (day, cumulative items completed by the end of that day)
    over_time: list[tuple[dt.date, int]] = field(default_factory=list)
    departments: list[DepartmentRow] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.items_done / self.items) if self.items else 0

    @property
    def is_empty(self) -> bool:
        return self.items == 0


def _pending(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": EnrolmentItem.Status.PENDING})


def report_overview(
    *, scope: ReportScope, filters: ReportFilters, today: dt.date | None = None
) -> Overview:
    """The dashboard's numbers in four queries, whatever the number of people.

    Everything but the time series comes from one pass over the items (see
    `_rollup`): on 300,000 items each extra pass costs about half a second.
    """
    today = today or timezone.localdate()
    soon_days = due_soon_days()
    items = report_items(scope=scope, filters=filters)
    totals, per_department, per_stage = _rollup(items, today, today + dt.timedelta(days=soon_days))
    overview = Overview(
        today=today,
        due_soon_days=soon_days,
        people=totals.people,
        # A person is in the worst bucket that applies: overdue, then due soon, then on track.
        people_overdue=totals.people_overdue,
        people_due_soon=totals.people_late_or_soon - totals.people_overdue,
        people_on_track=totals.people_open - totals.people_late_or_soon,
        people_completed=totals.people - totals.people_open,
        items=totals.items,
        items_done=totals.done,
        items_overdue=totals.overdue,
        items_due_soon=totals.due_soon,
    )
    if overview.is_empty:
        return overview
    # Paths share stage names (入职前, 第一周 …) but not positions: a role path's first
    # stage may be 第一个月. The earliest due day puts the stages in time order.
    per_stage.sort(key=lambda r: (r.first_due is None, r.first_due or 0, r.key or ""))
    overview.funnel = [
        FunnelStage(name=r.key or "—", people=r.people, finished=r.people - r.people_open)
        for r in per_stage
    ]
    overview.over_time = _completed_over_time(items)
    overview.departments = _department_rows(per_department, filters)
    return overview


@dataclass(frozen=True)
class _Rollup:
    key: str | None
    first_due: int | None
    people: int
    items: int
    done: int
    overdue: int
    due_soon: int
    people_open: int
    people_overdue: int
    people_late_or_soon: int


def _rollup(
    items: QuerySet[EnrolmentItem], today: dt.date, soon: dt.date
) -> tuple[_Rollup, list[_Rollup], list[_Rollup]]:
    """Totals, per-department and per-stage numbers, from one scan of the items.

    The ORM builds the inner query (counts per person and stage, with every filter and
    the viewer's scope); a common table expression then sums it three ways. The CTEs
    are used twice each, so SQLite and PostgreSQL compute them once.
    """
    pending = _pending()
    inner = (
        items.values(
            person=F("enrolment__employee_id"),
            department=F("enrolment__employee__department_id"),
            stage=F("item__stage__name"),
        )
        .annotate(
            first_due=Min("item__due_days"),
            n=Count("pk"),
            n_done=Count("pk", filter=Q(status__in=DONE_ITEMS)),
            n_open=Count("pk", filter=pending),
            n_overdue=Count("pk", filter=pending & Q(due_date__lt=today)),
            n_soon=Count("pk", filter=pending & Q(due_date__gte=today, due_date__lte=soon)),
        )
        .order_by()
    )
    inner_sql, params = inner.query.sql_with_params()
    buckets = (
        "COUNT(*), SUM(n), SUM(n_done), SUM(n_overdue), SUM(n_soon), "
        "SUM(CASE WHEN n_open > 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN n_overdue > 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN n_overdue > 0 OR n_soon > 0 THEN 1 ELSE 0 END)"
    )
    # Only Django's compiled SQL and constants are put together here; every value the
    # user chose travels in `params`.
    sql = f"""
        WITH per_stage AS ({inner_sql}),
        per_person AS (
            SELECT person, MIN(department) AS department, SUM(n) AS n,
                   SUM(n_done) AS n_done, SUM(n_open) AS n_open,
                   SUM(n_overdue) AS n_overdue, SUM(n_soon) AS n_soon
            FROM per_stage GROUP BY person
        )
        SELECT 'total', CAST(NULL AS TEXT), CAST(NULL AS INTEGER), {buckets} FROM per_person
        UNION ALL
        SELECT 'department', CAST(department AS TEXT), CAST(NULL AS INTEGER), {buckets}
        FROM per_person GROUP BY department
        UNION ALL
        SELECT 'stage', stage, MIN(first_due), {buckets} FROM per_stage GROUP BY stage
    """  # noqa: S608
    totals = _Rollup(None, None, 0, 0, 0, 0, 0, 0, 0, 0)
    per_department: list[_Rollup] = []
    per_stage: list[_Rollup] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, key, first_due, *numbers in cursor.fetchall():
            row = _Rollup(key, first_due, *(int(n or 0) for n in numbers))
            if kind == "total":
                totals = row
            elif kind == "department":
                per_department.append(row)
            else:
                per_stage.append(row)
    return totals, per_department, per_stage


class LocalDate(TruncDate):
    """A timestamp's local date, computed by the database.

    On SQLite Django's TruncDate calls a Python function for every row (a third of a
    second per 30,000 items); SQLite's own date() with the zone's offset does the same
    work in C. The offset is today's, so in a zone with daylight saving a completion
    within an hour of midnight may land on the next day: fine for a trend chart, and
    Asia/Shanghai has no daylight saving.
    """

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        offset = timezone.localtime().utcoffset() or dt.timedelta()
        minutes = int(offset.total_seconds() // 60)
        return f"date({sql}, %s)", [*params, f"{minutes:+d} minutes"]


def _completed_over_time(items: QuerySet[EnrolmentItem]) -> list[tuple[dt.date, int]]:
    rows = (
        items.filter(status=EnrolmentItem.Status.COMPLETED, completed_at__isnull=False)
        .annotate(day=LocalDate("completed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    running = 0
    series = []
    for row in rows:  # one row per day, not per person
        running += row["n"]
        series.append((row["day"], running))
    return series


def _department_rows(per_department: list[_Rollup], filters: ReportFilters) -> list[DepartmentRow]:
    """One row per department one level below the chosen one (or per top department)."""
    departments = {d.pk: d for d in Department.objects.all()}
    children: dict[int | None, list[int]] = defaultdict(list)
    for department in departments.values():
        children[department.parent_id].append(department.pk)
    # Each department's numbers are summed into the row it belongs under (people are
    # in exactly one department, so people counts add up).
    parent_of = {pk: d.parent_id for pk, d in departments.items()}
    top = filters.department_id if filters.department_id in departments else None
    rows: dict[int, dict[str, int]] = {}
    for row in per_department:
        pk = int(row.key or 0)
        # Walk up to the department directly below `top` (or to the root).
        chain = [pk]
        while parent_of.get(chain[-1]) is not None and chain[-1] != top:
            chain.append(parent_of[chain[-1]])  # type: ignore[arg-type]
        if top is None:
            target = chain[-1]
        elif pk == top:
            target = top
        else:
            index = chain.index(top) if top in chain else len(chain)
            target = chain[index - 1] if index > 0 else pk
        bucket = rows.setdefault(target, {"items": 0, "done": 0, "people": 0, "people_overdue": 0})
        bucket["items"] += row.items
        bucket["done"] += row.done
        bucket["people"] += row.people
        bucket["people_overdue"] += row.people_overdue
    result = [
        DepartmentRow(
            department=departments[pk],
            has_children=bool(children.get(pk)) and pk != top,
            **counts,
        )
        for pk, counts in rows.items()
        if pk in departments
    ]
    result.sort(key=lambda r: (r.department.pk != top, r.department.sort_order, r.department.name))
    return result


# --- people ------------------------------------------------------------------


PERSON_STATES = ("overdue", "due_soon", "on_track", "completed")


def report_people(
    *,
    scope: ReportScope,
    filters: ReportFilters,
    state: str = "",
    search: str = "",
    ordering: str = "",
    today: dt.date | None = None,
) -> QuerySet[Employee]:
    """The people in view with their counts (one query per page, plus the count)."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=due_soon_days())
    prefix = "enrolments__items__"
    required = Q(
        enrolments__status__in=CURRENT_ENROLMENTS,
        **{f"{prefix}status__in": REQUIRED_ITEMS},
    )
    if filters.path_id:
        required &= Q(enrolments__path_id=filters.path_id)
    pending = required & Q(**{f"{prefix}status": EnrolmentItem.Status.PENDING})
    people = (
        Employee.objects.filter(_people_q(scope, filters, ""))
        .annotate(
            item_count=Count(f"{prefix}pk", filter=required),
            done_count=Count(
                f"{prefix}pk", filter=required & Q(**{f"{prefix}status__in": DONE_ITEMS})
            ),
            overdue_count=Count(
                f"{prefix}pk", filter=pending & Q(**{f"{prefix}due_date__lt": today})
            ),
            due_soon_count=Count(
                f"{prefix}pk",
                filter=pending
                & Q(**{f"{prefix}due_date__gte": today, f"{prefix}due_date__lte": soon}),
            ),
            open_count=Count(f"{prefix}pk", filter=pending),
            next_due=Min(f"{prefix}due_date", filter=pending),
            last_done=Max(f"{prefix}completed_at", filter=required),
        )
        .filter(item_count__gt=0)
        .select_related("department", "position", "level", "cohort")
    )
    if state == "overdue":
        people = people.filter(overdue_count__gt=0)
    elif state == "due_soon":
        people = people.filter(overdue_count=0, due_soon_count__gt=0)
    elif state == "on_track":
        people = people.filter(overdue_count=0, due_soon_count=0, open_count__gt=0)
    elif state == "completed":
        people = people.filter(open_count=0)
    if search:
        people = people.filter(Q(name__icontains=search) | Q(employee_no__icontains=search))
    orderings = {
        "name": ("name", "employee_no"),
        "employee_no": ("employee_no",),
        "-overdue": ("-overdue_count", "next_due", "employee_no"),
        "progress": ("done_count", "employee_no"),
        "next_due": (F("next_due").asc(nulls_last=True), "employee_no"),
    }
    return people.order_by(*orderings.get(ordering, orderings["-overdue"]))


def person_state(person: Employee) -> str:
    """overdue | due_soon | on_track | completed, from report_people's annotations."""
    if person.overdue_count:  # type: ignore[attr-defined]
        return "overdue"
    if person.due_soon_count:  # type: ignore[attr-defined]
        return "due_soon"
    if person.open_count:  # type: ignore[attr-defined]
        return "on_track"
    return "completed"


def person_percent(person: Employee) -> int:
    total = person.item_count  # type: ignore[attr-defined]
    return round(100 * person.done_count / total) if total else 0  # type: ignore[attr-defined]


# --- one person's transcript -------------------------------------------------


@dataclass(frozen=True)
class QuizScore:
    best: int
    attempts: int
    passed: bool


@dataclass
class TranscriptRow:
    item: EnrolmentItem
    path_name: str
    stage_name: str
    kind: str
    quiz: QuizScore | None
    overdue: bool
    # Filled in by other apps (sessions: attendance; surveys: answered), see
    # TRANSCRIPT_EXTENSIONS.
    extra: dict[str, str] = field(default_factory=dict)


# Other apps add columns to the transcript (attendance, survey answered) by appending a
# callable(employee, rows) -> None that fills row.extra; the lead wires sessions in here.
TRANSCRIPT_EXTENSIONS: list = []


def person_transcript(
    *, employee: Employee, today: dt.date | None = None, include_removed: bool = True
) -> list[TranscriptRow]:
    """Every item the person has or had, in path order, with their quiz results."""
    today = today or timezone.localdate()
    items = (
        EnrolmentItem.objects.filter(enrolment__employee=employee)
        .select_related("enrolment__path", "item__stage")
        .order_by(
            "enrolment__assigned_at",
            "enrolment_id",
            "item__stage__sort_order",
            "item__stage_id",
            "item__sort_order",
            "pk",
        )
    )
    if not include_removed:
        items = items.exclude(status=EnrolmentItem.Status.REMOVED)
    scores = quiz_scores_by_course(user_id=employee.user_id)
    rows = []
    for item in items:
        path_item = item.item
        course_id = path_item.course_id if path_item else None
        rows.append(
            TranscriptRow(
                item=item,
                path_name=item.enrolment.path.name,
                stage_name=path_item.stage.name if path_item else "",
                kind=path_item.kind if path_item else "",
                quiz=scores.get(course_id) if course_id else None,
                overdue=item.is_overdue(today),
            )
        )
    for extension in TRANSCRIPT_EXTENSIONS:
        extension(employee, rows)
    return rows


def quiz_scores_by_course(*, user_id: int) -> dict[int, QuizScore]:
    rows = (
        QuizAttempt.objects.filter(user_id=user_id, course_id__isnull=False)
        .values("course_id")
        .annotate(
            best=Max("score"), attempts=Count("pk"), passed=Count("pk", filter=Q(passed=True))
        )
        .order_by()
    )
    return {
        row["course_id"]: QuizScore(row["best"], row["attempts"], row["passed"] > 0) for row in rows
    }


def person_quiz_attempts(*, employee: Employee) -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(user_id=employee.user_id).only(
        "quiz_title", "lesson_title", "number", "score", "pass_mark", "passed", "submitted_at"
    )


# --- courses -----------------------------------------------------------------


@dataclass(frozen=True)
class CourseRow:
    course_id: int
    title: str
    people: int
    done: int
    average_score: float | None

    @property
    def not_done(self) -> int:
        return self.people - self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.people) if self.people else 0


def _best_score_subquery(course_field: str, user_field: str) -> Subquery:
    return Subquery(
        QuizAttempt.objects.filter(course_id=OuterRef(course_field), user_id=OuterRef(user_field))
        .order_by()
        .values("user_id")
        .annotate(best=Max("score"))
        .values("best")[:1]
    )


def report_courses(*, scope: ReportScope, filters: ReportFilters) -> list[CourseRow]:
    """Each course on the paths in view: who has it, who finished it, the average best score."""
    rows = (
        report_items(scope=scope, filters=filters)
        .filter(item__kind=PathItem.Kind.COURSE, item__course__isnull=False)
        .annotate(best=_best_score_subquery("item__course_id", "enrolment__employee__user_id"))
        .values("item__course_id", "item__course__title")
        .annotate(
            people=Count("enrolment__employee_id", distinct=True),
            done=Count("enrolment__employee_id", distinct=True, filter=Q(status__in=DONE_ITEMS)),
            average=Avg("best"),
        )
        .order_by("item__course__title")
    )
    return [
        CourseRow(
            course_id=row["item__course_id"],
            title=row["item__course__title"],
            people=row["people"],
            done=row["done"],
            average_score=row["average"],
        )
        for row in rows
    ]


def report_course_people(
    *, scope: ReportScope, filters: ReportFilters, course_id: int, state: str = ""
) -> QuerySet[EnrolmentItem]:
    """The course's items of the people in view, each with the person's best quiz score."""
    items = (
        report_items(scope=scope, filters=filters)
        .filter(item__course_id=course_id)
        .annotate(best=_best_score_subquery("item__course_id", "enrolment__employee__user_id"))
        .select_related("enrolment__employee__department", "enrolment__path")
    )
    if state == "done":
        items = items.filter(status__in=DONE_ITEMS)
    elif state == "not_done":
        items = items.filter(status=EnrolmentItem.Status.PENDING)
    return items.order_by("status", "due_date", "enrolment__employee__employee_no")
