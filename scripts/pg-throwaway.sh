#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for Harbour's tests (CI and developers).
#
#   eval "$(scripts/pg-throwaway.sh start)"   # starts a cluster, exports DATABASE_URL
#   npm test
#   scripts/pg-throwaway.sh stop              # stops it and deletes its data
#
# `start` prints shell `export` lines on stdout (DATABASE_URL, HARBOUR_PG_DIR) and
# also writes them to the state file ($HARBOUR_PG_STATE, default
# ${TMPDIR:-/tmp}/harbour-pg-throwaway.env), which `stop` reads.
# Everything else (progress, errors) goes to stderr.
#
# The cluster lives in a fresh `mktemp -d` directory, listens on 127.0.0.1 only
# (plus a socket in its own directory), uses trust auth and fsync=off: never use
# it for real data. PostgreSQL refuses to run as root, so as root the server
# runs as the `postgres` user (override with HARBOUR_PG_USER).
# Port: $HARBOUR_PG_PORT if set, else the first free port from 54329 upwards.
set -euo pipefail

STATE_FILE="${HARBOUR_PG_STATE:-${TMPDIR:-/tmp}/harbour-pg-throwaway.env}"
DB_NAME="${HARBOUR_PG_DB:-harbour}"

log() { printf 'pg-throwaway: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

find_pg_bin() {
  if [[ -n "${HARBOUR_PG_BIN:-}" ]]; then echo "$HARBOUR_PG_BIN"; return; fi
  local d best=""
  # Prefer the newest Debian install; fall back to whatever is on PATH.
  for d in /usr/lib/postgresql/*/bin; do
    if [[ -x "$d/pg_ctl" && -x "$d/initdb" ]]; then
      best="$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -V | tail -n 1)"
    fi
  done
  if [[ -n "$best" ]]; then echo "$best"; return; fi
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"; return
  fi
  die "PostgreSQL server binaries (initdb, pg_ctl) not found; on Debian: apt-get install -y postgresql"
}

# Run a command as the cluster owner.
as_owner() (
  if [[ -n "$RUN_AS" ]]; then
    # cd / (in this subshell): the owner may not be allowed into the caller's directory.
    cd /
    if command -v runuser >/dev/null 2>&1; then
      exec runuser -u "$RUN_AS" -- "$@"
    else
      exec su -s /bin/sh "$RUN_AS" -c "$(printf '%q ' "$@")"
    fi
  else
    exec "$@"
  fi
)

port_free() {
  # Free when nothing accepts a TCP connection on it (bash's /dev/tcp).
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  if [[ -n "${HARBOUR_PG_PORT:-}" ]]; then
    port_free "$HARBOUR_PG_PORT" || die "port $HARBOUR_PG_PORT (HARBOUR_PG_PORT) is already in use"
    echo "$HARBOUR_PG_PORT"; return
  fi
  local p
  for ((p = 54329; p < 54429; p++)); do
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free port in 54329-54428"
}

cmd_start() {
  if [[ -f "$STATE_FILE" ]]; then
    local old_dir
    old_dir="$(sed -n 's/^export HARBOUR_PG_DIR=//p' "$STATE_FILE" | tr -d "'")"
    if [[ -n "$old_dir" && -f "$old_dir/data/postmaster.pid" ]]; then
      die "a throwaway cluster is already running ($old_dir; state in $STATE_FILE); run '$0 stop' first"
    fi
    rm -f "$STATE_FILE"
  fi

  local bin port dir
  bin="$(find_pg_bin)"
  RUN_AS=""
  if [[ "$(id -u)" == 0 ]]; then
    RUN_AS="${HARBOUR_PG_USER:-postgres}"
    id "$RUN_AS" >/dev/null 2>&1 || die "running as root but user '$RUN_AS' does not exist (set HARBOUR_PG_USER)"
  fi
  port="$(pick_port)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/harbour-pg.XXXXXX")"
  [[ -n "$RUN_AS" ]] && chown "$RUN_AS" "$dir"
  chmod 700 "$dir"

  local pg_user="${RUN_AS:-$(id -un)}"
  log "initdb in $dir/data ($bin)"
  if ! as_owner "$bin/initdb" -D "$dir/data" -U "$pg_user" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    die "initdb failed"
  fi
  # -k: socket in our own dir (the default /var/run/postgresql may not exist or be writable).
  local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
  log "starting on 127.0.0.1:$port"
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null; then
    cat "$dir/server.log" >&2 || true
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    die "pg_ctl start failed"
  fi
  if ! as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$pg_user" "$DB_NAME" >&2; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    die "createdb $DB_NAME failed"
  fi

  local url="postgres://$pg_user@127.0.0.1:$port/$DB_NAME"
  {
    printf "export DATABASE_URL=%q\n" "$url"
    printf "export HARBOUR_PG_DIR=%q\n" "$dir"
    printf "export HARBOUR_PG_BIN=%q\n" "$bin"
  } >"$STATE_FILE"
  log "ready: $url (state: $STATE_FILE; stop with: $0 stop)"
  cat "$STATE_FILE"
}

cmd_stop() {
  local dir="${HARBOUR_PG_DIR:-}" bin="${HARBOUR_PG_BIN:-}"
  if [[ -f "$STATE_FILE" ]]; then
    dir="$(sed -n 's/^export HARBOUR_PG_DIR=//p' "$STATE_FILE")"
    bin="$(sed -n 's/^export HARBOUR_PG_BIN=//p' "$STATE_FILE")"
  fi
  if [[ -z "$dir" ]]; then
    log "no throwaway cluster recorded ($STATE_FILE missing); nothing to stop"
    return 0
  fi
  # Only ever delete directories this script made.
  case "$dir" in
    */harbour-pg.*) ;;
    *) die "refusing to delete unexpected directory '$dir'" ;;
  esac
  [[ -n "$bin" ]] || bin="$(find_pg_bin)"
  RUN_AS=""
  if [[ "$(id -u)" == 0 ]]; then RUN_AS="${HARBOUR_PG_USER:-postgres}"; fi
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    log "stopping cluster in $dir"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
      || log "warning: pg_ctl stop failed (see $dir/server.log)"
  fi
  rm -rf "$dir"
  rm -f "$STATE_FILE"
  log "stopped and removed $dir"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *)
    cat >&2 <<USAGE
usage: $0 start|stop
  start  start a throwaway PostgreSQL cluster; prints 'export DATABASE_URL=...' lines
         (use: eval "\$($0 start)"); state kept in $STATE_FILE
  stop   stop it and delete its data directory
USAGE
    exit 2
    ;;
esac
