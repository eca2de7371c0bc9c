#!/usr/bin/env bash
# Starts the living demo (scripts/demo.ts) in the background against the running api: demo people
# enrolled from photographs, RTSP and file cameras playing video of them, an Odoo emulator. Waits
# until it is set up, then prints its URLs. Run by `DEMO=1 bash scripts/up.sh`; safe to run again
# (restarts the demo, which changes nothing that is already in place).
#
#   bash scripts/demo.sh          # start (or restart) the demo
#   bash scripts/demo.sh --stop   # stop it (bash scripts/down.sh does this too)
#
# Log: .local/logs/demo.log   Pid: .local/pids/demo.pid (the process group of npx tsx scripts/demo.ts)
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# The demo runs as npx -> tsx -> node (+ the RTSP server and ffmpeg publishers) in its own process
# group (start_managed uses setsid): signal the whole group, or the node process would survive npx.
stop_demo() {
  local pid
  pid="$(managed_pid demo)"
  if [[ -n "$pid" ]]; then
    log "Stopping the demo (process group $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || true
    if ! wait_until 15 bash -c "! kill -0 -- -$pid"; then
      warn "the demo (process group $pid) did not stop in 15 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PID_DIR/demo.pid" "$PID_DIR/demo.cmd" "$LOCAL_DIR/demo/ready.json"
}

case "${1:-}" in
  --stop) stop_demo; exit 0 ;;
  "") ;;
  -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac

load_env_file "$ROOT/.env"
export API_PORT="${API_PORT:-3000}"
export ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
export ADMIN_PASSWORD="${ADMIN_PASSWORD:-admin12345}"

[[ -f test/fixtures/photos/.complete-v2 ]] || bash scripts/fetch-test-photos.sh

stop_demo
ready="$LOCAL_DIR/demo/ready.json"
log "Starting the demo (npx tsx scripts/demo.ts; log .local/logs/demo.log)"
start_managed demo npx tsx scripts/demo.ts
pid="$(<"$PID_DIR/demo.pid")"

deadline=$((SECONDS + 240))
until [[ -f "$ready" ]]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    tail_logs demo
    stop_demo
    die "the demo exited during set-up (see above; full log: .local/logs/demo.log)"
  fi
  if ((SECONDS >= deadline)); then
    tail_logs demo
    stop_demo
    die "the demo was not set up within 240 s (see above; full log: .local/logs/demo.log)"
  fi
  sleep 1
done
printf '\n'
cat "$LOCAL_DIR/demo/summary.txt"
printf '  Detections appear within a minute; follow them with: tail -f .local/logs/demo.log\n'
