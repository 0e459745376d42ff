#!/usr/bin/env bash
# Sets up a production installation, or brings one up to date after an upgrade: run it again after
# every `git pull`; each step is idempotent. Configuration comes from the environment, as the
# README's production section lists it (GOVCLOUD_DEBUG off, SECRET_KEY, FIELD_ENCRYPTION_KEY,
# AUDIT_SIGNING_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, DATABASE_URL, ...).
#
#   scripts/setup-production.sh                  everything
#   scripts/setup-production.sh --skip-install   (or GOVCLOUD_SKIP_INSTALL=1) the packages are
#                                                installed already: only the steps after them
#
# Steps:
#   1. install   Debian packages the product needs at run time, .venv with requirements.txt, and
#                the pinned front-end packages (npm ci)
#   2. check     `manage.py check --deploy` must be clean before anything touches the database
#   3. messages  compilemessages: the translations are not committed, and without them every page
#                is in English
#   4. static    collectstatic (WhiteNoise serves the hashed, compressed copies)
#   5. migrate   the database schema
# A new installation then runs `manage.py bootstrap …` once (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."

skip_install="${GOVCLOUD_SKIP_INSTALL:-0}"
for arg in "$@"; do
  case "$arg" in
    --skip-install) skip_install=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

case "${GOVCLOUD_DEBUG:-false}" in
  1|[Tt]rue|[Yy]es|[Oo]n)
    echo "GOVCLOUD_DEBUG is on: production runs with it off (see the README)." >&2
    exit 1 ;;
esac
# A developer's .env (make run writes one with DEBUG on) must not turn a server into a demo.
export GOVCLOUD_DEBUG=false

PYTHON="${PYTHON:-python3.11}"
VENV=.venv
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n== %s\n' "$*"; }

if [ "$skip_install" != "1" ]; then
  step "install: system packages, Python packages, front-end packages"
  scripts/install-system-packages.sh --runtime
  [ -x "$PY" ] || "$PYTHON" -m venv "$VENV"
  "$PY" -m pip install --quiet -r requirements.txt
  npm ci --no-audit --no-fund --ignore-scripts
fi
[ -x "$PY" ] || { echo "$PY is missing: run without --skip-install first." >&2; exit 1; }

step "check: production settings"
"$PY" manage.py check --deploy --fail-level WARNING

step "messages: compiling the translations"
"$PY" manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

step "static: collecting static files"
"$PY" manage.py collectstatic --no-input -v 0

step "migrate: database schema"
"$PY" manage.py migrate --no-input -v 0

step "done"
echo "Start the web servers (gunicorn govcloud.wsgi), the workers and the scheduler as the README describes."
echo "On a new installation, create the city, the center and the administrators once: manage.py bootstrap --help"
