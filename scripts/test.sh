#!/usr/bin/env bash
# The full test suite (`npm test`): installs and starts what the tests need (Debian packages,
# PostgreSQL, Redis, npm packages, test photos), checks .env.example and the README's permission
# table, builds, type-checks, then runs jest (unit + e2e projects) against the real services.
# Extra arguments go to jest, e.g.:
#   npm test -- --selectProjects unit
#   npm test -- test/cameras.e2e-spec.ts
# The e2e global setup creates its own databases; tests start their own S3 servers. .env is not read.
# Exits with jest's exit code.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

started=$SECONDS
# shellcheck disable=SC2317 # called by the EXIT trap
report_time() {
  local rc=$? t=$((SECONDS - started))
  printf '\n%s==>%s test.sh finished in %dm%02ds (exit %d)\n' "$_C_BOLD" "$_C_OFF" $((t / 60)) $((t % 60)) "$rc"
}
trap report_time EXIT

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

step "Checking .env.example against env.dto.ts" node scripts/check-env-example.mjs
step "Checking the README permission table" node scripts/gen-permissions-table.mjs --check
if [[ -f scripts/fetch-test-photos.sh ]]; then
  step "Fetching test photos" bash scripts/fetch-test-photos.sh
fi
step "Building (npm run build)" npm run -s build
step "Type-checking (npm run typecheck)" npm run -s typecheck
step "Linting (ESLint + Prettier: npm run lint)" npm run -s lint

log "Running jest: npm run jest -- --ci $*"
rc=0
npm run -s jest -- --ci "$@" || rc=$?
exit "$rc"
