"""Fixtures shared by tests/courses and tests/progress: a published course tree with a quiz.

The tree: site home → 课程 (index) → 风险控制入门 (course) → 贷前审核 (lesson with text, key
points and a quiz of three questions: single, multiple, true/false).
"""

import pytest

from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    QuizFactory,
)


@pytest.fixture
def course_index():
    return CourseIndexPageFactory()


@pytest.fixture
def course(course_index):
    return CoursePageFactory(
        parent=course_index,
        title="风险控制入门",
        slug="risk-intro",
        topics=["风险控制部的职责", "贷前、贷中、贷后", "从案例中学习"],
    )


@pytest.fixture
def quiz(course):
    return QuizFactory(bank__course=course, title="风控测验")


@pytest.fixture
def lesson(course, quiz):
    return LessonPageFactory(
        parent=course,
        title="贷前审核",
        slug="pre-loan",
        estimated_minutes=12,
        body=[
            ("text", "<p>风控专员对贷款项目进行实质风险审查，并做好征信审核。</p>"),
            ("key_points", {"heading": "", "points": ["贷前调查", "征信审核"]}),
            ("quiz", {"quiz": quiz, "intro": ""}),
        ],
    )
