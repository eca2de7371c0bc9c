#!/usr/bin/env bash
# Stops what scripts/up.sh started: the demo, the api, the worker and the local S3 server (by their pid
# files in .local/pids/). PostgreSQL and Redis are left running; data stays where it is.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stopped=0
# The demo (scripts/demo.sh) first: it runs as a process group, which demo.sh --stop signals.
if [[ -n "$(managed_pid demo)" ]]; then
  bash "$ROOT/scripts/demo.sh" --stop
  stopped=$((stopped + 1))
fi
for name in api worker s3; do
  if [[ -n "$(managed_pid "$name")" ]]; then
    stop_managed "$name"
    stopped=$((stopped + 1))
  else
    rm -f "$PID_DIR/$name.pid" "$PID_DIR/$name.cmd"
  fi
done
if [[ $stopped -eq 0 ]]; then
  log "Nothing to stop (no api, worker or S3 server started by scripts/up.sh is running)"
else
  log "Stopped $stopped process(es); PostgreSQL and Redis are still running"
fi
