import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Uploads and generated files of a test go to its own temporary folder.

    Static files are named as they are in the source: the manifest storage of production
    needs a collectstatic run first, which tests/ops/test_static_files.py makes once to
    check what a phone gets.
    """
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


@pytest.fixture
def role_client(client):
    """Log a client in as a member of the given role: role_client("HR")."""
    from tests.factories import EmployeeFactory

    def login(role: str):
        employee = EmployeeFactory(roles=[role])
        client.force_login(employee.user)
        client.employee = employee
        return client

    return login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.3 s per password; tests create many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached data is keyed by primary keys, which a rolled-back test database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def trainer():
    """A trainer's account (a person with the Trainer role)."""
    from tests.factories import EmployeeFactory

    return EmployeeFactory(roles=["Trainer"]).user


@pytest.fixture
def hr():
    """An HR person's account."""
    from tests.factories import EmployeeFactory

    return EmployeeFactory(roles=["HR"]).user


@pytest.fixture
def mailbox(settings):
    """The mails sent during the test (the in-memory backend)."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox
