#!/usr/bin/env bash
# Starts the web server, the task worker and the scheduler side by side (honcho, one Procfile) and,
# once the web server answers, prints where to open the product and how to log in.
#
# The demo runs with DEBUG on, whose error pages list every URL: it listens on this machine only
# (127.0.0.1) unless BIND says otherwise, e.g. BIND=0.0.0.0 to show it to a colleague on the LAN.
set -euo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-8000}"
export BIND="${BIND:-127.0.0.1}"
if [ "${TASKS_BACKEND:-db}" = "rq" ]; then
  export WORKER_COMMAND="python manage.py rqworker --job-class django_tasks_rq.Job default"
else
  export WORKER_COMMAND="python manage.py db_worker --queue-name default --no-reload"
fi
export PATH="$PWD/.venv/bin:$PATH"
host="$BIND"
[ "$host" = "0.0.0.0" ] && host="127.0.0.1"
# Links in e-mails need the site's address (see GOVCLOUD_BASE_URL in README).
export GOVCLOUD_BASE_URL="${GOVCLOUD_BASE_URL:-http://${host}:${PORT}}"

honcho start -f Procfile &
honcho_pid=$!
trap 'kill -TERM "$honcho_pid" 2>/dev/null; wait "$honcho_pid"' INT TERM
# The address is printed only once the server answers, so it is never a dead link.
for _ in $(seq 120); do
  if python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://${host}:${PORT}/healthz" 2>/dev/null; then
    python manage.py demo_logins --url "http://${host}:${PORT}/"
    break
  fi
  kill -0 "$honcho_pid" 2>/dev/null || break
  sleep 0.5
done
wait "$honcho_pid"
