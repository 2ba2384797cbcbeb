#!/usr/bin/env bash
# `make run`: set up, collect the static files, load demo data, then run the web server
# and the task workers together until Ctrl-C, in the production configuration: DEBUG off,
# a secret key made once in the data directory, hashed and compressed static files.
# It serves plain HTTP on 127.0.0.1; put TLS in front (and set ONRAMP_BEHIND_TLS=1)
# before anyone else reaches it.
#   scripts/run.sh          what `make run` does
#   scripts/run.sh --dev    what `make dev` does: DEBUG on, Django's auto-reloading
#                           runserver; VITE=1 also runs Vite's dev server
# ONRAMP_DEMO=0 skips the demo data (its accounts share a published password).
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

scripts/setup.sh
if [ "$DEV" = 1 ]; then
  export DEBUG=1
  [ "${VITE:-0}" = 1 ] && export VITE_DEV_MODE=1
else
  export DEBUG=0
fi

if [ "$DEV" = 0 ]; then
  # Hashing and gzip/brotli-compressing every static file (the admin's too) takes minutes
  # the first time: only again when the frontend build, the packages or our files change.
  static_dir="${ONRAMP_DATA_DIR:-var}/static"
  want=$( { cat frontend/dist/manifest.json .venv/.onramp-reqs 2>/dev/null
            find courses lms media -path '*/static/*' -type f -print0 | sort -z | xargs -0 sha256sum
          } | sha256sum | cut -c1-16)
  if [ "$(cat "$static_dir/.onramp-static" 2>/dev/null)" != "$want" ]; then
    say "Collecting static files (hashed names, gzip and brotli copies)"
    .venv/bin/python manage.py collectstatic --noinput --clear -v0
    echo "$want" > "$static_dir/.onramp-static"
  fi
fi

if [ "${ONRAMP_DEMO:-1}" = 1 ]; then
  say "Loading the demo data"
  # --force: seed_demo refuses production mode unless told, as its logins are public.
  .venv/bin/python manage.py seed_demo --force
fi

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
# Two task workers: the fast lane (onboarding work first, then the rest) and the long
# lane (video transcodes, big exports), so a morning of lecture uploads never keeps a
# new cohort waiting for its paths. ffmpeg runs niced (FFMPEG_NICE).
.venv/bin/python manage.py run_worker --queues onboarding,default &
pids+=($!)
.venv/bin/python manage.py run_worker --queues long &
pids+=($!)
if [ "$DEV" = 1 ]; then
  if [ "${VITE:-0}" = 1 ]; then
    (cd frontend && exec npm run --silent dev -- --host localhost --port 5173 --strictPort) &
    pids+=($!)
  fi
  .venv/bin/python manage.py runserver "$HOST:$PORT" &
  pids+=($!)
  mode="development (DEBUG on, reloads on change)"
else
  .venv/bin/gunicorn lms.wsgi:application --bind "$HOST:$PORT" --workers 2 --threads 4 \
    --timeout 120 --access-logfile - --log-level warning &
  pids+=($!)
  mode="production configuration on plain HTTP (DEBUG off)"
fi
cat <<MSG

  Onramp is running:  http://$HOST:$PORT/   — $mode
  Admin:              http://$HOST:$PORT/admin/
MSG
if [ "${ONRAMP_DEMO:-1}" = 1 ]; then
cat <<MSG
  Demo logins (password for all: onramp-demo-2026):
    demo.learner  – a new hire (the phone experience at /)
    demo.trainer  – trainer (admin: courses, sessions)
    demo.hr       – HR (admin: organisation, roster import, reports)
    admin         – administrator
MSG
fi
cat <<MSG
  Press Ctrl-C to stop the web server and the task workers.

MSG
wait -n "${pids[@]}"
