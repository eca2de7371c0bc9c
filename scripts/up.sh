#!/usr/bin/env bash
# Brings the whole system up on this machine: Debian packages, PostgreSQL, Redis, npm packages,
# the local S3 server, build, database + migrations + seed, then the api and the worker in the
# background. Safe to run again: it restarts the api and worker and skips what is already there.
#
#   bash scripts/up.sh            # or: npm run up
#   DEMO=1 bash scripts/up.sh     # same, plus demo data (also: bash scripts/up.sh --demo)
#   bash scripts/down.sh          # stops what this started (PostgreSQL and Redis stay up)
#
# Settings come from .env when present (see .env.example), else from the built-in defaults.
# Logs: .local/logs/{api,worker,s3}.log   Pids: .local/pids/
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

demo_arg=0
for arg in "$@"; do
  case "$arg" in
    --demo) demo_arg=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

load_env_file "$ROOT/.env"
DEMO_MODE=0
if [[ $demo_arg -eq 1 || "${DEMO:-0}" =~ ^(1|true|yes|on)$ ]]; then DEMO_MODE=1; fi

export API_PORT="${API_PORT:-3000}"
# one api process per CPU core on this machine (node cluster sharing API_PORT), unless .env says otherwise
export API_WORKERS="${API_WORKERS:-0}"
export S3_LOCAL_PORT="${S3_LOCAL_PORT:-9000}"
export S3_LOCAL_DIR="${S3_LOCAL_DIR:-.local/s3}"
export S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:$S3_LOCAL_PORT}"
ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:-admin12345}"

started=$SECONDS

# Run one step; on failure say which one and how to re-run it.
step() {
  local what="$1"; shift
  log "$what"
  "$@" || die "$what failed (command: $*)"
}

log "Checking Debian packages, PostgreSQL, Redis, npm packages"
ensure_apt_packages
ensure_postgres
ensure_redis
ensure_node_modules

# --- object storage: the local S3 server, unless S3_ENDPOINT points elsewhere or it already runs
if [[ "$S3_ENDPOINT" =~ ^https?://(127\.0\.0\.1|localhost):${S3_LOCAL_PORT}/?$ ]]; then
  if port_open "$S3_LOCAL_PORT"; then
    log "Local S3 server already answers on port $S3_LOCAL_PORT"
  elif [[ ! -f scripts/s3-local.mjs ]]; then
    warn "scripts/s3-local.mjs is missing and nothing answers on port $S3_LOCAL_PORT: storage will not work"
  else
    log "Starting the local S3 server on port $S3_LOCAL_PORT (data in $S3_LOCAL_DIR)"
    stop_managed s3
    mkdir -p "$S3_LOCAL_DIR"
    start_managed s3 node scripts/s3-local.mjs
    if ! wait_for_port "$S3_LOCAL_PORT" 20; then
      tail_logs s3
      die "the local S3 server did not listen on port $S3_LOCAL_PORT within 20 s"
    fi
  fi
else
  log "Using the S3 endpoint $S3_ENDPOINT (no local S3 server)"
fi

# --- build, database
step "Building (npm run build)" npm run -s build
step "Creating the database if missing (npm run cli -- db:create)" npm run -s cli -- db:create
step "Running migrations (npm run migrate)" npm run -s migrate
if [[ $DEMO_MODE -eq 1 ]]; then
  # The demo cameras play the sample media of test/fixtures/photos/.
  if [[ -f scripts/fetch-test-photos.sh ]]; then
    step "Fetching the sample media for the demo" bash scripts/fetch-test-photos.sh
  fi
  step "Seeding with demo data (npm run seed -- --demo)" npm run -s seed -- --demo
else
  step "Seeding (npm run seed)" npm run -s seed
fi

# --- api + worker
stop_managed api
stop_managed worker
if port_open "$API_PORT"; then
  die "port $API_PORT is already in use $(port_owner "$API_PORT"); stop that process or set API_PORT in .env"
fi
log "Starting the api (port $API_PORT) and the worker"
start_managed api node dist/apps/api/src/main.js
start_managed worker node dist/apps/worker/src/main.js

ready_url="http://127.0.0.1:$API_PORT/health/ready"
log "Waiting for $ready_url (up to 90 s)"
rc=0
wait_for_http "$ready_url" 90 "$(<"$PID_DIR/api.pid")" || rc=$?
if [[ $rc -ne 0 ]]; then
  tail_logs api worker s3
  if [[ $rc -eq 1 ]] && answer="$(curl -s --max-time 3 -w ' (HTTP %{http_code})' "$ready_url" 2>/dev/null)"; then
    printf '\nLast answer of %s: %s\n' "$ready_url" "$answer" >&2
  fi
  stop_managed api
  stop_managed worker
  if [[ $rc -eq 2 ]]; then
    die "the api exited during start-up (see above; full logs in .local/logs/)"
  fi
  die "the api was not ready within 90 s (see above; full logs in .local/logs/)"
fi
if [[ -z "$(managed_pid worker)" ]]; then
  tail_logs worker
  stop_managed api
  die "the worker exited during start-up (see above; full log: .local/logs/worker.log)"
fi

if [[ $DEMO_MODE -eq 1 && -f scripts/demo.sh ]]; then
  step "Running scripts/demo.sh" bash scripts/demo.sh
fi

base="${PUBLIC_URL:-http://localhost:$API_PORT}"
base="${base%/}"
ws_base="${base/#http/ws}"
cat <<EOF

${_C_BOLD}The system is up${_C_OFF} ($((SECONDS - started)) s)$([[ $DEMO_MODE -eq 1 ]] && echo ', with demo data')
  API base URL   $base/api/v1
  Swagger UI     $base/docs
  OpenAPI JSON   $base/docs-json
  WebSocket      $ws_base/ws?token=<access token>
  S3 endpoint    ${S3_PUBLIC_ENDPOINT:-$S3_ENDPOINT} (bucket ${S3_BUCKET:-face-attendance-bucket})
  Admin login    $ADMIN_EMAIL / $ADMIN_PASSWORD
  Logs           .local/logs/{api,worker,s3}.log
  Stop           bash scripts/down.sh   (PostgreSQL and Redis stay up)
EOF
