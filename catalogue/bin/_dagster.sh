# shellcheck shell=bash
# Shared settings for catalogue/bin/dagster-{up,down} (Dagster's distributed
# profile). Sourced after _common.sh, not executed.

DSTATE="${FIVESTAR_DAGSTER_SERVICES_DIR:-$STATE}"
DLOGS="$DSTATE/logs"
DRUN="$DSTATE/run"
WEB_PORT="${FIVESTAR_DAGSTER_PORT:-$((3000 + ${FIVESTAR_PORT_OFFSET:-0}))}"
GRPC_PORT="${FIVESTAR_DAGSTER_GRPC_PORT:-$((4266 + ${FIVESTAR_PORT_OFFSET:-0}))}"
WORKERS="${FIVESTAR_CELERY_WORKERS:-2}"
WORKER_PREFIX="${FIVESTAR_CELERY_NAME:-fivestar}"
DAGSTER_DB="${FIVESTAR_DAGSTER_DB:-dagster}"
VENV_BIN="$ROOT/.venv/bin"
PY="$VENV_BIN/python"
export FIVESTAR_CELERY_BROKER="${FIVESTAR_CELERY_BROKER:-redis://$HOST:$REDIS_PORT/1}"
export FIVESTAR_CELERY_BACKEND="${FIVESTAR_CELERY_BACKEND:-redis://$HOST:$REDIS_PORT/2}"
export FIVESTAR_PG_PORT="$PG_PORT" FIVESTAR_CATALOGUE_STATE="$STATE" FIVESTAR_DAGSTER_DB="$DAGSTER_DB"

# uname -n, not hostname(1): the hostname package is not on every machine (a minimal Debian may lack it, and an empty host part made the worker name itself after the host while the health check pinged "name@": never healthy)
worker_name() { printf "%s-w%s@%s" "$WORKER_PREFIX" "$1" "$(uname -n)"; }

code_server_up() { "$VENV_BIN/dagster" api grpc-health-check -h "$HOST" -p "$GRPC_PORT" >/dev/null 2>&1; }
webserver_up() { curl -sf --max-time 5 "http://$HOST:$WEB_PORT/server_info" >/dev/null 2>&1; }
daemon_up() { "$VENV_BIN/dagster-daemon" liveness-check >/dev/null 2>&1; }
# A worker answers a ping over the broker (bare Celery: no Dagster import, so quick).
# grep reads all of celery's output: with `grep -q` it exits at the first match,
# celery's next line dies of SIGPIPE, and pipefail turns a pong into a failure
# (CI saw healthy workers reported unhealthy for minutes).
worker_up() {
  "$VENV_BIN/celery" -b "$FIVESTAR_CELERY_BROKER" inspect ping -d "$1" --timeout 2 2>/dev/null \
    | grep >/dev/null pong
}

# Stop a service started with setsid: TERM its process group (the service and
# any children, e.g. a Celery worker's pool), then KILL what is left.
stop_group() { # name pidfile seconds
  local name=$1 pidfile=$2 limit=$3 pid i
  pid=$(pidfile_pid "$pidfile")
  if ! pid_alive "$pid"; then log "$name not running"; rm -f "$pidfile"; return 0; fi
  log "$name: stopping (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 5; i++)); do
    if ! pid_alive "$pid" && ! kill -0 -- "-$pid" 2>/dev/null; then
      rm -f "$pidfile"; log "$name stopped"; return 0
    fi
    sleep 0.2
  done
  log "$name: did not stop in ${limit}s; killing"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
  rm -f "$pidfile"
}
