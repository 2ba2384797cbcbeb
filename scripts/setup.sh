#!/usr/bin/env bash
# Prepare a checkout to run Onramp: system packages, .venv, frontend build,
# translations, database. Safe and quick to run again: each step is skipped when
# its inputs have not changed.
#   scripts/setup.sh          what `make run` needs
#   scripts/setup.sh --test   also test tools and Debian's Chromium for browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

# --- system packages ---------------------------------------------------------
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# A CJK font: lesson title cards are drawn by ffmpeg, and Chromium renders Chinese.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ "$WITH_TEST" = 1 ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
  # scripts/stack.sh (the production topology, tests/stack/): nginx in front, and a
  # PostgreSQL cluster and a redis-server of its own (only the binaries are used).
  [ -x /usr/sbin/nginx ] || need+=(nginx)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
  [ -x /usr/bin/redis-server ] || need+=(redis-server)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
fi
if [ "${#need[@]}" -gt 0 ]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  say "Installing system packages: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    die "Onramp needs these Debian packages: ${need[*]}. Run as root: apt-get install -y ${need[*]}"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || die "apt-get update failed; install by hand: apt-get install -y ${need[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || die "apt-get could not install: ${need[*]}. Install them by hand and run again."
fi

python3 - <<'PY' || die "Onramp needs Python 3.11 or newer (python3 is $(python3 --version 2>&1))."
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

# --- Python environment ------------------------------------------------------
stamp() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
reqs=requirements.txt
[ "$WITH_TEST" = 1 ] && reqs="requirements.txt requirements-dev.txt"
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv"
  python3 -m venv .venv
fi
want=$(stamp $reqs)
if [ "$(cat .venv/.onramp-reqs 2>/dev/null)" != "$want" ] && [ "$(cat .venv/.onramp-reqs 2>/dev/null)" != "$want+dev" ]; then
  say "Installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  if [ "$WITH_TEST" = 1 ]; then
    .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  else
    .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  fi
  echo "$want" > .venv/.onramp-reqs
fi

# --- frontend ----------------------------------------------------------------
lock=$(stamp frontend/package.json frontend/package-lock.json)
if [ ! -d frontend/node_modules ] || [ "$(cat frontend/node_modules/.onramp-lock 2>/dev/null)" != "$lock" ]; then
  say "Installing frontend packages (npm ci)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock" > frontend/node_modules/.onramp-lock
fi
src=$(cd frontend && find src vite.config.ts tsconfig.json package-lock.json -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
if [ ! -f frontend/dist/manifest.json ] || [ "$(cat frontend/dist/.onramp-src 2>/dev/null)" != "$src" ]; then
  say "Building the frontend (Vite)"
  (cd frontend && npm run --silent build >/dev/null)
  echo "$src" > frontend/dist/.onramp-src
fi

# --- translations and database -----------------------------------------------
say "Compiling translations"
.venv/bin/python manage.py compilemessages -v0 --ignore=.venv --ignore=frontend
say "Migrating the database"
.venv/bin/python manage.py migrate --noinput -v0
