# shellcheck shell=bash
# Helpers sourced by scripts/up.sh, scripts/down.sh and scripts/test.sh.
# Every helper is idempotent: it checks first and only acts on what is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$ROOT/.local"
LOG_DIR="$LOCAL_DIR/logs"
PID_DIR="$LOCAL_DIR/pids"

# Debian packages the system and its tests need (media, PDF, RTSP test server).
BASE_APT_PACKAGES="ffmpeg chromium poppler-utils rtsp-server-perl"
# RTSP over TCP in tests and the demo: GStreamer's RTSP server driven by /usr/bin/python3; fonts for ffmpeg text.
BASE_APT_PACKAGES="$BASE_APT_PACKAGES python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad fonts-dejavu-core"
# More packages (space-separated). Extend this line for a feature that needs one, e.g.
#   EXTRA_APT_PACKAGES="$EXTRA_APT_PACKAGES gstreamer1.0-plugins-good"
# It may also be set in the environment.
EXTRA_APT_PACKAGES="${EXTRA_APT_PACKAGES:-}"

if [[ -t 1 ]]; then
  _C_BOLD=$'\e[1m'; _C_RED=$'\e[31m'; _C_YEL=$'\e[33m'; _C_OFF=$'\e[0m'
else
  _C_BOLD=''; _C_RED=''; _C_YEL=''; _C_OFF=''
fi

log() { printf '%s==>%s %s\n' "$_C_BOLD" "$_C_OFF" "$*"; }
warn() { printf '%swarning:%s %s\n' "$_C_YEL" "$_C_OFF" "$*" >&2; }
die() {
  printf '%serror:%s %s\n' "$_C_RED" "$_C_OFF" "$*" >&2
  exit 1
}

# Run a command as root (directly when we are root, else through sudo when present).
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (run as root or install sudo)"
  fi
}

# Load KEY=VALUE lines of a dotenv file into the environment. Like dotenv, variables that are
# already set in the environment win (so `DEMO=1 bash scripts/up.sh` beats DEMO=0 in .env).
# Supports comments, blank lines, `export KEY=...`, and single- or double-quoted values.
load_env_file() {
  local file="$1" line key value
  [[ -f "$file" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    if [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=[[:space:]]*(.*)$ ]]; then
      key="${BASH_REMATCH[2]}"
      value="${BASH_REMATCH[3]}"
      if [[ "$value" =~ ^\"(.*)\"[[:space:]]*(#.*)?$ ]]; then
        value="${BASH_REMATCH[1]}"
      elif [[ "$value" =~ ^\'(.*)\'[[:space:]]*(#.*)?$ ]]; then
        value="${BASH_REMATCH[1]}"
      else
        value="${value%%[[:space:]]#*}"
        value="${value%"${value##*[![:space:]]}"}"
      fi
      if [[ -z "${!key+x}" ]]; then
        export "$key=$value"
      fi
    else
      warn "$file: ignoring unparsable line: $line"
    fi
  done <"$file"
}

_apt_pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

_apt_lists_present() {
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

# Install the Debian packages of BASE_APT_PACKAGES + EXTRA_APT_PACKAGES (+ arguments) that are
# missing. Runs `apt-get update` at most once, and only when the lists are absent or an install
# fails with the current lists.
ensure_apt_packages() {
  local -a wanted missing=()
  local pkg
  # shellcheck disable=SC2206 # word splitting of the space-separated lists is intended
  wanted=($BASE_APT_PACKAGES $EXTRA_APT_PACKAGES "$@")
  for pkg in "${wanted[@]}"; do
    _apt_pkg_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them"
  log "Installing Debian packages: ${missing[*]}"
  local updated=0 apt_log="${TMPDIR:-/tmp}/apt-install.$$.log"
  if ! _apt_lists_present; then
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >"$apt_log" 2>&1 || { cat "$apt_log" >&2; die "apt-get update failed"; }
    updated=1
  fi
  local -a install=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends)
  if ! as_root "${install[@]}" "${missing[@]}" >"$apt_log" 2>&1; then
    if [[ $updated -eq 0 ]]; then
      log "apt-get install failed with the current package lists; running apt-get update once"
      as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >"$apt_log" 2>&1 || { cat "$apt_log" >&2; die "apt-get update failed"; }
      as_root "${install[@]}" "${missing[@]}" >"$apt_log" 2>&1 || {
        tail -n 30 "$apt_log" >&2
        die "apt-get install ${missing[*]} failed"
      }
    else
      tail -n 30 "$apt_log" >&2
      die "apt-get install ${missing[*]} failed"
    fi
  fi
  rm -f "$apt_log"
}

# Wait until CMD... succeeds, at most TIMEOUT seconds. Usage: wait_until TIMEOUT CMD...
wait_until() {
  local timeout="$1"; shift
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

_pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }

# PostgreSQL on 127.0.0.1:5432 (trust auth on this machine kind). Starts the cluster when down;
# installs PostgreSQL from Debian only when it is not there at all.
ensure_postgres() {
  if command -v pg_isready >/dev/null 2>&1 && _pg_ready; then
    return 0
  fi
  if ! compgen -G '/etc/postgresql/*/main' >/dev/null; then
    log "PostgreSQL is not installed; installing it from Debian"
    ensure_apt_packages postgresql
    local hba
    hba="$(compgen -G '/etc/postgresql/*/main/pg_hba.conf' | sort -V | tail -n 1)"
    # Fresh cluster: allow passwordless local TCP connections, as on this machine kind.
    if ! grep -q 'added by scripts/lib.sh' "$hba"; then
      as_root sed -i '1i host all all 127.0.0.1/32 trust # added by scripts/lib.sh\nhost all all ::1/128 trust # added by scripts/lib.sh' "$hba"
    fi
  fi
  local version
  version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
  log "Starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
    warn "pg_ctlcluster $version main start failed; waiting in case it is starting already"
  wait_until 30 _pg_ready || die "PostgreSQL did not become ready on 127.0.0.1:5432 (see /var/log/postgresql/)"
}

_redis_ready() { [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]; }

# Redis on 127.0.0.1:6379. Starts it when down; installs it from Debian only when missing.
ensure_redis() {
  if command -v redis-cli >/dev/null 2>&1 && _redis_ready; then
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    log "Redis is not installed; installing it from Debian"
    ensure_apt_packages redis-server
    _redis_ready && return 0
  fi
  log "Starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
  wait_until 30 _redis_ready || die "Redis did not become ready on 127.0.0.1:6379 (see /var/log/redis/ci.log)"
}

# True when node_modules matches package-lock.json (ignoring optional packages for other platforms).
_node_modules_match_lock() {
  node -e '
    const fs = require("fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages || {};
    const hidden = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages || {};
    for (const [k, v] of Object.entries(lock)) {
      if (k === "" || v.link) continue;
      const h = hidden[k];
      if (!h) { if (v.optional || v.devOptional || v.peer) continue; process.exit(1); }
      if (h.version !== v.version) process.exit(1);
    }
    for (const [k, h] of Object.entries(hidden)) {
      if (h.link) continue;
      if (!lock[k] || lock[k].version !== h.version) process.exit(1);
    }
  ' 2>/dev/null
}

# npm ci when node_modules is missing or older than package-lock.json (and differs from it).
ensure_node_modules() {
  local hidden="$ROOT/node_modules/.package-lock.json"
  local reason=''
  if [[ ! -f "$hidden" ]]; then
    reason='node_modules is missing'
  elif [[ "$ROOT/package-lock.json" -nt "$hidden" ]]; then
    if (cd "$ROOT" && _node_modules_match_lock); then
      touch "$hidden"
    else
      reason='package-lock.json changed'
    fi
  fi
  if [[ -n "$reason" ]]; then
    log "Installing npm packages ($reason): npm ci"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  fi
}

# Is something listening on HOST:PORT? Usage: port_open PORT [HOST]
port_open() {
  local port="$1" host="${2:-127.0.0.1}"
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# Wait until HOST:PORT accepts connections. Usage: wait_for_port PORT [TIMEOUT=30] [HOST]
wait_for_port() {
  local port="$1" timeout="${2:-30}" host="${3:-127.0.0.1}"
  wait_until "$timeout" port_open "$port" "$host"
}

_http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 3 "$1"
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
  fi
}

# Wait until URL answers 2xx. Usage: wait_for_http URL [TIMEOUT=30] [PID]
# With PID, gives up as soon as that process has exited.
wait_for_http() {
  local url="$1" timeout="${2:-30}" pid="${3:-}"
  local deadline=$((SECONDS + timeout))
  until _http_ok "$url" >/dev/null 2>&1; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 2
    fi
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# --- background processes started by up.sh (.local/pids/NAME.pid, .local/logs/NAME.log) ---

# Pid of a running process recorded for NAME, or nothing.
managed_pid() {
  local pidfile="$PID_DIR/$1.pid" cmdfile="$PID_DIR/$1.cmd" pid marker
  [[ -f "$pidfile" && -f "$cmdfile" ]] || return 0
  pid="$(<"$pidfile")"
  marker="$(<"$cmdfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
  # Guard against a recycled pid: the command line must still name what we started.
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"; then
    echo "$pid"
  fi
}

# Start NAME in the background in its own session: start_managed NAME CMD...
start_managed() {
  local name="$1"; shift
  mkdir -p "$LOG_DIR" "$PID_DIR"
  local logfile="$LOG_DIR/$name.log"
  # Keep the previous run's log as NAME.log.1; the tail printed on failure is this run's only.
  [[ -f "$logfile" ]] && mv -f "$logfile" "$logfile.1"
  printf '=== %s: %s ===\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >"$logfile"
  (cd "$ROOT" && exec setsid "$@" </dev/null >>"$logfile" 2>&1) &
  echo "$!" >"$PID_DIR/$name.pid"
  # What identifies the process later (guards against a recycled pid).
  printf '%s' "${*: -1}" >"$PID_DIR/$name.cmd"
}

# Stop NAME if running (SIGTERM, then SIGKILL after 15 s). Returns 0 either way.
stop_managed() {
  local name="$1" pid
  pid="$(managed_pid "$name")"
  if [[ -n "$pid" ]]; then
    log "Stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_until 15 bash -c "! kill -0 $pid"; then
      warn "$name (pid $pid) did not stop in 15 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PID_DIR/$name.pid" "$PID_DIR/$name.cmd"
}

# Who listens on PORT (for error messages).
port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(.*)' | head -n 1 || true
}

# Print the last lines of the given logs (for failure output).
tail_logs() {
  local name file
  for name in "$@"; do
    file="$LOG_DIR/$name.log"
    [[ -f "$file" ]] || continue
    printf '\n%s----- last 40 lines of %s -----%s\n' "$_C_BOLD" "${file#"$ROOT"/}" "$_C_OFF" >&2
    tail -n 40 "$file" >&2
  done
}
