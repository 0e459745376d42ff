#!/usr/bin/env bash
# Starts the web server, the task worker and the scheduler side by side (honcho, one Procfile) and
# prints where to open the product and how to log in.
set -euo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-8000}"
if [ "${TASKS_BACKEND:-db}" = "rq" ]; then
  export WORKER_COMMAND="python manage.py rqworker --job-class django_tasks_rq.Job default"
else
  export WORKER_COMMAND="python manage.py db_worker --queue-name default --no-reload"
fi
export PATH="$PWD/.venv/bin:$PATH"
python manage.py demo_logins --url "http://localhost:${PORT}/"
exec honcho start -f Procfile
