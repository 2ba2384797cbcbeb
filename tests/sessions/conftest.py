import pytest

from tests.courses.fixtures import course, course_index, lesson, quiz  # noqa: F401
from tests.factories import EmployeeFactory


@pytest.fixture
def trainer():
    return EmployeeFactory(roles=["Trainer"]).user


@pytest.fixture
def hr():
    return EmployeeFactory(roles=["HR"]).user


@pytest.fixture
def mailbox(settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox
