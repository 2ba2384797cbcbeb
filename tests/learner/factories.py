"""A new hire with a learning path of one course: a lesson with a video and a quiz.

Shared by tests/learner (through the HTTP client) and tests/browser (through Chromium).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lms.paths.models import LearningPath, PathItem
from lms.paths.services import enrolment_assign_manually
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    QuizFactory,
)
from tests.factories import EmployeeFactory
from tests.paths.factories import LearningPathFactory, PathItemFactory, PathStageFactory

PASSWORD = "a-long-password-1"


@dataclass
class World:
    employee: Any
    course: Any
    lesson: Any
    quiz: Any
    video: Any
    path: LearningPath


def learning_world(
    *,
    video: Any = None,
    must_watch: int = 60,
    no_skipping: bool = False,
    employee_no: str = "E2612001",
    name: str = "李佳怡",
) -> World:
    employee = EmployeeFactory(employee_no=employee_no, name=name)
    employee.user.set_password(PASSWORD)
    employee.user.save()
    index = CourseIndexPageFactory()
    course = CoursePageFactory(
        parent=index,
        title="公司介绍与企业文化",
        slug="company-culture",
        no_skipping=no_skipping,
        topics=["互联网金融是什么"],
    )
    quiz = QuizFactory(bank__course=course, title="企业文化测验", attempt_limit=3)
    body: list[tuple[str, Any]] = []
    if video is not None:
        body.append(("video", {"video": video, "must_watch_percent": must_watch}))
    body += [
        ("text", "<p>我们的企业文化：开放、平等、协作、分享。</p>"),
        ("quiz", {"quiz": quiz, "intro": ""}),
    ]
    lesson = LessonPageFactory(
        parent=course, title="互联网金融与我们的公司", slug="finance-and-us", body=body
    )
    path = LearningPathFactory(name="新员工通用路径")
    stage = PathStageFactory(path=path, name="入职第一周", sort_order=0)
    PathItemFactory(stage=stage, sort_order=0, kind=PathItem.Kind.COURSE, course=course, due_days=7)
    PathItemFactory(
        stage=stage,
        sort_order=1,
        kind=PathItem.Kind.CHECKLIST,
        title="领取工牌",
        due_days=7,
        requires_earlier=True,
    )
    enrolment_assign_manually(employee=employee, path=path)
    return World(employee, course, lesson, quiz, video, path)
