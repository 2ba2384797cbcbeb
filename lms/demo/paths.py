"""Demo learning paths from the seeds' onboarding workflow (section ㈥), for seed_demo.

Courses are linked by title when the course pages exist; a course that is not there
yet is skipped and linked by a later run, so the step works before and after the
course demo content is loaded.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from lms.demo.courses import SeedCounts, SeedReport
from lms.demo.org import CAMPUS_COHORT
from lms.org.models import Cohort, Department, Employee, Position
from lms.paths.models import AssignmentRule, EnrolmentItem, LearningPath, PathItem, PathStage
from lms.paths.services import enrolments_mark_changed, paths_assign_for

COURSE = PathItem.Kind.COURSE
SESSION = PathItem.Kind.SESSION
TASK = PathItem.Kind.CHECKLIST

# (stage, [(kind, title or course title, due days, requires earlier, manager signs off)])
COMMON_STAGES = [
    (
        "入职前",
        [
            (TASK, "提交入职材料（学历证明、体检报告）", -10, False, False),
            (TASK, "阅读新员工手册", -3, False, False),
        ],
    ),
    (
        "入职第一天",
        [
            (TASK, "领取工牌与办公设备", 0, False, False),
            (TASK, "签署保密协议与合规承诺书", 0, False, True),
            (COURSE, "公司介绍与企业文化", 1, False, False),
        ],
    ),
    (
        "第一周",
        [
            (COURSE, "管理制度（考勤、保密、合规）", 5, False, False),
            (COURSE, "互联网金融基础（P2P、征信、风险控制）", 7, False, False),
        ],
    ),
]

ROLE_PATHS: dict[str, tuple[str, str, list]] = {
    "客户经理入职路径": (
        "market",
        "客户经理",
        [
            (
                "第一个月",
                [
                    (COURSE, "客户经理：客户开发与维护", 14, True, False),
                    (SESSION, "面授：客户开发实战演练", 21, True, False),
                    (TASK, "跟岗拜访客户 3 次", 28, False, True),
                ],
            ),
            ("转正前", [(TASK, "提交转正述职报告", 85, True, True)]),
        ],
    ),
    "风控专员入职路径": (
        "risk",
        "",
        [
            (
                "第一个月",
                [
                    (COURSE, "风险控制入门", 14, True, False),
                    (SESSION, "面授：征信报告解读", 21, True, False),
                ],
            ),
            ("转正前", [(TASK, "独立完成 20 笔贷前审核", 85, True, True)]),
        ],
    ),
    "催收专员入职路径": (
        "collection",
        "",
        [
            ("第一个月", [(COURSE, "催收合规与资产保全", 14, True, False)]),
            ("转正前", [(TASK, "通过催收合规考试", 85, True, True)]),
        ],
    ),
    "客服专员入职路径": (
        "service",
        "",
        [
            ("第一个月", [(COURSE, "客服沟通与投诉处理", 14, True, False)]),
            ("转正前", [(TASK, "独立处理 50 个客户来电", 85, True, True)]),
        ],
    ),
    "产品经理入职路径": (
        "product",
        "",
        [
            ("第一个月", [(COURSE, "产品经理岗位职责与工作方法", 14, True, False)]),
            ("转正前", [(TASK, "完成一份需求分析文档", 85, True, True)]),
        ],
    ),
}


def _course_pages() -> dict[str, Page]:
    """Live course pages by title (any page type named like a course works)."""
    pages: dict[str, Page] = {}
    for page in Page.objects.live().filter(depth__gt=2).only("pk", "title"):
        pages.setdefault(page.title, page)
    return pages


def _ensure_path(
    name: str, stages: list, courses: dict[str, Page], report_counts: SeedCounts
) -> LearningPath:
    path, created = LearningPath.objects.get_or_create(name=name)
    report_counts.created += int(created)
    report_counts.unchanged += int(not created)
    for stage_order, (stage_name, items) in enumerate(stages):
        stage, _ = PathStage.objects.get_or_create(
            path=path, name=stage_name, defaults={"sort_order": stage_order}
        )
        for item_order, (kind, title, due, requires, manager) in enumerate(items):
            lookup = {"stage": stage, "kind": kind}
            if kind == COURSE:
                course = courses.get(title)
                if course is None:
                    continue  # linked on a later run, once the course exists
                lookup["course"] = course
            else:
                lookup["title"] = title
            PathItem.objects.get_or_create(
                **lookup,
                defaults={
                    "due_days": due,
                    "requires_earlier": requires,
                    "sign_off": PathItem.SignOff.MANAGER if manager else PathItem.SignOff.LEARNER,
                    "sort_order": item_order,
                },
            )
    return path


@transaction.atomic
def demo_paths_seed() -> SeedReport:
    report = SeedReport(_("Learning paths"))
    paths_counts = report.add(_("learning paths"))
    courses = _course_pages()

    common = _ensure_path("新员工通用路径", COMMON_STAGES, courses, paths_counts)
    for cohort in Cohort.objects.all():
        AssignmentRule.objects.get_or_create(path=common, cohort=cohort)
    for name, (department_code, position_name, stages) in ROLE_PATHS.items():
        path = _ensure_path(name, stages, courses, paths_counts)
        department = Department.objects.filter(code=department_code).first()
        position = (
            Position.objects.filter(name=position_name, department=department).first()
            if position_name
            else None
        )
        if department is not None:
            AssignmentRule.objects.get_or_create(
                path=path, department=department, position=position
            )

    enrolments = report.add(_("enrolments"))
    summary = paths_assign_for(
        employees=Employee.objects.active().filter(cohort__isnull=False).order_by("pk")
    )
    enrolments.created += summary.enrolled + summary.items_added
    enrolments.updated += summary.removed + summary.items_removed

    _demo_learner_progress(report)
    return report


def _demo_learner_progress(report: SeedReport) -> None:
    """The demo learner has done some pre-boarding and left one task overdue."""
    counts = report.add(_("demo progress"))
    learner = Employee.objects.filter(user__username="demo.learner").first()
    if learner is None or learner.cohort is None or learner.cohort.name != CAMPUS_COHORT:
        return
    done = EnrolmentItem.objects.filter(
        enrolment__employee=learner,
        title="阅读新员工手册",
        status=EnrolmentItem.Status.PENDING,
    )
    enrolment_ids = list(done.values_list("enrolment_id", flat=True))
    counts.updated += done.update(
        status=EnrolmentItem.Status.COMPLETED, completed_at=timezone.now(), progress=100
    )
    enrolments_mark_changed(enrolment_ids=enrolment_ids)
