# shellcheck shell=bash
# Shared settings for catalogue/bin/{up,down,status}. Sourced, not executed.
set -euo pipefail
# Never `producer | grep -q`: grep -q exits at the first match, the producer's next
# write dies of SIGPIPE and pipefail fails the check; `grep >/dev/null` reads it all.

CAT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$CAT_DIR/.." && pwd)"
STATE="${FIVESTAR_CATALOGUE_STATE:-$CAT_DIR/.state}"
LOGS="$STATE/logs"
RUN="$STATE/run"
CACHE="${FIVESTAR_CACHE_DIR:-$ROOT/.cache}"

# Every service defaults to its port plus FIVESTAR_PORT_OFFSET (as pipelines/ports.py),
# so checkouts on one host whose env files set only the offset never share a service.
PG_PORT="${FIVESTAR_PG_PORT:-$((54329 + ${FIVESTAR_PORT_OFFSET:-0}))}"
REDIS_PORT="${FIVESTAR_REDIS_PORT:-$((63799 + ${FIVESTAR_PORT_OFFSET:-0}))}"
SOLR_PORT="${FIVESTAR_SOLR_PORT:-$((8984 + ${FIVESTAR_PORT_OFFSET:-0}))}"
CKAN_PORT="${FIVESTAR_CKAN_PORT:-$((5055 + ${FIVESTAR_PORT_OFFSET:-0}))}"
FUSEKI_PORT="${FIVESTAR_FUSEKI_PORT:-$((3330 + ${FIVESTAR_PORT_OFFSET:-0}))}"
LD_PORT="${FIVESTAR_LINKEDDATA_PORT:-$((8090 + ${FIVESTAR_PORT_OFFSET:-0}))}"
HOST=127.0.0.1

PG_BIN="${FIVESTAR_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATA="$STATE/pg"
PG_USER_OS=postgres

CKAN_VERSION="${FIVESTAR_CKAN_VERSION:-2.11.6}"
CKAN_DCAT_VERSION="${FIVESTAR_CKAN_DCAT_VERSION:-2.4.4}"
CKAN_SCHEMING_VERSION="${FIVESTAR_CKAN_SCHEMING_VERSION:-3.1.0}"
# the CKAN team's dataset-series type, which ckanext-dcat's DCAT-AP 3 profile writes as
# dcat:DatasetSeries (and members' in_series as dcat:inSeries)
CKAN_DATASET_SERIES_VERSION="${FIVESTAR_CKAN_DATASET_SERIES_VERSION:-0.1.1}"
GUNICORN_VERSION="${FIVESTAR_GUNICORN_VERSION:-23.0.0}"
CKAN_WORKERS="${FIVESTAR_CKAN_WORKERS:-2}"
CKAN_THREADS="${FIVESTAR_CKAN_THREADS:-4}"
CKAN_VENV="$CACHE/ckan-venv"
CKAN_INI="$STATE/ckan.ini"
CKAN_URL="http://$HOST:$CKAN_PORT"
CKAN_ADMIN=fivestar-admin
CKAN_PIPELINE=fivestar-pipeline
CKAN_PUBLISHER=fivestar-publisher
PUBLISHER_TOKEN_FILE="$STATE/publisher-api-token"
CKAN_ORG=home-office
CKAN_ORG_TITLE="Home Office"
CKAN_ORG_URI="https://www.gov.uk/government/organisations/home-office"
CKAN_ORG_DESCRIPTION="The Home Office is the lead government department for immigration and passports, drugs policy, crime, fire, counter-terrorism and police. These are its open statistics and transparency data, published by the fivestar pipeline under the Open Government Licence."
CKAN_ORG_IMAGE="$CKAN_URL/fivestar/home-office.svg"  # served from ckanext-fivestar/public

SOLR_CACHE="$CACHE/solr"
SOLR_HOME="$STATE/solr"
SOLR_URL="http://$HOST:$SOLR_PORT/solr/ckan"
SOLR_HEAP="${FIVESTAR_SOLR_HEAP:-512m}"
# Solr asks everyone for a login (BasicAuthPlugin, security.json in its home): CKAN's,
# user ckan, password generated into $STATE/solr-password (mode 600) by catalogue/bin/up.
SOLR_USER=ckan
SOLR_PASSWORD_FILE="$STATE/solr-password"
M2="$CACHE/m2"

FUSEKI_CACHE="$CACHE/fuseki"
FUSEKI_URL="http://$HOST:$FUSEKI_PORT"
FUSEKI_HEAP="${FIVESTAR_FUSEKI_HEAP:-1g}"
FUSEKI_USER=fivestar
# the live store's writer: its password is for the review service alone (like CKAN's publisher)
FUSEKI_PUBLISHER=fivestar-publisher
FUSEKI_PUBLISHER_PASSWORD_FILE="$STATE/fuseki-publisher-password"
LD_URL="http://$HOST:$LD_PORT"
# The base of the URIs the front answers for (fivestar mints {base}/id/..., /doc/..., /def/...).
# Locally the front's own address, so every URI in the demo resolves; in production the
# department's domain, with the front behind its reverse proxy.
BASE_URI="${FIVESTAR_BASE_URI:-$LD_URL}"
PIPELINE_PY="$ROOT/.venv/bin/python"

SERVICES=(postgres redis solr fuseki ckan linkeddata)

log() { printf 'catalogue: %s\n' "$*" >&2; }
die() { printf 'catalogue: ERROR: %s\n' "$*" >&2; exit 1; }

uv_bin() {
  if [ -x "$CACHE/tools/bin/uv" ]; then echo "$CACHE/tools/bin/uv"
  elif command -v uv >/dev/null 2>&1; then command -v uv
  else die "uv not found (run scripts/setup.sh or make setup)"; fi
}

# Run a command as the postgres OS user when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER_OS" -- "$@"; else "$@"; fi
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidfile_pid() { [ -s "$1" ] && head -n1 "$1" | tr -d '[:space:]' || true; }
# A live process of that program (a stale pidfile's number may belong to anything by now).
pid_is() { pid_alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }

# "Up" means this checkout's own server: another checkout's PostgreSQL or Redis on the
# same port answers just as well, and would otherwise be taken for ours ("already up")
# until the first command that needs our socket or our data fails.
pg_answers() { [ -x "$PG_BIN/pg_isready" ] && "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -t 3; }
pg_ours() { # the postmaster of our data dir is alive and listens on our port
  local pidfile="$PG_DATA/postmaster.pid"
  [ -r "$pidfile" ] && pid_is "$(sed -n 1p "$pidfile")" postgres \
    && [ "$(sed -n 4p "$pidfile")" = "$PG_PORT" ]
}
pg_up() { pg_answers && pg_ours; }
redis_answers() { [ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
redis_ours() { # its working dir is ours (each checkout's Redis runs in its own state dir)
  [ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" config get dir 2>/dev/null | sed -n 2p)" = "$STATE/redis" ]
}
redis_up() { redis_answers && redis_ours; }
solr_up() {
  [ -s "$SOLR_PASSWORD_FILE" ] || return 1
  curl -sf --max-time 5 -K - "$SOLR_URL/admin/ping?wt=json" 2>/dev/null \
    <<<"user = \"$SOLR_USER:$(cat "$SOLR_PASSWORD_FILE")\"" | grep >/dev/null '"status":"OK"'
}
fuseki_up() { curl -sf --max-time 5 "$FUSEKI_URL/fivestar/sparql?query=ASK%7B%7D" 2>/dev/null | grep >/dev/null '"boolean"'; }
linkeddata_up() { curl -sf --max-time 5 "$LD_URL/healthz" 2>/dev/null | grep >/dev/null '"ok"'; }
ckan_up() { curl -sf --max-time 10 "$CKAN_URL/api/3/action/status_show" 2>/dev/null | grep >/dev/null '"success": *true'; }

# The configuration stamp of a service: a short sha256 over the files (or, recursively, the
# folders) and settings it is started with. `up` keeps the stamp of what each running
# service was started with in $RUN/<service>.stamp and restarts a service whose stamp changed.
stamp_of() { # file | folder | value ...
  local x
  for x in "$@"; do
    if [ -f "$x" ]; then printf 'file %s ' "$x"; sha256sum <"$x"
    elif [ -d "$x" ]; then
      printf 'dir %s\n' "$x"
      (cd "$x" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' ! -path '*.egg-info/*' \
        ! -path './build/*' -print0 | sort -z | xargs -0 -r sha256sum)
    else printf 'value %s\n' "$x"; fi
  done | sha256sum | cut -c1-16
}

# Something else (not ours) already listening on a port?
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
