#!/usr/bin/env bash
# A production-shaped GovCloud on this machine, started by one command (issue 17):
#
#   nginx (TLS, self-signed certificate made at start; serves /static/ itself)
#     -> two gunicorn web processes (sync workers, each on its own port)
#   PostgreSQL (a private cluster, initdb'ed in the run directory), Redis (private too)
#   two Redis task workers (django-tasks-rq, `manage.py rqworker`) and the scheduler
#
# Settings are production's: GOVCLOUD_DEBUG off, fresh SECRET_KEY / FIELD_ENCRYPTION_KEY /
# AUDIT_SIGNING_KEY, BEHIND_TLS_PROXY, TASKS_BACKEND=rq. Every port is free-chosen at start and bound
# to 127.0.0.1; everything runs as the current user (when that is root, PostgreSQL alone runs as the
# `postgres` account, because it refuses root). Each long-running process is kept up by a small
# supervisor loop, as systemd's Restart=always does in a real deployment (deploy/systemd/): kill -9
# one and it is back within a second or two.
#
#   scripts/stack.sh start      start everything, print the address (idempotent: refuses if running)
#   scripts/stack.sh stop       stop everything (data kept in the run directory)
#   scripts/stack.sh status     each process's pid, or "down"
#   scripts/stack.sh url        the https:// address nginx listens on
#   scripts/stack.sh env        the environment the processes run with (source it to use manage.py)
#   scripts/stack.sh manage …   manage.py with the stack's environment, e.g. `manage load_demo --force`
#   scripts/stack.sh destroy    stop, then remove the run directory
#
# Environment: STACK_DIR (run directory, default var/stack), STACK_DATABASE_URL / STACK_REDIS_URL (use
# an existing server instead of the private ones), STACK_DELIVERY_DRIVERS (GOVCLOUD_DELIVERY_DRIVERS
# for the stack; default: cloud hosts by the libvirt driver on libvirt's test hypervisor, so that
# approvals are delivered by the task workers), TASK_WORKER_* (passed through to the workers).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
RUN="${STACK_DIR:-$ROOT/var/stack}"
PY="$ROOT/.venv/bin/python"
SERVICES=(web1 web2 worker1 worker2 scheduler nginx)

log() { printf '[stack] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
  echo "$dir"
}

# Runs a PostgreSQL server binary as the account that owns the cluster.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# --- supervisor: one per long-running process -------------------------------------------------------
# `stack.sh _supervise NAME CMD…` runs CMD, writes its pid to RUN/NAME.pid, and starts it again one
# second after it exits (counting restarts in RUN/NAME.restarts), until it receives TERM.
supervise() {
  local name="$1"; shift
  local child=0 stopping=0
  trap 'stopping=1; [ "$child" -gt 0 ] && kill -TERM "$child" 2>/dev/null' TERM INT
  echo 0 >"$RUN/$name.restarts"
  while :; do
    "$@" &
    child=$!
    echo "$child" >"$RUN/$name.pid"
    wait "$child" || true
    # `wait` returns early when the trap fires: wait for the child itself to finish.
    while kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
    [ "$stopping" = 1 ] && break
    echo "$(( $(cat "$RUN/$name.restarts") + 1 ))" >"$RUN/$name.restarts"
    echo "[supervisor] $name exited; restarting in 1 s" >&2
    sleep 1
    [ "$stopping" = 1 ] && break
  done
  rm -f "$RUN/$name.pid"
}

start_service() {
  local name="$1"; shift
  setsid "$0" _supervise "$name" "$@" >>"$RUN/log/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.supervisor.pid"
}

# --- configuration, made once per run directory -------------------------------------------------------
write_env() {
  local https_port web1 web2 db_url redis_url
  https_port="$(free_port)"; web1="$(free_port)"; web2="$(free_port)"
  db_url="${STACK_DATABASE_URL:-postgres://postgres@127.0.0.1:$(cat "$RUN/pg.port")/govcloud}"
  redis_url="${STACK_REDIS_URL:-redis://127.0.0.1:$(cat "$RUN/redis.port")/0}"
  local secret field audit drivers='{"*": {"host": "libvirt"}}'
  [ -n "${STACK_DELIVERY_DRIVERS:-}" ] && drivers="$STACK_DELIVERY_DRIVERS"
  secret="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  field="$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
  audit="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(40))')"
  umask 077
  cat >"$RUN/stack.env" <<EOF
# GovCloud stack environment ($(date -u +%FT%TZ)); keys made for this run directory only.
export STACK_HTTPS_PORT=$https_port
export STACK_WEB1_PORT=$web1
export STACK_WEB2_PORT=$web2
export GOVCLOUD_DEBUG=false
export SECRET_KEY='$secret'
export FIELD_ENCRYPTION_KEY=$field
export AUDIT_SIGNING_KEY='$audit'
export ALLOWED_HOSTS=127.0.0.1,localhost
export CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$https_port,https://localhost:$https_port
export GOVCLOUD_BASE_URL=https://127.0.0.1:$https_port
export BEHIND_TLS_PROXY=true
export TRUSTED_PROXY_COUNT=1
export GOVCLOUD_DATA_DIR=$RUN/data
export GOVCLOUD_STATIC_ROOT=$RUN/static
export DATABASE_URL=$db_url
export REDIS_URL=$redis_url
export TASKS_BACKEND=rq
export GOVCLOUD_DELIVERY_DRIVERS='$drivers'
export LIBVIRT_URI=test:///default
export EMAIL_URL=consolemail://
EOF
  for var in TASK_WORKER_HEARTBEAT_SECONDS TASK_WORKER_DEAD_SECONDS TASK_WORKER_RECOVERY_SECONDS \
             TASK_WORKER_LOST_RETRIES PROVISIONING_STALE_MINUTES LOG_LEVEL; do
    [ -n "${!var:-}" ] && echo "export $var=${!var}" >>"$RUN/stack.env"
  done
  umask 022
}

write_nginx_conf() {
  # shellcheck disable=SC1091
  . "$RUN/stack.env"
  local user_line=""
  [ "$(id -u)" -eq 0 ] && user_line="user root;"
  mkdir -p "$RUN/nginx"
  cat >"$RUN/nginx.conf" <<EOF
# Made by scripts/stack.sh; the production equivalent is deploy/nginx/govcloud.conf.
$user_line
worker_processes 2;
pid $RUN/nginx.pid;
error_log $RUN/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $RUN/log/nginx-access.log;
  client_body_temp_path $RUN/nginx/body;
  proxy_temp_path $RUN/nginx/proxy;
  fastcgi_temp_path $RUN/nginx/fastcgi;
  uwsgi_temp_path $RUN/nginx/uwsgi;
  scgi_temp_path $RUN/nginx/scgi;
  sendfile on;
  server_tokens off;
  client_max_body_size 64m;

  upstream govcloud {
    # A web process that stops answering is left out for 5 s; requests that had not reached it
    # go to the other one (nginx never resends a POST that one of them may have received).
    server 127.0.0.1:$STACK_WEB1_PORT max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$STACK_WEB2_PORT max_fails=1 fail_timeout=5s;
  }

  server {
    listen 127.0.0.1:$STACK_HTTPS_PORT ssl http2;
    server_name 127.0.0.1 localhost;
    ssl_certificate $RUN/tls/cert.pem;
    ssl_certificate_key $RUN/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:govcloud:1m;

    # collectstatic's hashed, pre-compressed copies: served here, never by Django.
    location /static/ {
      alias $GOVCLOUD_STATIC_ROOT/;
      gzip_static on;
      add_header Cache-Control "public, max-age=31536000, immutable";
      add_header X-Content-Type-Options nosniff;
      access_log off;
    }

    location / {
      proxy_pass http://govcloud;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      # The only proxy: what it saw is the client address (TRUSTED_PROXY_COUNT=1).
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_redirect off;
      proxy_connect_timeout 5s;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout http_502;
    }
  }
}
EOF
}

make_certificate() {
  mkdir -p "$RUN/tls"
  [ -f "$RUN/tls/cert.pem" ] && return
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1/O=GovCloud stack" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$RUN/tls/key.pem" -out "$RUN/tls/cert.pem" 2>/dev/null
  chmod 600 "$RUN/tls/key.pem"
}

start_postgres() {
  [ -n "${STACK_DATABASE_URL:-}" ] && return
  local bin; bin="$(pg_bin)"
  if [ ! -f "$RUN/pg/PG_VERSION" ]; then
    mkdir -p "$RUN/pg" "$RUN/pgsock"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$RUN/pg" "$RUN/pgsock" && chmod 700 "$RUN/pg"
    as_pg "$bin/initdb" -D "$RUN/pg" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    free_port >"$RUN/pg.port"
  fi
  local port; port="$(cat "$RUN/pg.port")"
  touch "$RUN/log/postgres.log"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$RUN/log/postgres.log"
  if ! as_pg "$bin/pg_ctl" -D "$RUN/pg" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$RUN/pg" -w -t 60 -l "$RUN/log/postgres.log" \
      -o "-p $port -h 127.0.0.1 -k $RUN/pgsock -c max_connections=100" start >/dev/null
  fi
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname = 'govcloud'" | grep -q 1 ||
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -c "CREATE DATABASE govcloud"
}

start_redis() {
  [ -n "${STACK_REDIS_URL:-}" ] && return
  [ -f "$RUN/redis.port" ] || free_port >"$RUN/redis.port"
  alive "$RUN/redis.pid" && return
  redis-server --daemonize yes --bind 127.0.0.1 --port "$(cat "$RUN/redis.port")" --save "" \
    --appendonly no --dir "$RUN" --pidfile "$RUN/redis.pid" --logfile "$RUN/log/redis.log"
  for _ in $(seq 50); do redis-cli -p "$(cat "$RUN/redis.port")" ping >/dev/null 2>&1 && return; sleep 0.1; done
  die "Redis did not start (see $RUN/log/redis.log)"
}

manage() {
  # shellcheck disable=SC1091
  ( . "$RUN/stack.env" && cd "$ROOT" && exec "$PY" manage.py "$@" )
}

wait_https() {
  # shellcheck disable=SC1091
  . "$RUN/stack.env"
  for _ in $(seq 120); do
    # Through nginx, checking the certificate made for it.
    if "$PY" -c 'import ssl, sys, urllib.request
context = ssl.create_default_context(cafile=sys.argv[2])
handlers = urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
urllib.request.build_opener(*handlers).open(sys.argv[1], timeout=5)' \
      "https://127.0.0.1:$STACK_HTTPS_PORT/readyz" "$RUN/tls/cert.pem" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

cmd_start() {
  [ -f "$RUN/running" ] && die "already running (scripts/stack.sh stop first): $RUN"
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "nginx is missing: scripts/install-system-packages.sh"
  mkdir -p "$RUN/log" "$RUN/data"
  start_redis
  start_postgres
  [ -f "$RUN/stack.env" ] || write_env
  make_certificate
  write_nginx_conf
  # shellcheck disable=SC1091
  . "$RUN/stack.env"
  log "migrate, static files, deployment checks"
  manage check --deploy --fail-level WARNING >"$RUN/log/setup.log" 2>&1 || { cat "$RUN/log/setup.log" >&2; die "check --deploy failed"; }
  manage migrate --no-input -v 0 >>"$RUN/log/setup.log" 2>&1 || { tail -n 30 "$RUN/log/setup.log" >&2; die "migrate failed"; }
  manage collectstatic --no-input -v 0 >>"$RUN/log/setup.log" 2>&1 || die "collectstatic failed"
  touch "$RUN/running"
  local gunicorn="$ROOT/.venv/bin/gunicorn"
  local web_args=(govcloud.wsgi --workers 2 --no-control-socket --graceful-timeout 5)
  # Each web process's workers share one metrics folder (prometheus_client's multiprocess mode),
  # emptied before every start so that a restarted process does not add up dead workers' figures.
  local n
  for n in 1 2; do
    local port_var="STACK_WEB${n}_PORT" metrics_dir="$RUN/metrics-web$n"
    start_service "web$n" bash -c ". '$RUN/stack.env' && rm -rf '$metrics_dir' && mkdir -p '$metrics_dir' \
      && export PROMETHEUS_MULTIPROC_DIR='$metrics_dir' \
      && exec '$gunicorn' ${web_args[*]} --bind 127.0.0.1:${!port_var}"
  done
  local worker="exec '$PY' manage.py rqworker --job-class django_tasks_rq.Job default"
  start_service worker1 bash -c ". '$RUN/stack.env' && $worker --name stack-worker1-\$\$"
  start_service worker2 bash -c ". '$RUN/stack.env' && $worker --name stack-worker2-\$\$"
  start_service scheduler bash -c ". '$RUN/stack.env' && exec '$PY' manage.py scheduler"
  start_service nginx "$(command -v nginx || echo /usr/sbin/nginx)" -c "$RUN/nginx.conf" -p "$RUN/nginx" -e "$RUN/log/nginx-error.log" -g "daemon off;"
  if ! wait_https; then
    cmd_status >&2
    die "the stack did not answer https://127.0.0.1:$STACK_HTTPS_PORT/readyz (logs in $RUN/log/)"
  fi
  log "up: https://127.0.0.1:$STACK_HTTPS_PORT/  (self-signed certificate; logs in $RUN/log/)"
  echo "https://127.0.0.1:$STACK_HTTPS_PORT"
}

cmd_stop() {
  local name pid
  for name in nginx "${SERVICES[@]}"; do
    if alive "$RUN/$name.supervisor.pid"; then kill -TERM "$(cat "$RUN/$name.supervisor.pid")" 2>/dev/null || true; fi
  done
  for name in "${SERVICES[@]}"; do
    for _ in $(seq 150); do alive "$RUN/$name.supervisor.pid" || break; sleep 0.1; done
    if alive "$RUN/$name.pid"; then
      pid="$(cat "$RUN/$name.pid")"; log "$name did not stop: kill -9 $pid"; kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$name.supervisor.pid" "$RUN/$name.pid"
  done
  if [ -z "${STACK_REDIS_URL:-}" ] && alive "$RUN/redis.pid"; then
    redis-cli -p "$(cat "$RUN/redis.port")" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$RUN/redis.pid")" || true
  fi
  if [ -z "${STACK_DATABASE_URL:-}" ] && [ -f "$RUN/pg/PG_VERSION" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$RUN/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -f "$RUN/running"
  log "stopped"
}

cmd_status() {
  local name state=0
  for name in "${SERVICES[@]}"; do
    if alive "$RUN/$name.pid"; then
      printf '%-10s pid %-7s restarts %s\n' "$name" "$(cat "$RUN/$name.pid")" "$(cat "$RUN/$name.restarts" 2>/dev/null || echo 0)"
    else
      printf '%-10s down\n' "$name"; state=1
    fi
  done
  if [ -z "${STACK_DATABASE_URL:-}" ]; then
    if [ -f "$RUN/pg/PG_VERSION" ] && as_pg "$(pg_bin)/pg_ctl" -D "$RUN/pg" status >/dev/null 2>&1; then
      printf '%-10s port %s\n' postgres "$(cat "$RUN/pg.port")"
    else printf '%-10s down\n' postgres; state=1; fi
  fi
  if [ -z "${STACK_REDIS_URL:-}" ]; then
    if alive "$RUN/redis.pid"; then printf '%-10s port %s\n' redis "$(cat "$RUN/redis.port")"
    else printf '%-10s down\n' redis; state=1; fi
  fi
  [ -f "$RUN/stack.env" ] && printf '%-10s https://127.0.0.1:%s\n' url "$(. "$RUN/stack.env"; echo "$STACK_HTTPS_PORT")"
  return $state
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) . "$RUN/stack.env"; echo "https://127.0.0.1:$STACK_HTTPS_PORT" ;;
  env) cat "$RUN/stack.env" ;;
  manage) shift; manage "$@" ;;
  destroy) cmd_stop; rm -rf "$RUN" ;;
  _supervise) shift; supervise "$@" ;;
  *) sed -n '2,28p' "$0"; exit 2 ;;
esac
