#!/usr/bin/env bash
# `make run`: set up, load demo data, then run the web server and a task worker
# together until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python manage.py seed_demo
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping Onramp…"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
.venv/bin/python manage.py run_worker &
pids+=($!)
.venv/bin/gunicorn lms.wsgi:application --bind "$HOST:$PORT" --workers 2 --threads 4 \
  --timeout 120 --access-logfile - --log-level warning &
pids+=($!)
cat <<MSG

  Onramp is running:  http://$HOST:$PORT/
  Admin:              http://$HOST:$PORT/admin/
  Demo logins (password for all: onramp-demo-2026):
    demo.learner  – a new hire (the phone experience at /)
    demo.trainer  – trainer (admin: courses, sessions)
    demo.hr       – HR (admin: organisation, roster import, reports)
    E1001         – head of 市场拓展部 (admin: reports on his own people)
    admin         – administrator
  Press Ctrl-C to stop the web server and the task worker.

MSG
wait -n "${pids[@]}"
