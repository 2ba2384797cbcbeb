"""Production mode is configured from the environment and refuses unsafe defaults."""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args: str, unset: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check.
    dropped = {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DEBUG",
        "ONRAMP_BEHIND_TLS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        *unset,
    }
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def show(expression: str, **env: str) -> str:
    """What `expression` (over django.conf.settings as s) prints in a fresh process."""
    result = manage(
        "shell", "-c", f"from django.conf import settings as s; print({expression})", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_deploy_check_is_clean_behind_tls_with_real_secrets(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        ONRAMP_BEHIND_TLS="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="onramp.example.com",
        ONRAMP_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_default_is_production_mode_on_plain_http(tmp_path):
    """What `make run` starts: DEBUG off, no HTTPS-only settings on 127.0.0.1."""
    settings = show(
        "s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.STORAGES['staticfiles']['BACKEND'], s.ALLOWED_HOSTS",
        ONRAMP_DATA_DIR=str(tmp_path),
    )
    assert settings == (
        "False False False False 0 whitenoise.storage.CompressedManifestStaticFilesStorage "
        "['127.0.0.1', 'localhost', '[::1]']"
    )


def test_the_tls_switch_turns_on_redirect_secure_cookies_and_hsts(tmp_path):
    settings = show(
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER",
        ONRAMP_BEHIND_TLS="1",
        ALLOWED_HOSTS="onramp.example.com",
        ONRAMP_DATA_DIR=str(tmp_path),
    )
    assert settings == "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_behind_tls_the_host_names_must_be_given(tmp_path):
    result = manage("check", ONRAMP_BEHIND_TLS="1", ONRAMP_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ONRAMP_BEHIND_TLS=1 needs ALLOWED_HOSTS" in result.stderr


def test_a_secret_key_is_made_once_in_the_data_directory_for_its_owner_only(tmp_path):
    first = show("s.SECRET_KEY", ONRAMP_DATA_DIR=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Kept across restarts, so sessions survive them.
    assert show("s.SECRET_KEY", ONRAMP_DATA_DIR=str(tmp_path)) == first
    # SECRET_KEY in the environment wins (several machines must share one).
    given = secrets.token_urlsafe(50)
    assert show("s.SECRET_KEY", SECRET_KEY=given, ONRAMP_DATA_DIR=str(tmp_path)) == given


def test_production_mode_refuses_a_published_development_key(tmp_path):
    result = manage(
        "check",
        SECRET_KEY="django-insecure-onramp-embedded-default-change-me",
        ONRAMP_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "SECRET_KEY is a published development key" in result.stderr


def test_development_mode_is_asked_for_explicitly(tmp_path):
    settings = show(
        "s.DEBUG, s.STORAGES['staticfiles']['BACKEND']", DEBUG="1", ONRAMP_DATA_DIR=str(tmp_path)
    )
    assert settings == "True django.contrib.staticfiles.storage.StaticFilesStorage"


def test_media_on_s3_is_allowed_by_the_content_security_policy(tmp_path):
    directives = show(
        "[s.CONTENT_SECURITY_POLICY['DIRECTIVES'][d] for d in ('media-src', 'connect-src', 'img-src')]",
        ONRAMP_DATA_DIR=str(tmp_path),
        AWS_STORAGE_BUCKET_NAME="onramp-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.com:9000/",
    )
    assert directives == (
        "[[\"'self'\", 'blob:', 'https://s3.example.com:9000'], "
        "[\"'self'\", 'https://s3.example.com:9000'], "
        "[\"'self'\", 'data:', 'blob:', 'https://s3.example.com:9000']]"
    )


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
