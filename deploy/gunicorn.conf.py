"""gunicorn settings for an Onramp app server (`gunicorn -c deploy/gunicorn.conf.py`).

Every value can be set from the environment (deploy/env.example), so one file serves
every app server: the systemd unit and scripts/stack.sh both start gunicorn with it.
"""

import multiprocessing
import os

wsgi_app = "lms.wsgi:application"

# TCP on loopback (or a private address): only nginx reaches it. Not a Unix socket: the
# client address Django sees is nginx's, which TRUSTED_PROXIES must list.
bind = os.environ.get("ONRAMP_BIND", "127.0.0.1:8000")

# Processes × threads: a request mostly waits on PostgreSQL, Redis or S3, so threads
# share a process well; processes use the cores.
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request (an 8 MB upload chunk from a slow phone included) must finish in this time;
# nginx waits a little longer (proxy_read_timeout 130s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# Recycle a process now and then, so a slow leak never grows into an outage.
max_requests = 2000
max_requests_jitter = 200

# nginx on this machine sets X-Forwarded-*; gunicorn itself trusts no other address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Heartbeat files in memory, not on a disk that may stall (gunicorn makes them with
# mkstemp and unlinks them at once, so a shared folder is safe).
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# Logs to stdout/stderr (the journal under systemd; files under scripts/stack.sh).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "onramp-web")
