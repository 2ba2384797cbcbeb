"""Production mode is configured from the environment and refuses unsafe defaults."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args: str, unset: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", *unset}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_real_secrets(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="onramp.example.com",
        ONRAMP_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_the_default_secret(tmp_path):
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="x.example", ONRAMP_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG=0 needs a real SECRET_KEY" in result.stderr


def test_data_directory_holds_the_database_and_uploads(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'], s.MEDIA_ROOT)"
    )
    result = manage(
        "shell", "-c", code, unset=("DATABASE_URL",), ONRAMP_DATA_DIR=str(tmp_path / "data")
    )
    assert result.returncode == 0, result.stderr
    database, uploads = result.stdout.split()[-2:]
    assert database == str(tmp_path / "data" / "onramp.sqlite3")
    assert uploads == str(tmp_path / "data" / "uploads")


def test_redis_url_switches_the_task_backend(tmp_path):
    code = "from django.conf import settings as s; print(s.TASKS['default']['BACKEND'])"
    result = manage(
        "shell", "-c", code, REDIS_URL="redis://127.0.0.1:6379/5", ONRAMP_DATA_DIR=str(tmp_path)
    )
    assert result.stdout.split()[-1] == "django_tasks_rq.RQBackend"


def test_s3_storage_is_switched_on_by_configuration_alone(tmp_path):
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.url('videos/1/hls/master.m3u8', expire=60).split('?')[0])"
    )
    result = manage(
        "shell",
        "-c",
        code,
        ONRAMP_DATA_DIR=str(tmp_path),
        AWS_STORAGE_BUCKET_NAME="onramp-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.com",
        AWS_ACCESS_KEY_ID="test-key",
        AWS_SECRET_ACCESS_KEY="test-secret",
        AWS_S3_REGION_NAME="cn-north-1",
    )
    assert result.returncode == 0, result.stderr
    kind, url = result.stdout.split()[-2:]
    assert kind == "S3Storage"
    assert url == "https://s3.example.com/onramp-media/videos/1/hls/master.m3u8"
