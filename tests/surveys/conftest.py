from tests.courses.fixtures import course, course_index, lesson, quiz  # noqa: F401
